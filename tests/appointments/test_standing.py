"""The no-show and late-cancellation policy: the business's rules, a customer's standing on the
profile and at booking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.appointments.helpers import Salon, at, book, item

from liuke.accounts.models import User
from liuke.appointments import services
from liuke.appointments.models import Appointment, AppointmentItem
from liuke.appointments.services.settings import booking_settings_update
from liuke.appointments.standing import customer_standing
from liuke.core.errors import CapabilityDenied

pytestmark = pytest.mark.django_db


def _no_show(salon: Salon, actor: User, hour: int) -> None:
    a = book(salon, actor, item(salon.facial, salon.lin, at(salon.branch, 1, hour)))
    past = timezone.now() - dt.timedelta(hours=30 - hour)
    AppointmentItem.objects.filter(appointment=a).update(
        start_at=past, end_at=past + dt.timedelta(hours=1)
    )
    Appointment.objects.filter(pk=a.pk).update(starts_at=past)
    services.appointment_status_set(actor=actor, appointment_id=a.pk, status="no_show")


def _late_cancel(salon: Salon, actor: User) -> None:
    # tomorrow at 15:00 is inside the notice window of 72 hours
    a = book(salon, actor, item(salon.facial, salon.lin, at(salon.branch, 1, 15)))
    services.appointment_cancel(actor=actor, appointment_id=a.pk, reason="有事")


def test_the_policy_applies_from_the_limit_counting_late_cancellations(
    salon: Salon, owner: User, front_a: User
) -> None:
    booking_settings_update(
        actor=owner,
        data={
            "cancel_notice_hours": 72,
            "missed_limit": 2,
            "missed_note": "先收定金",
            "missed_deposit": True,
        },
    )
    _no_show(salon, front_a, 10)
    first = customer_standing(actor=front_a, customer_id=salon.customer.pk)
    assert (first.no_shows, first.applies, first.note, first.deposit_required) == (
        1,
        False,
        "",
        False,
    )
    _late_cancel(salon, front_a)
    second = customer_standing(actor=front_a, customer_id=salon.customer.pk)
    assert (second.no_shows, second.late_cancellations) == (1, 1)
    assert (second.applies, second.note, second.deposit_required) == (True, "先收定金", True)


def test_no_policy_at_a_limit_of_zero(salon: Salon, owner: User, front_a: User) -> None:
    booking_settings_update(actor=owner, data={"missed_limit": 0, "missed_deposit": True})
    _no_show(salon, front_a, 10)
    _no_show(salon, front_a, 12)
    found = customer_standing(actor=front_a, customer_id=salon.customer.pk)
    assert found.no_shows == 2
    assert not found.applies
    assert not found.deposit_required


def test_only_owners_and_managers_change_the_rules(front_a: User) -> None:
    with pytest.raises(CapabilityDenied):
        booking_settings_update(actor=front_a, data={"missed_limit": 1})


def test_the_profile_and_the_api_show_the_standing(
    salon: Salon, owner: User, front_a: User, front_a_client: Client, owner_client: Client
) -> None:
    put = owner_client.put(
        "/api/v1/appointments/settings",
        {"missed_limit": 1, "missed_note": "请先电话确认", "missed_deposit": True},
        content_type="application/json",
    )
    assert put.status_code == 200, put.content
    profile = front_a_client.get(reverse("customers:detail", args=[salon.customer.pk]))
    assert "attendance-policy" not in profile.content.decode()  # nothing missed yet
    _no_show(salon, front_a, 10)
    profile = front_a_client.get(reverse("customers:detail", args=[salon.customer.pk]))
    html = profile.content.decode()
    assert "attendance-policy" in html
    assert "请先电话确认" in html
    answer = front_a_client.get(f"/api/v1/appointments/customers/{salon.customer.pk}/standing")
    assert answer.json() == {
        "customer_id": salon.customer.pk,
        "no_shows": 1,
        "late_cancellations": 0,
        "missed_limit": 1,
        "policy_applies": True,
        "policy_note": "请先电话确认",
        "deposit_required": True,
    }
