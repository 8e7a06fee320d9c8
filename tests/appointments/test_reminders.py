"""Booking confirmations and reminders through the outbox (service notices, consent rules),
the reminder's confirmation link, and the confirmation by reply."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from tests.appointments.helpers import Salon, at, book, item

from liuke.appointments.choices import AppointmentStatus
from liuke.appointments.models import Appointment, BookingSettings
from liuke.appointments.public import links
from liuke.appointments.services.reminders import appointment_confirm_by_reply, notices_queue
from liuke.customers.services import customer_update
from liuke.engagement import dispatch
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.models import Message

pytestmark = pytest.mark.django_db


def test_confirmation_then_reminder_with_a_link_once_each(salon: Salon) -> None:
    appointment = book(salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 2, 10)))
    assert notices_queue() == {"confirmations": 1, "reminders": 0}  # 2 days away: not yet
    later = appointment.starts_at - dt.timedelta(hours=20)
    assert notices_queue(now=later) == {"confirmations": 0, "reminders": 1}
    assert notices_queue(now=later) == {"confirmations": 0, "reminders": 0}
    reminder = Message.objects.get(kind=MessageKind.APPOINTMENT_REMINDER)
    assert not reminder.is_marketing
    assert reminder.detail.endswith("|10:00")
    dispatch.dispatch()
    reminder.refresh_from_db()
    confirmation = Message.objects.get(kind=MessageKind.APPOINTMENT_BOOKED)
    assert reminder.status == MessageStatus.READY
    assert "10:00" in confirmation.body
    assert "10:00" in reminder.body
    assert "/book/c/" in reminder.body


def test_no_notices_for_a_customer_who_turned_them_off(salon: Salon) -> None:
    customer_update(
        actor=salon.owner, customer_id=salon.customer.pk, data={"service_notices": False}
    )
    appointment = book(salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    assert notices_queue(now=appointment.starts_at - dt.timedelta(hours=2)) == {
        "confirmations": 0, "reminders": 0,
    }  # fmt: skip


def test_the_reminder_link_confirms_the_appointment(salon: Salon, client: Client) -> None:
    appointment = book(salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    notices_queue(now=appointment.starts_at - dt.timedelta(hours=3))
    token = Message.objects.get(kind=MessageKind.APPOINTMENT_REMINDER).detail.split("|")[0]
    url = links.confirm_url(token).split("://", 1)[1].split("/", 1)[1]
    answer = client.get("/" + url)
    assert answer.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    assert client.get("/" + url).status_code == 200  # opening it again says so again
    assert client.get("/book/c/" + "x" * 20 + "/").status_code == 404


def test_a_yes_reply_confirms_the_next_reminded_booking(salon: Salon) -> None:
    customer_update(
        actor=salon.owner, customer_id=salon.customer.pk, data={"mobile": "13912345678"}
    )
    appointment = book(salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    business = salon.branch.business_id
    # nothing reminded yet: a stray "1" confirms nothing
    assert (
        appointment_confirm_by_reply(business_id=business, mobile="13912345678", reply="1") is None
    )
    notices_queue(now=appointment.starts_at - dt.timedelta(hours=3))
    assert (
        appointment_confirm_by_reply(business_id=business, mobile="13912345678", reply="不") is None
    )
    assert appointment_confirm_by_reply(business_id=business, mobile="bad", reply="1") is None
    done = appointment_confirm_by_reply(business_id=business, mobile="139 1234 5678", reply="确认")
    assert done is not None
    assert done.status == AppointmentStatus.CONFIRMED


def test_an_online_booking_the_desk_must_confirm_waits(salon: Salon) -> None:
    BookingSettings.objects.create(
        business_id=salon.branch.business_id, online_needs_confirmation=True
    )
    appointment = book(
        salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 1, 10)), source="online"
    )
    before = appointment.starts_at - dt.timedelta(hours=3)
    assert notices_queue(now=before) == {"confirmations": 0, "reminders": 0}
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CONFIRMED)
    assert notices_queue(now=before) == {"confirmations": 1, "reminders": 1}
