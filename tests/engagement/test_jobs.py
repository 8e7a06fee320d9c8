"""The daily jobs with a controllable clock (time-machine): follow-ups on days 1, 7 and 30 after
a visit, no duplicates when a job runs twice, consent withdrawal stopping queued marketing, and
the lapsed-customer rule on customers with different rhythms."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from tests.factories import customer_make, visit_make

from liuke.accounts.models import Branch, User
from liuke.customers.services import customer_update
from liuke.engagement import dispatch, jobs
from liuke.engagement.choices import MessageKind, MessageStatus, TaskKind
from liuke.engagement.models import FollowUp, Message, Task

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=SHANGHAI)  # a Monday afternoon


@pytest.mark.django_db
def test_a_visit_on_day_0_yields_follow_ups_on_days_1_7_30(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a, name="林小姐")
    with time_machine.travel(DAY0, tick=False):
        visit_make(customer=customer, at=DAY0 - dt.timedelta(hours=1), served_by=beautician_a)
    with time_machine.travel(DAY0 + dt.timedelta(hours=2), tick=False):
        report = jobs.daily_run()
    assert report["followups"] == 3
    due = sorted(FollowUp.objects.filter(customer=customer).values_list("due_on", flat=True))
    assert due == [dt.date(2026, 3, 3), dt.date(2026, 3, 9), dt.date(2026, 4, 1)]
    assert set(FollowUp.objects.values_list("assignee_id", flat=True)) == {beautician_a.pk}


@pytest.mark.django_db
def test_running_the_daily_job_twice_creates_nothing_twice(
    owner: User, front_a: User, branch_a: Branch
) -> None:
    birthday = dt.date(1990, 3, 9)  # seven days after DAY0: greeted on DAY0
    customer = customer_make(
        actor=owner, branch=branch_a, birthday=birthday, marketing_consent=True, owner_id=front_a.pk
    )
    with time_machine.travel(DAY0, tick=False):
        visit_make(customer=customer, at=DAY0 - dt.timedelta(days=2))
        first = jobs.daily_run()
        counts = (FollowUp.objects.count(), Message.objects.count(), Task.objects.count())
        second = jobs.daily_run()
    assert first["followups"] == 3
    assert first["birthdays"] == 1
    assert second["followups"] == 0
    assert second["birthdays"] == 0
    assert (FollowUp.objects.count(), Message.objects.count(), Task.objects.count()) == counts
    # the follow-up goes to the customer's owner when nobody is named as having served
    assert set(FollowUp.objects.values_list("assignee_id", flat=True)) == {front_a.pk}


@pytest.mark.django_db
def test_a_stopped_consumer_catches_up_on_the_next_run(owner: User, branch_a: Branch) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    visit_make(customer=customer, at=DAY0)
    # the consumer was down for three days: the run on day 3 still plans the visit's follow-ups
    with time_machine.travel(DAY0 + dt.timedelta(days=3), tick=False):
        assert jobs.daily_run()["followups"] == 3


@pytest.mark.django_db
def test_consent_withdrawal_stops_queued_marketing(owner: User, branch_a: Branch) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, birthday=dt.date(1992, 3, 9), marketing_consent=True
    )
    quiet = customer_make(actor=owner, branch=branch_a, birthday=dt.date(1993, 3, 9))
    with time_machine.travel(DAY0, tick=False):
        jobs.daily_run()
    queued = Message.objects.get(kind=MessageKind.BIRTHDAY)
    assert queued.customer_id == customer.pk  # nothing for the customer without consent
    assert not Message.objects.filter(customer=quiet).exists()
    customer_update(actor=owner, customer_id=customer.pk, data={"marketing_consent": False})
    result = dispatch.dispatch()
    queued.refresh_from_db()
    assert result["cancelled"] == 1
    assert queued.status == MessageStatus.CANCELLED


@pytest.mark.django_db
def test_dispatch_renders_into_the_outbox(owner: User, branch_a: Branch) -> None:
    customer_make(
        actor=owner,
        branch=branch_a,
        name="张丽",
        gender="F",
        birthday=dt.date(1992, 3, 9),
        marketing_consent=True,
    )
    with time_machine.travel(DAY0, tick=False):
        jobs.daily_run()
        dispatch.dispatch()
    message = Message.objects.get()
    assert message.status == MessageStatus.READY
    # addressed as a salon would (surname and 女士), the day as 3月9日
    assert message.body.startswith("张女士您好，3月9日是您的生日")
    assert "静安店" in message.body


@pytest.mark.django_db
def test_lapsed_rule_follows_each_customers_own_rhythm(owner: User, branch_a: Branch) -> None:
    """Monthly 王 (every 30 days) lapses 45 days (30 + 50%) after her last visit; quarterly 李
    (every 90 days) is not lapsed then; 赵 came once and falls back to the branch's 90 days."""
    monthly = customer_make(actor=owner, branch=branch_a, name="王月")
    quarterly = customer_make(actor=owner, branch=branch_a, name="李季")
    once = customer_make(actor=owner, branch=branch_a, name="赵一")
    last = DAY0 - dt.timedelta(days=47)
    for k in range(4):
        visit_make(customer=monthly, at=last - dt.timedelta(days=30 * k))
        visit_make(customer=quarterly, at=last - dt.timedelta(days=90 * k))
    visit_make(customer=once, at=last)
    with time_machine.travel(DAY0, tick=False):
        jobs.daily_run()
    lapsed = set(Task.objects.filter(kind=TaskKind.LAPSED).values_list("customer_id", flat=True))
    assert lapsed == {monthly.pk}
    # 135 days after the last visit (90 + 50%) the quarterly customer lapses too, and the
    # single-visit customer lapsed at 90 days (within the look-back of a run on day 95)
    with time_machine.travel(last + dt.timedelta(days=95), tick=False):
        jobs.daily_run()
    with time_machine.travel(last + dt.timedelta(days=136), tick=False):
        jobs.daily_run()
    lapsed = set(Task.objects.filter(kind=TaskKind.LAPSED).values_list("customer_id", flat=True))
    assert lapsed == {monthly.pk, quarterly.pk, once.pk}
    assert Task.objects.filter(kind=TaskKind.LAPSED).count() == 3  # once each


