"""Delivery: dispatch → workers → provider → receipts; retries, sending once, a killed worker."""

from __future__ import annotations

import datetime as dt
import json
import time
import zoneinfo

import pytest
import time_machine
from django.test import Client
from tests.engagement.delivery_helpers import HOOK_TOKEN, message_make, run_dispatch, sms_business
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.engagement import delivery, dispatch
from liuke.engagement.channels.config import hook_token_new
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.delivery_models import DeliveryReceipt
from liuke.engagement.models import Message

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
#: a Monday, 10:00 in Shanghai: outside quiet hours
MORNING = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def customer(owner: User, branch_a: Branch) -> object:
    return customer_make(
        actor=owner, branch=branch_a, name="张丽", gender="F", mobile="13812345678",
        marketing_consent=True,
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_queued_message_is_sent_then_delivered_by_the_report(
    customer: object, client: Client, provider: str
) -> None:
    message = message_make(customer)  # type: ignore[arg-type]
    with (
        time_machine.travel(MORNING),
        sms_business(message.business_id, provider=provider) as (
            fake,
            _account,
        ),
    ):
        result = run_dispatch()
        message.refresh_from_db()
        assert result["handed"] == 1
        assert message.status == MessageStatus.SENT
        [sent] = fake.sent
        assert sent.out_id == delivery.out_id(message.pk)
        assert sent.template == "SMS_100"
        assert "张女士" in json.dumps(sent.params, ensure_ascii=False)
        assert str(message.reason)  # why it was sent, stored
        if provider == "aliyun":
            report = [{"success": True, "err_code": "DELIVERED", "biz_id": sent.provider_id,
                       "out_id": sent.out_id, "phone_number": "13812345678"}]  # fmt: skip
        else:
            report = [{"sid": sent.provider_id, "report_status": "SUCCESS", "errmsg": "DELIVRD"}]
        url = f"/m/hooks/{HOOK_TOKEN}/receipts/"
        for _twice in range(2):
            answer = client.post(url, json.dumps(report), content_type="application/json")
            assert answer.status_code == 200
        wrong = client.post(
            "/m/hooks/not-the-token-at-all-000/receipts/", "[]", content_type="application/json"
        )
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None
    assert DeliveryReceipt.objects.count() == 1  # the same report twice: recorded once
    assert wrong.status_code == 404


@pytest.mark.django_db
def test_a_temporary_error_is_tried_again_after_a_back_off(customer: object) -> None:
    message = message_make(customer)  # type: ignore[arg-type]
    with (
        time_machine.travel(MORNING, tick=False) as clock,
        sms_business(message.business_id) as (fake, _a),
    ):
        fake.script.append("throttle")
        run_dispatch()
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.SENDING, 1)
        assert message.next_attempt_at == MORNING + delivery.backoff(1)
        run_dispatch()  # too early: nothing is tried
        assert fake.requests == 1
        clock.shift(delivery.backoff(1))
        run_dispatch()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert len(fake.sent) == 1


@pytest.mark.django_db
def test_a_permanent_error_fails_with_its_reason(customer: object) -> None:
    message = message_make(customer)  # type: ignore[arg-type]
    with time_machine.travel(MORNING), sms_business(message.business_id) as (fake, _account):
        fake.script.append("bad_number")
        run_dispatch()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "isv.MOBILE_NUMBER_ILLEGAL" in str(message.status_note)


@pytest.mark.django_db
def test_a_timeout_is_not_sent_again_and_the_report_settles_it(
    customer: object, client: Client
) -> None:
    """The provider took the message but its answer never came: sending again could send
    twice (Alibaba does not deduplicate), so the message waits for the report."""
    message = message_make(customer)  # type: ignore[arg-type]
    with time_machine.travel(MORNING) as clock, sms_business(message.business_id) as (fake, _a):
        fake.script.append("timeout")
        run_dispatch()
        clock.shift(dt.timedelta(minutes=30))
        result = run_dispatch()  # the stalled attempt is not repeated
        message.refresh_from_db()
        assert message.status == MessageStatus.SENDING
        assert result["again"] == 0
        [sent] = fake.sent
        report = [{"success": True, "biz_id": sent.provider_id, "out_id": sent.out_id}]
        client.post(
            f"/m/hooks/{HOOK_TOKEN}/receipts/", json.dumps(report), content_type="application/json"
        )
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert len(fake.sent) == 1


class Killed(BaseException):
    """The worker process dies (what SIGKILL does to the code after the provider's answer)."""


