"""A complaint is never handled, escalated to or approved by the staff member it is about
(issue 16: senior people handle complaints; the siblings of the survey that was routed to the
person it named)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from tests.complaints.helpers import open_complaint
from tests.sales.shop import Shop

from liuke.accounts.models import User
from liuke.complaints import jobs, services
from liuke.core.errors import ServiceError
from liuke.engagement.models import Task

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_a_complaint_taken_down_by_the_staff_member_it_is_about_goes_to_a_senior(
    shop: Shop, beautician_a: User, manager_a: User
) -> None:
    c = open_complaint(beautician_a, shop, staff_id=beautician_a.pk)
    assert c.handler_id == manager_a.pk
    assert Task.objects.get(key=f"complaint:{c.pk}").assignee_id == manager_a.pk


def test_a_severe_complaint_about_the_manager_escalates_to_the_owner(
    shop: Shop, front_a: User, manager_a: User, owner: User
) -> None:
    c = open_complaint(front_a, shop, staff_id=manager_a.pk, severity="critical")
    assert c.escalated_to_id == owner.pk
    assert c.handler_id == owner.pk


def test_the_sweep_does_not_escalate_to_the_manager_the_complaint_is_about(
    shop: Shop, front_a: User, manager_a: User, owner: User
) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop, staff_id=manager_a.pk)
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        assert jobs.sweep()["escalated"] == 1
    c.refresh_from_db()
    assert c.escalated_to_id == owner.pk


def test_the_handler_cannot_be_set_to_the_staff_member_it_is_about(
    shop: Shop, front_a: User, beautician_a: User
) -> None:
    c = open_complaint(front_a, shop, staff_id=beautician_a.pk)
    with pytest.raises(ServiceError) as caught:
        services.complaint_update(actor=front_a, complaint_id=c.pk, handler_id=beautician_a.pk)
    assert caught.value.code == "handler_is_staff"
    c.refresh_from_db()
    assert c.handler_id == front_a.pk
