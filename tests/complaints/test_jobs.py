"""The timer sweep (escalation, breach alerts, actions done elsewhere) with a controlled clock,
run as huey runs it. Set-based and idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import translation
from tests.complaints.helpers import open_complaint
from tests.sales.shop import Shop

from liuke.accounts.models import User
from liuke.complaints import jobs, services
from liuke.complaints.models import Complaint
from liuke.complaints.tasks import complaints_sweep
from liuke.engagement import services as engagement
from liuke.engagement.models import Task

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _at(**delta: float) -> dt.datetime:
    return T0 + dt.timedelta(**delta)


def test_a_complaint_about_to_miss_its_response_is_escalated_then_breached(
    shop: Shop, front_a: User, manager_a: User
) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop)  # medium: first response within 4 hours
    with time_machine.travel(_at(hours=2, minutes=59), tick=False):
        assert jobs.sweep() == {"escalated": 0, "breached": 0, "alerts": 0, "actions_done": 0}
    with time_machine.travel(_at(hours=3), tick=False):  # 75 % of the target
        report = jobs.sweep()
    assert report["escalated"] == 1
    assert report["alerts"] == 1
    c.refresh_from_db()
    assert c.escalated_to == manager_a
    assert c.escalation_reason == "response"
    assert c.escalated_at == _at(hours=3)
    assert c.response_breached_at is None
    assert Task.objects.get(key=f"complaint:{c.pk}:esc").assignee == manager_a
    with time_machine.travel(_at(hours=4), tick=False):
        report = jobs.sweep()
    assert report == {"escalated": 0, "breached": 1, "alerts": 1, "actions_done": 0}
    c.refresh_from_db()
    assert c.response_breached_at == _at(hours=4)
    assert c.resolution_breached_at is None
    alert = Task.objects.get(key=f"complaint:{c.pk}:breach")
    assert alert.assignee == manager_a
    assert alert.status == "open"
    # idempotent: running again (or twice in the same minute) adds and changes nothing
    with time_machine.travel(_at(hours=4, minutes=5), tick=False):
        assert jobs.sweep() == {"escalated": 0, "breached": 0, "alerts": 0, "actions_done": 0}
    c.refresh_from_db()
    assert c.response_breached_at == _at(hours=4)
    assert Task.objects.filter(key__startswith=f"complaint:{c.pk}").count() == 3


def test_a_first_response_in_time_stops_the_response_timer(shop: Shop, front_a: User) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop)
    with time_machine.travel(_at(hours=1), tick=False):
        services.complaint_step_record(actor=front_a, complaint_id=c.pk, step=1)
    with time_machine.travel(_at(hours=5), tick=False):
        assert jobs.sweep()["breached"] == 0
    c.refresh_from_db()
    assert c.escalated_at is None
    assert c.response_breached_at is None
    assert Task.objects.get(key=f"complaint:{c.pk}").status == "done"
    # the resolution target (72 h) is still running
    with time_machine.travel(_at(hours=72), tick=False):
        assert jobs.sweep() == {"escalated": 1, "breached": 1, "alerts": 2, "actions_done": 0}
    c.refresh_from_db()
    assert c.escalation_reason == "resolution"
    assert c.resolution_breached_at == _at(hours=72)


def test_waiting_for_the_customer_is_not_a_breach(shop: Shop, front_a: User) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop)
        services.complaint_wait(actor=front_a, complaint_id=c.pk)
    with time_machine.travel(_at(days=5), tick=False):
        assert jobs.sweep()["breached"] == 0
        services.complaint_resume(actor=front_a, complaint_id=c.pk)
    c.refresh_from_db()
    assert c.response_due_at == _at(days=5, hours=4)
    with time_machine.travel(_at(days=5, hours=4), tick=False):
        assert jobs.sweep()["breached"] == 1


def test_a_resolved_complaint_is_left_alone(shop: Shop, front_a: User) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop)
        services.complaint_resolve(actor=front_a, complaint_id=c.pk, kind="apology")
    with time_machine.travel(_at(days=30), tick=False):
        assert jobs.sweep() == {"escalated": 0, "breached": 0, "alerts": 0, "actions_done": 0}


def test_an_action_done_on_the_tasks_page_is_done_on_the_complaint(
    shop: Shop, front_a: User
) -> None:
    c = open_complaint(front_a, shop)
    action = services.action_add(
        actor=front_a,
        complaint_id=c.pk,
        side="ours",
        text="周五回访",
        owner_id=front_a.pk,
        due_on=dt.date.today() + dt.timedelta(days=2),
    )
    assert action.task is not None
    engagement.task_complete(actor=front_a, task_id=action.task.pk, note="已回访")
    assert jobs.sweep()["actions_done"] == 1
    action.refresh_from_db()
    assert action.done_at is not None
    assert action.done_by == front_a
    assert jobs.sweep()["actions_done"] == 0


def test_the_job_runs_every_five_minutes_as_huey_runs_it(shop: Shop, front_a: User) -> None:
    task = complaints_sweep.task_class()  # type: ignore[attr-defined]
    assert task.validate_datetime(dt.datetime(2026, 3, 2, 10, 5))
    assert not task.validate_datetime(dt.datetime(2026, 3, 2, 10, 6))
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop, severity="critical")  # first response in 30 minutes
    with time_machine.travel(_at(minutes=30), tick=False):
        assert complaints_sweep.call_local()["breached"] == 1
    assert Complaint.objects.get(pk=c.pk).response_breached_at == _at(minutes=30)


def test_a_manager_s_own_case_is_escalated_to_the_owner_not_to_themselves(
    shop: Shop, manager_a: User, owner: User
) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(manager_a, shop)
    assert c.handler_id == manager_a.pk
    with time_machine.travel(_at(hours=3), tick=False):
        assert jobs.sweep()["escalated"] == 1
    c.refresh_from_db()
    assert c.escalated_to == owner


def test_the_alert_tasks_read_in_the_language_of_whoever_opens_them(
    shop: Shop, front_a: User, manager_a: User
) -> None:
    """The sweep runs in no one's language: its tasks' notes are stored as a message and read
    in Chinese by a Chinese reader, in English by an English one (never both at once)."""
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop)
    with time_machine.travel(_at(hours=4), tick=False):
        jobs.sweep()
    keys = [f"complaint:{c.pk}:esc", f"complaint:{c.pk}:breach", f"complaint:{c.pk}"]
    with translation.override("zh-hans"):
        zh = [Task.objects.get(key=key).note for key in keys]
    with translation.override("en"):
        en = [Task.objects.get(key=key).note for key in keys]
    assert zh[0] == f"投诉 #{c.pk} 已升级：即将超出处理时限"
    assert zh[1] == f"投诉 #{c.pk}：已超出处理时限"
    assert en[0] == f"Complaint #{c.pk} escalated: a target is about to be missed"
    assert en[1] == f"Complaint #{c.pk}: a target was missed"
    assert en[2] == f"Complaint #{c.pk}: first response"
    assert all(not re.search("[A-Za-z]{3,}", note) for note in zh)
    assert all(not re.search("[\u4e00-\u9fff]", note) for note in en)
    # a task saved again keeps its message, not the text it was read as
    task = Task.objects.get(key=keys[0])
    task.save()
    with translation.override("en"):
        assert Task.objects.get(key=keys[0]).note == en[0]