@pytest.mark.django_db
@pytest.mark.parametrize("dedupe", [False, True])
def test_a_worker_killed_between_sent_and_recorded_never_sends_twice(
    customer: object, monkeypatch: pytest.MonkeyPatch, dedupe: bool
) -> None:
    message = message_make(customer)  # type: ignore[arg-type]
    with (
        time_machine.travel(MORNING) as clock,
        sms_business(message.business_id, dedupe=dedupe) as (fake, _account),
    ):

        def die(results: object) -> dict[str, int]:
            list(results)  # type: ignore[call-overload]
            raise Killed

        with monkeypatch.context() as patch:
            patch.setattr(delivery, "_record", die)
            with pytest.raises(Killed):
                run_dispatch()
        assert len(fake.sent) == 1  # the provider has it; we recorded nothing
        message.refresh_from_db()
        assert message.status == MessageStatus.SENDING
        assert message.attempt_at is not None  # the attempt was recorded as begun
        run_dispatch()  # another worker, before the lease ends: leaves it alone
        clock.shift(delivery.LEASE + dt.timedelta(seconds=1))
        run_dispatch()
        clock.shift(delivery.UNKNOWN_WAIT)
        run_dispatch()
    message.refresh_from_db()
    assert len(fake.sent) == 1
    # with deduplication: sent again with the same out-id, and the provider answered the first
    # send's id; without: no report came, so it was given up, not sent again
    expected = (MessageStatus.SENT, 2) if dedupe else (MessageStatus.FAILED, 1)
    assert (message.status, fake.requests) == expected
    assert message.provider_id == (fake.sent[0].provider_id if dedupe else "")


@pytest.mark.django_db
def test_two_workers_given_the_same_messages_send_each_once(owner: User, branch_a: Branch) -> None:
    people = [
        customer_make(actor=owner, branch=branch_a, mobile=f"1381234{k:04d}") for k in range(6)
    ]
    messages = [message_make(c) for c in people]
    with time_machine.travel(MORNING), sms_business(messages[0].business_id) as (fake, _a):
        ids: list[int] = []
        dispatch.dispatch(enqueue=ids.extend)  # the jobs are queued, not run yet
        dispatch.dispatch(enqueue=ids.extend)  # the next run queues the same messages again
        assert sorted(ids) == sorted([m.pk for m in messages] * 2)
        delivery.deliver(ids)
        delivery.deliver(ids)
    assert len(fake.sent) == 6
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


@pytest.mark.django_db
def test_the_rate_limit_spaces_sends(owner: User, branch_a: Branch) -> None:
    people = [
        customer_make(actor=owner, branch=branch_a, mobile=f"1391234{k:04d}") for k in range(8)
    ]
    for c in people:
        message_make(c)
    delivery.RateLimit.reset()
    with (
        time_machine.travel(MORNING),
        sms_business(people[0].business_id, rate_per_second=5) as (
            fake,
            _account,
        ),
    ):
        started = time.monotonic()
        run_dispatch()
        took = time.monotonic() - started
    assert len(fake.sent) == 8
    # five at once (a full bucket), then one every 0.2 s
    assert took >= 0.55


@pytest.mark.django_db
def test_a_code_for_a_mobile_that_is_no_customer_goes_through_the_same_adapter(
    business: object,
) -> None:
    with sms_business(business.pk, provider="tencent") as (fake, _account):  # type: ignore[attr-defined]
        result = delivery.text_send(
            business_id=business.pk,  # type: ignore[attr-defined]
            to="13700000000",
            out="code-1",
            template="SMS_CODE",
            params={"code": "123456"},
        )
    assert result.outcome == "sent"
    assert fake.sent[0].params == ["123456"]
    assert MessageKind.REBOOKING not in json.dumps(fake.sent[0].params)


@pytest.mark.django_db
def test_a_new_hook_token_replaces_the_old_and_only_its_digest_is_kept(
    business: object, client: Client
) -> None:
    with sms_business(business.pk) as (_fake, account):  # type: ignore[attr-defined]
        token = hook_token_new(account)
        account.refresh_from_db()
        assert token not in str(account.__dict__)
        old = client.post(f"/m/hooks/{HOOK_TOKEN}/receipts/", "[]", content_type="application/json")
        new = client.post(f"/m/hooks/{token}/receipts/", "[]", content_type="application/json")
    assert (old.status_code, new.status_code) == (404, 200)
