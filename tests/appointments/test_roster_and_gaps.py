"""The booking services go by the roster (working time, breaks, time off; a manager's override
recorded) and by the service's processing gap (the staff member is free in it, the resource is
not) and clean-up buffer (both held)."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.appointments.helpers import Salon, at, book, counts, item
from tests.appointments.roster_helpers import colour_make, roster_make

from liuke.accounts.models import User
from liuke.appointments import selectors, services
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.errors import SlotTaken
from liuke.appointments.models import ServiceResource
from liuke.audit.models import AuditEvent
from liuke.core.errors import CapabilityDenied, ServiceError
from liuke.rosters.choices import ExceptionKind
from liuke.rosters.models import RosterException

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


def _refused(code: str, salon: Salon, actor: User, *items: dict[str, object]) -> None:
    before = counts()
    with pytest.raises(ServiceError) as refused:
        book(salon, actor, *items)
    assert refused.value.code == code
    assert counts() == before


@pytest.fixture
def rostered(salon: Salon) -> Salon:
    roster_make(salon.branch, [salon.lin])
    return salon


def test_a_staff_member_is_booked_only_in_their_working_time(
    rostered: Salon, front_a: User
) -> None:
    salon = rostered
    book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    _refused(
        E.OUTSIDE_ROSTER, salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 18))
    )
    # into the lunch break, and across it
    _refused(
        E.OUTSIDE_ROSTER, salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 12))
    )
    _refused(
        E.OUTSIDE_ROSTER, salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 11, 30))
    )
    # wu keeps no roster at a branch that keeps one: not working
    _refused(
        E.OUTSIDE_ROSTER, salon, front_a, item(salon.facial, salon.wu, at(salon.branch, 1, 10))
    )


def test_time_off_is_not_working_time(rostered: Salon, front_a: User) -> None:
    salon = rostered
    day = at(salon.branch, 2, 10)
    RosterException.objects.create(
        staff=salon.lin, branch=None, day=day.date(), kind=ExceptionKind.TIME_OFF
    )
    _refused(E.OUTSIDE_ROSTER, salon, front_a, item(salon.facial, salon.lin, day))
    mine = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10))).items.get()
    with pytest.raises(ServiceError) as refused:
        services.appointment_item_move(actor=front_a, item_id=mine.pk, start_at=day)
    assert refused.value.code == E.OUTSIDE_ROSTER


def test_outside_the_roster_only_with_a_managers_override_which_is_audited(
    rostered: Salon, front_a: User, manager_a: User
) -> None:
    salon = rostered
    evening = at(salon.branch, 1, 19)  # open until 22:00, lin works until 18:00
    before = counts()
    with pytest.raises(CapabilityDenied):
        book(salon, front_a, item(salon.facial, salon.lin, evening), override=True)
    assert counts() == before
    appointment = book(salon, manager_a, item(salon.facial, salon.lin, evening), override=True)
    assert not appointment.outside_hours
    event = AuditEvent.objects.filter(actor_id=manager_a.pk, action="create").get()
    assert "outside_roster" in event.fields
    assert "working time" in event.reason
    assert "override" in event.reason


def test_a_branch_without_a_roster_goes_by_the_opening_hours_alone(
    salon: Salon, front_a: User
) -> None:
    book(salon, front_a, item(salon.facial, salon.wu, at(salon.branch, 1, 20)))


def test_a_service_holds_its_gap_and_clean_up(salon: Salon, front_a: User) -> None:
    colour = colour_make(salon.branch)  # 30 work + 30 gap + 15 clean-up
    start = at(salon.branch, 1, 10)
    stored = book(salon, front_a, item(colour, salon.lin, start)).items.get()
    assert stored.end_at - stored.start_at == 75 * MIN
    assert (stored.gap_start_at, stored.gap_end_at) == (start + 30 * MIN, start + 60 * MIN)
    busy = selectors.busy_intervals(
        branch_id=salon.branch.pk, staff_ids=[salon.lin.pk], start=start, end=start + 90 * MIN
    )
    assert busy[salon.lin.pk] == [(start, start + 30 * MIN), (start + 60 * MIN, start + 75 * MIN)]


def test_the_staff_member_is_free_in_the_gap_but_not_in_the_clean_up(
    salon: Salon, front_a: User
) -> None:
    colour = colour_make(salon.branch)
    start = at(salon.branch, 1, 10)
    book(salon, front_a, item(colour, salon.lin, start))
    # 30 minutes of another service fit exactly into the developing time
    quick = item(salon.facial, salon.lin, start + 30 * MIN, end_at=start + 60 * MIN)
    book(salon, front_a, quick)
    # the clean-up (10:60–11:15) holds lin
    with pytest.raises(SlotTaken):
        book(salon, front_a, item(salon.massage, salon.lin, start + 70 * MIN))
    book(salon, front_a, item(salon.massage, salon.lin, start + 75 * MIN))


def test_the_resource_is_held_through_the_gap_and_the_clean_up(salon: Salon, front_a: User) -> None:
    colour = colour_make(salon.branch)
    ServiceResource.objects.create(service=colour, kind="device")
    start = at(salon.branch, 1, 10)
    book(salon, front_a, item(colour, salon.lin, start))
    for minute in (40, 70):  # in the gap, in the clean-up: wu is free, the device is not
        with pytest.raises(SlotTaken):
            book(salon, front_a, item(colour, salon.wu, start + minute * MIN))
    book(salon, front_a, item(colour, salon.wu, start + 75 * MIN))


def test_resizing_keeps_the_gap_and_clean_up_at_the_end(salon: Salon, front_a: User) -> None:
    colour = colour_make(salon.branch)
    start = at(salon.branch, 1, 10)
    mine = book(salon, front_a, item(colour, salon.lin, start)).items.get()
    moved = services.appointment_item_move(
        actor=front_a, item_id=mine.pk, start_at=start, end_at=start + 90 * MIN
    )
    assert (moved.gap_start_at, moved.gap_end_at) == (start + 45 * MIN, start + 75 * MIN)
    with pytest.raises(ServiceError) as refused:
        services.appointment_item_move(
            actor=front_a, item_id=mine.pk, start_at=start, end_at=start + 45 * MIN
        )
    assert refused.value.code == E.TOO_SHORT


def test_a_booking_into_the_gap_is_checked_against_the_roster_as_a_whole(
    rostered: Salon, front_a: User
) -> None:
    salon = rostered
    colour = colour_make(salon.branch)
    # 11:00 + 75 minutes runs into the lunch break at 12:00 (the clean-up is work)
    _refused(E.OUTSIDE_ROSTER, salon, front_a, item(colour, salon.lin, at(salon.branch, 1, 11)))
    book(salon, front_a, item(colour, salon.lin, at(salon.branch, 1, 10, 45)))