@pytest.mark.django_db
def test_liuke_reminders_runs_the_daily_job_now(owner: User, branch_a: Branch) -> None:
    from liuke.cli import main

    customer = customer_make(actor=owner, branch=branch_a)
    visit_make(customer=customer, at=DAY0)
    with time_machine.travel(DAY0 + dt.timedelta(hours=1), tick=False):
        assert main(["reminders"]) == 0
        assert main(["reminders"]) == 0
    assert FollowUp.objects.filter(customer=customer).count() == 3


@pytest.mark.django_db
def test_the_demo_history_looks_like_a_month_of_work(
    owner: User, front_a: User, beautician_a: User, branch_a: Branch
) -> None:
    from liuke.engagement.demo import demo_history
    from liuke.engagement.models import Contact

    for k in range(12):
        customer = customer_make(actor=owner, branch=branch_a)
        visit_make(
            customer=customer,
            at=dt.datetime.now(tz=SHANGHAI) - dt.timedelta(days=k % 6),
            served_by=beautician_a,
        )
    assert owner.business is not None
    result = demo_history(business=owner.business, contacts=60)
    assert result["contacts"] == 60
    assert Contact.objects.filter(staff=front_a).count() == 60
    assert result["followups_done"] > 0
    assert FollowUp.objects.filter(status="done", outcome="").count() == 0


@pytest.mark.django_db
def test_dispatch_hands_over_batch_after_batch(owner: User, branch_a: Branch) -> None:
    for k in range(5):
        customer_make(
            actor=owner,
            branch=branch_a,
            birthday=dt.date(1990 + k, 3, 9),
            marketing_consent=True,
        )
    with time_machine.travel(DAY0, tick=False):
        jobs.daily_run()
        result = dispatch.dispatch(batch=2)
    assert result["handed"] == 5
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.READY}
