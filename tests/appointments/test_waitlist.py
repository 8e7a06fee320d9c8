"""The waitlist: added (idempotently over the API), offered a freed time in order through the
outbox, accepted through the booking service, declined to the next in line."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.appointments.helpers import Salon, at, book, item
from tests.factories import customer_make

from liuke.accounts.models import User
from liuke.appointments import services
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.models import WaitlistEntry
from liuke.appointments.services import waitlist
from liuke.core.errors import ServiceError
from liuke.customers.models import Customer
from liuke.engagement.models import Message

pytestmark = pytest.mark.django_db


def _wait(salon: Salon, actor: User, customer: Customer, **more: Any) -> WaitlistEntry:
    day = at(salon.branch, 2, 10).date()
    fields: dict[str, Any] = {
        "branch_id": salon.branch.pk,
        "customer_id": customer.pk,
        "service_id": salon.facial.pk,
        "first_day": day,
        "last_day": day,
        "earliest": dt.time(9),
        "latest": dt.time(13),
        **more,
    }
    return waitlist.waitlist_add(actor=actor, **fields)


def test_a_cancellation_offers_the_time_to_the_first_in_line(salon: Salon, front_a: User) -> None:
    taken = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 2, 10)))
    second = customer_make(actor=front_a, branch=salon.branch, name="王二")
    third = customer_make(actor=front_a, branch=salon.branch, name="张三")
    first = _wait(salon, front_a, second, staff_id=salon.lin.pk)
    later = _wait(salon, front_a, third)
    services.appointment_cancel(actor=front_a, appointment_id=taken.pk, reason="改期")
    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.status, first.offer_staff_id, first.offer_start) == (
        "offered",
        salon.lin.pk,
        at(salon.branch, 2, 10),
    )
    assert later.status == "waiting"
    [message] = Message.objects.filter(customer=second, kind="waitlist_offer")
    assert message.status == "queued"
    assert salon.facial.name in message.detail


def test_nothing_is_offered_outside_the_window_or_for_another_staff_member(
    salon: Salon, front_a: User
) -> None:
    taken = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 2, 14)))
    other = customer_make(actor=front_a, branch=salon.branch, name="王二")
    morning = _wait(salon, front_a, other)  # 9:00–13:00 only
    wu_only = _wait(salon, front_a, other, staff_id=salon.wu.pk, latest=dt.time(18))
    services.appointment_cancel(actor=front_a, appointment_id=taken.pk, reason="改期")
    assert {e.status for e in WaitlistEntry.objects.filter(pk__in=[morning.pk, wu_only.pk])} == {
        "waiting"
    }
    assert not Message.objects.filter(kind="waitlist_offer").exists()


def test_accepting_books_it_and_declining_passes_it_on(salon: Salon, front_a: User) -> None:
    taken = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 2, 10)))
    second = customer_make(actor=front_a, branch=salon.branch, name="王二")
    third = customer_make(actor=front_a, branch=salon.branch, name="张三")
    first = _wait(salon, front_a, second)
    later = _wait(salon, front_a, third)
    services.appointment_cancel(actor=front_a, appointment_id=taken.pk, reason="改期")
    waitlist.waitlist_decline(actor=front_a, entry_id=first.pk)
    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.status, later.status) == ("waiting", "offered")
    appointment = waitlist.waitlist_accept(actor=front_a, entry_id=later.pk)
    later.refresh_from_db()
    assert (later.status, later.appointment_id) == ("booked", appointment.pk)
    assert appointment.customer_id == third.pk
    assert appointment.items.get().start_at == at(salon.branch, 2, 10)


def test_accepting_a_time_someone_took_meanwhile_is_slot_taken(salon: Salon, front_a: User) -> None:
    taken = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 2, 10)))
    other = customer_make(actor=front_a, branch=salon.branch, name="王二")
    entry = _wait(salon, front_a, other, staff_id=salon.lin.pk)
    services.appointment_cancel(actor=front_a, appointment_id=taken.pk, reason="改期")
    book(salon, front_a, item(salon.massage, salon.lin, at(salon.branch, 2, 10)))
    with pytest.raises(ServiceError) as error:
        waitlist.waitlist_accept(actor=front_a, entry_id=entry.pk)
    assert error.value.code == E.SLOT_TAKEN
    entry.refresh_from_db()
    assert entry.status == "offered"


def test_a_move_frees_the_old_time(salon: Salon, front_a: User) -> None:
    taken = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 2, 10)))
    other = customer_make(actor=front_a, branch=salon.branch, name="王二")
    entry = _wait(salon, front_a, other, staff_id=salon.lin.pk)
    services.appointment_item_move(
        actor=front_a, item_id=taken.items.get().pk, start_at=at(salon.branch, 2, 15)
    )
    entry.refresh_from_db()
    assert (entry.status, entry.offer_start) == ("offered", at(salon.branch, 2, 10))


def test_a_bad_window_is_refused(salon: Salon, front_a: User) -> None:
    with pytest.raises(ServiceError) as error:
        _wait(salon, front_a, salon.customer, earliest=dt.time(13), latest=dt.time(9))
    assert error.value.code == E.INVALID_WINDOW
    assert not WaitlistEntry.objects.exists()


def test_the_api_adds_once_per_key_and_the_page_lists_offers(
    salon: Salon, front_a: User, front_a_client: Client
) -> None:
    day = at(salon.branch, 2, 10).date().isoformat()
    body = {
        "branch_id": salon.branch.pk,
        "customer_id": salon.customer.pk,
        "service_id": salon.facial.pk,
        "first_day": day,
        "last_day": day,
        "earliest": "09:00",
        "latest": "13:00",
    }
    answers = [
        front_a_client.post(
            "/api/v1/appointments/waitlist",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "waitlist-key-1"},
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert WaitlistEntry.objects.count() == 1
    listed = front_a_client.get("/api/v1/appointments/waitlist", {"branch_id": salon.branch.pk})
    assert [e["customer_id"] for e in listed.json()] == [salon.customer.pk]
    page = front_a_client.get(reverse("appointments:waitlist"))
    assert salon.customer.name in page.content.decode()
    closed = front_a_client.post(
        reverse("appointments:waitlist_act", args=[answers[0].json()["id"]]), {"do": "close"}
    )
    assert closed.status_code == 302
    assert WaitlistEntry.objects.get().status == "closed"


def test_the_day_view_links_the_waitlist_for_the_front_desk_only(
    salon: Salon, front_a_client: Client, beautician_a_client: Client
) -> None:
    assert 'id="waitlist-link"' in front_a_client.get(reverse("appointments:day")).content.decode()
    page = beautician_a_client.get(reverse("appointments:day")).content.decode()
    assert 'id="waitlist-link"' not in page
