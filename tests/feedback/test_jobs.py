"""The survey job with a controllable clock: when invitations are written (delay, consent,
cool-down, one per customer), that a second run writes nothing twice, and that the survey
message reaches the engagement outbox with its link."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from tests.factories import customer_make, visit_make
from tests.feedback.helpers import LINK

from liuke.accounts.models import Branch, User
from liuke.customers.models import Customer
from liuke.customers.services import customer_update
from liuke.engagement import dispatch
from liuke.engagement import services as engagement
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.models import Message
from liuke.feedback import jobs, services
from liuke.feedback.models import SurveyInvitation
from liuke.sales.choices import VisitStatus

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=SHANGHAI)


@pytest.fixture
def willing(owner: User, branch_a: Branch) -> Customer:
    engagement.defaults_ensure(business_id=owner.business_id or 0)
    return customer_make(
        actor=owner, branch=branch_a, name="周晓婷", gender="F", marketing_consent=True
    )


def test_a_survey_waits_for_the_delay_then_is_queued_once(
    willing: Customer, beautician_a: User, owner: User
) -> None:
    v = visit_make(customer=willing, at=DAY0, served_by=beautician_a)
    with time_machine.travel(DAY0 + dt.timedelta(hours=1), tick=False):
        assert jobs.surveys_run() == {"invitations": 0, "tokens": 0, "messages": 0}
    with time_machine.travel(DAY0 + dt.timedelta(hours=2, minutes=5), tick=False):
        assert jobs.surveys_run() == {"invitations": 1, "tokens": 1, "messages": 1}
        assert jobs.surveys_run() == {"invitations": 0, "tokens": 0, "messages": 0}
        dispatch.dispatch()
    invitation = SurveyInvitation.objects.get()
    assert invitation.visit == v
    assert invitation.staff == beautician_a
    message = Message.objects.get(kind=MessageKind.SURVEY)
    assert message.status == MessageStatus.READY
    assert message.is_marketing
    assert message.body.startswith("周女士您好")
    found = LINK.search(message.body)
    assert found
    assert invitation.token in found.group(1)
    assert message.body.startswith("周女士您好")
    assert "周" not in found.group(0)
    # the link in the message is the one the public page opens (until it expires)
    with time_machine.travel(DAY0 + dt.timedelta(days=13), tick=False):
        assert services.survey_open(found.group(1)) == invitation
    with time_machine.travel(DAY0 + dt.timedelta(days=15), tick=False):
        assert services.survey_open(found.group(1)) is None


def test_no_survey_without_consent_or_after_a_refund_or_when_switched_off(
    owner: User, branch_a: Branch, willing: Customer
) -> None:
    unwilling = customer_make(actor=owner, branch=branch_a, marketing_consent=False)
    visit_make(customer=unwilling, at=DAY0)
    refunded = visit_make(customer=willing, at=DAY0)
    refunded.status = VisitStatus.REFUNDED
    refunded.save()
    with time_machine.travel(DAY0 + dt.timedelta(hours=3), tick=False):
        assert jobs.surveys_run()["invitations"] == 0
    other = customer_make(actor=owner, branch=branch_a, marketing_consent=True)
    visit_make(customer=other, at=DAY0)
    services.settings_save(actor=owner, data={"is_enabled": False})
    with time_machine.travel(DAY0 + dt.timedelta(hours=3), tick=False):
        assert jobs.surveys_run()["invitations"] == 0
    services.settings_save(actor=owner, data={"is_enabled": True})
    with time_machine.travel(DAY0 + dt.timedelta(hours=3), tick=False):
        assert jobs.surveys_run()["invitations"] == 1


def test_one_customer_is_asked_at_most_once_in_the_cool_down(
    willing: Customer, owner: User
) -> None:
    # two visits the same afternoon: one survey, about the later one
    visit_make(customer=willing, at=DAY0 - dt.timedelta(hours=3))
    later = visit_make(customer=willing, at=DAY0)
    with time_machine.travel(DAY0 + dt.timedelta(hours=3), tick=False):
        assert jobs.surveys_run()["invitations"] == 1
    assert SurveyInvitation.objects.get().visit == later
    # ten days later: inside the 30-day cool-down
    with time_machine.travel(DAY0 + dt.timedelta(days=10), tick=False):
        visit_make(customer=willing, at=DAY0 + dt.timedelta(days=10, hours=-3))
        assert jobs.surveys_run()["invitations"] == 0
    # forty days later: asked again
    with time_machine.travel(DAY0 + dt.timedelta(days=40), tick=False):
        visit_make(customer=willing, at=DAY0 + dt.timedelta(days=40, hours=-3))
        assert jobs.surveys_run()["invitations"] == 1
    # a shorter cool-down set by the manager applies at once
    services.settings_save(actor=owner, data={"cooldown_days": 0})
    with time_machine.travel(DAY0 + dt.timedelta(days=41), tick=False):
        visit_make(customer=willing, at=DAY0 + dt.timedelta(days=41, hours=-3))
        assert jobs.surveys_run()["invitations"] == 1


def test_a_missed_run_is_caught_up_and_withdrawn_consent_cancels_the_message(
    willing: Customer, owner: User
) -> None:
    visit_make(customer=willing, at=DAY0)
    with time_machine.travel(DAY0 + dt.timedelta(hours=30), tick=False):
        assert jobs.surveys_run()["messages"] == 1
        customer_update(actor=owner, customer_id=willing.pk, data={"marketing_consent": False})
        dispatch.dispatch()
    assert Message.objects.get(kind=MessageKind.SURVEY).status == MessageStatus.CANCELLED


def test_every_token_is_distinct(owner: User, branch_a: Branch) -> None:
    engagement.defaults_ensure(business_id=owner.business_id or 0)
    for _ in range(30):
        c = customer_make(actor=owner, branch=branch_a, marketing_consent=True)
        visit_make(customer=c, at=DAY0)
    with time_machine.travel(DAY0 + dt.timedelta(hours=3), tick=False):
        report = jobs.surveys_run()
    assert report == {"invitations": 30, "tokens": 30, "messages": 30}
    tokens = list(SurveyInvitation.objects.values_list("token", flat=True))
    assert len(set(tokens)) == 30
    assert all(t and len(t) == 22 for t in tokens)


def test_the_huey_task_runs_the_job(willing: Customer) -> None:
    from liuke.feedback.tasks import feedback_surveys

    visit_make(customer=willing, at=DAY0)
    with time_machine.travel(DAY0 + dt.timedelta(hours=3), tick=False):
        result = feedback_surveys.call_local()
    assert result["invitations"] == 1
