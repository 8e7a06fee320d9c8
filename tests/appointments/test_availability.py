"""Availability: the free starts of a service at a branch for one staff member or any, from
the roster, the bookings (at any branch), the resource the service needs; and its API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from tests.appointments.helpers import Salon, at, book, item

from liuke.accounts.models import User
from liuke.appointments import services
from liuke.appointments.availability import availability, full_intervals
from liuke.rosters import services as rosters

pytestmark = pytest.mark.django_db
T = dt.time
UTC = dt.UTC


def rostered(salon: Salon, *staff: User, start: int = 10, end: int = 12) -> None:
    """Everyone given works start:00-end:00 every day at the salon's branch."""
    for person in staff:
        for weekday in range(7):
            rosters.roster_day_set(
                actor=salon.owner, staff_id=person.pk, branch_id=salon.branch.pk,
                weekday=weekday, work=[(T(start), T(end))],
            )  # fmt: skip


def quarters(first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    out = []
    while first <= last:
        out.append(first.astimezone(UTC))
        first += dt.timedelta(minutes=15)
    return out


def tomorrow(salon: Salon, **more: Any) -> Any:
    day_start = at(salon.branch, 1, 0)
    return availability(
        branch=salon.branch, service=salon.facial, start=day_start,
        end=day_start + dt.timedelta(days=1), **more,
    )  # fmt: skip


def test_roster_and_bookings_decide_each_staff_member_and_any(salon: Salon) -> None:
    rostered(salon, salon.lin, salon.wu)
    book(salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    found = tomorrow(salon)
    # a 60-minute facial must end by 12:00; Lin is booked 10:00-11:00
    assert found.by_staff[salon.lin.pk] == [at(salon.branch, 1, 11).astimezone(UTC)]
    assert found.by_staff[salon.wu.pk] == quarters(at(salon.branch, 1, 10), at(salon.branch, 1, 11))
    assert found.by_staff[salon.owner.pk] == []  # performs facials, but not rostered
    assert found.any_staff == found.by_staff[salon.wu.pk]
    assert found.staff_free_at(at(salon.branch, 1, 10).astimezone(UTC)) == [salon.wu.pk]
    only_lin = tomorrow(salon, staff_id=salon.lin.pk)
    assert list(only_lin.by_staff) == [salon.lin.pk]
    assert only_lin.any_staff == [at(salon.branch, 1, 11).astimezone(UTC)]


def test_a_booking_at_another_branch_keeps_the_staff_member_busy(salon: Salon) -> None:
    rostered(salon, salon.owner)
    services.appointment_book(
        actor=salon.owner, branch_id=salon.other_branch.pk, customer_id=salon.customer.pk,
        items=[item(salon.massage, salon.owner, at(salon.branch, 1, 10))],
    )  # fmt: skip
    found = tomorrow(salon, staff_id=salon.owner.pk)
    assert found.any_staff[0] == at(salon.branch, 1, 10, 45).astimezone(UTC)


def test_the_resource_the_service_needs_must_have_a_free_unit(salon: Salon) -> None:
    rostered(salon, salon.lin, salon.wu)
    services.service_resource_set(actor=salon.owner, service_id=salon.facial.pk, kind="device")
    # the one device is held 10:00-11:00 by Wu's facial
    book(salon, salon.owner, item(salon.facial, salon.wu, at(salon.branch, 1, 10)))
    found = tomorrow(salon)
    assert found.by_staff[salon.lin.pk] == [at(salon.branch, 1, 11).astimezone(UTC)]
    assert found.any_staff == [at(salon.branch, 1, 11).astimezone(UTC)]


def test_a_service_whose_resource_the_branch_lacks_has_no_free_time(salon: Salon) -> None:
    rostered(salon, salon.lin)
    services.service_resource_set(actor=salon.owner, service_id=salon.facial.pk, kind="room")
    assert tomorrow(salon).any_staff == []


def test_never_a_start_that_has_begun(salon: Salon) -> None:
    rostered(salon, salon.lin, start=9, end=22)
    now = dt.datetime.now(UTC)
    found = availability(
        branch=salon.branch, service=salon.facial, start=now - dt.timedelta(days=1),
        end=now + dt.timedelta(days=2),
    )  # fmt: skip
    assert found.any_staff
    assert min(found.any_staff) >= now


def test_full_intervals_are_where_every_unit_is_held() -> None:
    h = [dt.datetime(2030, 1, 1, n, tzinfo=UTC) for n in range(24)]
    held = [(h[1], h[4], 0), (h[2], h[3], 1), (h[3], h[6], 1), (h[5], h[7], 0)]
    assert full_intervals(held, 2) == [(h[2], h[4]), (h[5], h[6])]
    assert full_intervals(held, 1) == [(h[1], h[7])]
    assert full_intervals([], 1) == []


def test_the_api_answers_on_the_branch_clock(salon: Salon, front_a_client: Client) -> None:
    rostered(salon, salon.lin)
    day = at(salon.branch, 1, 0).date()
    url = "/api/v1/appointments/availability"
    query: dict[str, Any] = {
        "branch_id": salon.branch.pk, "service_id": salon.facial.pk, "day": str(day),
    }  # fmt: skip
    got = front_a_client.get(url, {**query, "days": 1, "staff_id": salon.lin.pk})
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["starts"][0] == at(salon.branch, 1, 10).isoformat()
    assert len(body["starts"]) == 5
    assert {p["staff_id"] for p in body["performers"]} == {salon.lin.pk}
    anyone = front_a_client.get(url, {**query, "days": 2}).json()
    assert len(anyone["starts"]) == 10
    assert len(anyone["performers"]) == 3  # the owner, Lin and Wu perform facials


def test_the_api_refuses_another_branch_and_strangers(
    salon: Salon, front_b_client: Client, outsider_client: Client, client: Client
) -> None:
    query = {"branch_id": salon.branch.pk, "service_id": salon.facial.pk}
    url = "/api/v1/appointments/availability"
    assert front_b_client.get(url, query).status_code == 404
    assert outsider_client.get(url, query).status_code == 404
    assert client.get(url, query).status_code == 401
