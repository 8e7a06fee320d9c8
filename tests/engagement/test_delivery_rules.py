"""Respecting the customer: consent, opt-outs (reply and link), erasure, quiet hours, the cap."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import zoneinfo

import pytest
import time_machine
from django.test import Client
from tests.engagement.delivery_helpers import HOOK_TOKEN, message_make, run_dispatch, sms_business
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.customers.services import customer_anonymise
from liuke.engagement import delivery
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.delivery_models import ChannelOptOut, DeliverySettings
from liuke.engagement.delivery_optout import is_opt_out, link_token
from liuke.engagement.delivery_rules import quiet_until
from liuke.engagement.models import Message

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
NIGHT = dt.datetime(2026, 3, 2, 22, 30, tzinfo=SHANGHAI)


def test_quiet_hours_wrap_midnight_and_end_at_nine() -> None:
    rules = DeliverySettings()
    next_nine = dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)
    assert quiet_until(NIGHT, rules, "Asia/Shanghai") == next_nine
    assert quiet_until(next_nine - dt.timedelta(hours=8), rules, "Asia/Shanghai") == next_nine
    assert quiet_until(MORNING, rules, "Asia/Shanghai") is None
    assert quiet_until(dt.datetime(2026, 3, 2, 21, 0, tzinfo=SHANGHAI), rules, "Asia/Shanghai")
    assert quiet_until(dt.datetime(2026, 3, 2, 20, 59, tzinfo=SHANGHAI), rules, "UTC") is None


def test_opt_out_keywords() -> None:
    assert is_opt_out("退订")
    assert is_opt_out(" td。")
    assert is_opt_out("TD")
    assert not is_opt_out("不退订了，谢谢")
    assert not is_opt_out("好的")


@pytest.mark.django_db
def test_marketing_waits_out_quiet_hours_and_service_notices_go(
    owner: User, branch_a: Branch
) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, mobile="13812345678", marketing_consent=True
    )
    greeting = message_make(customer, kind=MessageKind.BIRTHDAY, marketing=True, key="b")
    notice = message_make(customer, kind=MessageKind.REBOOKING, key="r")
    with time_machine.travel(NIGHT) as clock, sms_business(customer.business_id) as (fake, _a):
        run_dispatch()
        greeting.refresh_from_db()
        notice.refresh_from_db()
        assert notice.status == MessageStatus.SENT
        assert greeting.status == MessageStatus.QUEUED
        assert greeting.next_attempt_at == dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)
        clock.move_to(dt.datetime(2026, 3, 3, 9, 1, tzinfo=SHANGHAI))
        run_dispatch()
    greeting.refresh_from_db()
    assert greeting.status == MessageStatus.SENT
    assert [s.template for s in fake.sent] == ["SMS_100", "SMS_200"]
    # the birthday template's opt-out link parameter
    assert "/m/stop/" in fake.sent[1].params["optout"]


@pytest.mark.django_db
def test_the_weekly_marketing_cap(owner: User, branch_a: Branch) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, mobile="13812345678", marketing_consent=True
    )
    for key in "abc":
        message_make(customer, kind=MessageKind.BIRTHDAY, marketing=True, key=key)
    with time_machine.travel(MORNING) as clock, sms_business(customer.business_id) as (fake, _a):
        run_dispatch()
        assert len(fake.sent) == 2  # the default cap
        clock.shift(dt.timedelta(days=8))
        message_make(customer, kind=MessageKind.BIRTHDAY, marketing=True, key="d")
        run_dispatch()
    statuses = dict(Message.objects.values_list("key", "status"))
    assert statuses == {
        "a": MessageStatus.SENT,
        "b": MessageStatus.SENT,
        "c": MessageStatus.CANCELLED,
        "d": MessageStatus.SENT,  # a new week
    }


@pytest.mark.django_db
def test_a_reply_td_opts_out_of_sms_marketing(
    owner: User, branch_a: Branch, client: Client
) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, mobile="13812345678", marketing_consent=True
    )
    greeting = message_make(customer, kind=MessageKind.BIRTHDAY, marketing=True, key="b")
    notice = message_make(customer, key="r")
    with time_machine.travel(MORNING), sms_business(customer.business_id) as (fake, _a):
        reply = [{"phone_number": "+8613812345678", "content": "退订", "sign_name": "丽颜美容"}]
        answer = client.post(
            f"/m/hooks/{HOOK_TOKEN}/replies/", json.dumps(reply), content_type="application/json"
        )
        assert answer.json() == {"code": 0, "msg": "接收成功"}
        run_dispatch()
    greeting.refresh_from_db()
    notice.refresh_from_db()
    assert ChannelOptOut.objects.get().channel == "sms"
    assert greeting.status == MessageStatus.OPTED_OUT
    assert notice.status == MessageStatus.SENT
    assert [s.template for s in fake.sent] == ["SMS_100"]


@pytest.mark.django_db
def test_the_link_opts_out_of_all_marketing(owner: User, branch_a: Branch, client: Client) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, mobile="13812345678", marketing_consent=True
    )
    sent = message_make(customer, kind=MessageKind.BIRTHDAY, marketing=True, key="a")
    later = message_make(customer, kind=MessageKind.WIN_BACK, marketing=True, key="b")
    url = f"/m/stop/{link_token(sent.pk)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert not ChannelOptOut.objects.exists()  # opening the link asks; it does not act
    assert client.post(url).status_code == 200
    assert ChannelOptOut.objects.get().channel == "*"
    later.refresh_from_db()
    assert later.status == MessageStatus.OPTED_OUT
    assert client.get(f"/m/stop/{link_token(sent.pk)}x/").status_code == 404


@pytest.mark.django_db
def test_an_erased_customers_queued_messages_are_dropped(owner: User, branch_a: Branch) -> None:
    customer = customer_make(actor=owner, branch=branch_a, mobile="13812345678")
    notice = message_make(customer)
    customer_anonymise(actor=owner, customer_ids=[customer.pk], reason="客户要求删除")
    with time_machine.travel(MORNING), sms_business(customer.business_id) as (fake, _a):
        run_dispatch()
    notice.refresh_from_db()
    assert notice.status == MessageStatus.CANCELLED
    assert fake.sent == []


@pytest.mark.django_db
def test_no_message_goes_out_unless_every_rule_allows_it(owner: User, branch_a: Branch) -> None:
    """Every combination of consent, opt-out, service notices, erasure, marketing or not, by day
    and by night: exactly the allowed messages reach the provider."""
    grid = list(itertools.product([True, False], repeat=5))
    expected_by_time: dict[str, set[str]] = {"day": set(), "night": set()}
    messages: list[tuple[Message, str]] = []
    for n, (consent, opted, notices, erased, marketing) in enumerate(grid):
        for when in ("day", "night"):
            customer = customer_make(
                actor=owner, branch=branch_a, mobile=f"138{n:04d}{len(messages):04d}",
                marketing_consent=consent, service_notices=notices,
            )  # fmt: skip
            if opted:
                ChannelOptOut.objects.create(
                    business_id=customer.business_id, customer=customer, channel="sms",
                    source="reply",
                )  # fmt: skip
            if erased:
                customer_anonymise(actor=owner, customer_ids=[customer.pk], reason="删除")
            kind = MessageKind.BIRTHDAY if marketing else MessageKind.REBOOKING
            message = message_make(customer, kind=kind, marketing=marketing, key=when)
            messages.append((message, when))
            allowed = not erased and (
                (consent and not opted and when == "day") if marketing else notices
            )
            if allowed:
                expected_by_time[when].add(delivery.out_id(message.pk))
    with sms_business(owner.business_id or 0) as (fake, _a):
        for when, moment in (("night", NIGHT), ("day", MORNING + dt.timedelta(days=2))):
            ids = {m.pk for m, w in messages if w == when}
            Message.objects.exclude(pk__in=ids).filter(status=MessageStatus.QUEUED).update(
                next_attempt_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
            )
            Message.objects.filter(pk__in=ids).update(next_attempt_at=None)
            before = len(fake.sent)
            with time_machine.travel(moment):
                run_dispatch()
            assert {s.out_id for s in fake.sent[before:]} == expected_by_time[when], when
    assert len(fake.sent) == len(expected_by_time["day"]) + len(expected_by_time["night"])
