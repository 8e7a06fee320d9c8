"""A property: whatever sequence of bookings, moves and cancellations is tried (most of them
refused), no staff member ever holds two overlapping active items and no resource is ever
held more often at once than its count."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.appointments.helpers import Salon, at, book, counts, item
from tests.appointments.roster_helpers import colour_make, roster_make

from liuke.accounts.models import User
from liuke.appointments import services, timing
from liuke.appointments.models import Appointment, AppointmentItem
from liuke.core.errors import ServiceError
from liuke.rosters.models import RosterSpan
from liuke.sales.models import Service

SLOT = dt.timedelta(minutes=15)
#: (staff index, resource index: 0 none, 1 beds of 2, 2 the device; start slot, slots long)
books = st.tuples(
    st.just("book"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 24), st.integers(1, 8)
)
#: (item index, new start slot, new staff index or -1 to keep)
moves = st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 24), st.integers(-1, 2))
#: (appointment index)
cancels = st.tuples(st.just("cancel"), st.integers(0, 30))
operations = st.lists(st.one_of(books, moves, cancels), min_size=1, max_size=25)


def _examples(test: Callable[..., None]) -> Callable[..., None]:
    """25 random sequences of operations, each on the database as the fixtures left it."""
    marked: Callable[..., None] = pytest.mark.django_db(
        settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )(given(ops=operations)(test))
    )
    return marked


def _apply(salon: Salon, actor: User, op: tuple[Any, ...]) -> None:
    staff = [salon.lin, salon.wu, salon.owner]
    resources = [None, salon.beds, salon.device]
    base = at(salon.branch, 1, 10)
    if op[0] == "book":
        _kind, who, res, slot, length = op
        start = base + SLOT * slot
        more = {"end_at": start + SLOT * length}
        if resources[res] is not None:
            more["resource_id"] = resources[res].pk
        book(salon, actor, item(salon.facial, staff[who], start, **more))
    elif op[0] == "move":
        _kind, index, slot, who = op
        items = list(AppointmentItem.objects.order_by("pk"))
        if items:
            moving = items[index % len(items)]
            services.appointment_item_move(
                actor=actor,
                item_id=moving.pk,
                start_at=base + SLOT * slot,
                staff_id=None if who < 0 else staff[who].pk,
            )
    else:
        appointments = list(Appointment.objects.order_by("pk"))
        if appointments:
            target = appointments[op[1] % len(appointments)]
            services.appointment_cancel(actor=actor, appointment_id=target.pk, reason="x")


def _check(salon: Salon) -> None:
    active = list(AppointmentItem.objects.filter(active=True))
    for a, b in itertools.combinations(active, 2):
        overlap = a.start_at < b.end_at and b.start_at < a.end_at
        if overlap and a.staff_id == b.staff_id:
            raise AssertionError(f"staff {a.staff_id} double booked: {a.pk} and {b.pk}")
    _check_resources(salon, active)


def _check_resources(salon: Salon, active: list[AppointmentItem]) -> None:
    """No unit of a resource twice at once, never more at once than its count."""
    for a, b in itertools.combinations(active, 2):
        overlap = a.start_at < b.end_at and b.start_at < a.end_at
        if overlap and a.resource_id is not None and a.resource_id == b.resource_id:
            assert a.resource_unit != b.resource_unit, (a.pk, b.pk)
    for resource in (salon.beds, salon.device):
        held = [i for i in active if i.resource_id == resource.pk]
        for moment in {i.start_at for i in held}:
            at_once = [i for i in held if i.start_at <= moment < i.end_at]
            assert len(at_once) <= resource.count, (resource.name, moment)
            assert all(
                0 <= i.resource_unit < resource.count
                for i in at_once
                if i.resource_unit is not None
            )


@_examples
def test_random_bookings_moves_and_cancellations_never_double_book(
    ops: list[tuple[Any, ...]], salon: Salon, manager_a: User
) -> None:
    AppointmentItem.objects.all().delete()
    Appointment.objects.all().delete()
    for op in ops:
        before = counts()
        try:
            _apply(salon, manager_a, op)
        except ServiceError:
            assert counts() == before, op  # a refusal writes nothing
        _check(salon)


def _staff_parts(i: AppointmentItem) -> list[tuple[dt.datetime, dt.datetime]]:
    return timing.staff_parts(i.start_at, i.end_at, i.gap)


def _apply_gaps(salon: Salon, actor: User, colour: Service, op: tuple[Any, ...]) -> None:
    """As `_apply`, booking the colour service (gap and clean-up) at its own length."""
    if op[0] != "book":
        _apply(salon, actor, op)
        return
    _kind, who, res, slot, _length = op
    start = at(salon.branch, 1, 10) + SLOT * slot
    more = {} if res == 0 else {"resource_id": (salon.beds, salon.device)[res - 1].pk}
    book(salon, actor, item(colour, [salon.lin, salon.wu, salon.owner][who], start, **more))


@_examples
def test_with_processing_gaps_no_staff_part_and_no_resource_unit_is_held_twice(
    ops: list[tuple[Any, ...]], salon: Salon, manager_a: User
) -> None:
    AppointmentItem.objects.all().delete()
    Appointment.objects.all().delete()
    colour = Service.objects.filter(name="染发").first() or colour_make(salon.branch)
    if not RosterSpan.objects.exists():
        roster_make(salon.branch, [salon.lin, salon.wu, salon.owner])
    for op in ops:
        before = counts()
        try:
            _apply_gaps(salon, manager_a, colour, op)
        except ServiceError:
            assert counts() == before, op
        active = list(AppointmentItem.objects.filter(active=True))
        clashes = [
            (a.pk, b.pk)
            for a, b in itertools.combinations(active, 2)
            if a.staff_id == b.staff_id
            for p in _staff_parts(a)
            for q in _staff_parts(b)
            if p[0] < q[1] and q[0] < p[1]
        ]
        assert clashes == [], "a staff member's working parts overlap"
        _check_resources(salon, active)
