"""Booking and moving: no double booking of a staff member or of a resource beyond its count,
and every bad input refused with its code and nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.appointments.helpers import Salon, at, book, counts, item

from liuke.accounts.models import User
from liuke.appointments import services
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.errors import SlotTaken
from liuke.appointments.models import AppointmentItem, ServiceResource
from liuke.audit.models import AuditEvent
from liuke.core.errors import CapabilityDenied, NotFound, ServiceError
from liuke.customers.services import customer_anonymise
from liuke.sales.models import StaffSkill

pytestmark = pytest.mark.django_db


def _refused(
    code: str, salon: Salon, actor: User, *items: dict[str, object], **more: object
) -> None:
    before = counts()
    with pytest.raises(ServiceError) as refused:
        book(salon, actor, *items, **more)
    assert refused.value.code == code
    assert counts() == before  # nothing half-written


def test_a_booking_is_stored_in_utc_and_takes_the_services_length(
    salon: Salon, front_a: User
) -> None:
    start = at(salon.branch, 1, 10)
    appointment = book(salon, front_a, item(salon.facial, salon.lin, start))
    stored = appointment.items.get()
    assert stored.start_at == start
    assert stored.start_at.utcoffset() == dt.timedelta(0)
    assert stored.start_at.hour == (start - dt.timedelta(hours=8)).hour  # Shanghai is UTC+8
    assert stored.end_at - stored.start_at == dt.timedelta(minutes=60)
    assert appointment.starts_at == start
    assert appointment.created_by == front_a
    assert AuditEvent.objects.filter(action="create", customer_ids=[salon.customer.pk]).exists()


def test_a_time_without_an_offset_is_read_on_the_branch_clock(salon: Salon, front_a: User) -> None:
    start = at(salon.branch, 1, 11)
    appointment = book(salon, front_a, item(salon.facial, salon.lin, start.replace(tzinfo=None)))
    assert appointment.items.get().start_at == start


def test_a_staff_member_is_never_booked_twice_for_overlapping_time(
    salon: Salon, front_a: User
) -> None:
    book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    before = counts()
    with pytest.raises(SlotTaken) as taken:
        book(salon, front_a, item(salon.massage, salon.lin, at(salon.branch, 1, 10, 30)))
    assert taken.value.code == "slot_taken"
    assert taken.value.status == 409
    assert counts() == before


def test_back_to_back_items_do_not_overlap(salon: Salon, front_a: User) -> None:
    book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 11)))
    assert AppointmentItem.objects.filter(staff=salon.lin).count() == 2


def test_a_staff_member_booked_at_another_branch_is_busy_here_too(
    salon: Salon, owner: User
) -> None:
    salon.zhou.branches.add(salon.branch)
    other = services.appointment_book(
        actor=owner,
        branch_id=salon.other_branch.pk,
        customer_id=salon.customer.pk,
        items=[item(salon.facial, salon.zhou, at(salon.branch, 1, 10))],
    )
    assert other.branch == salon.other_branch
    with pytest.raises(SlotTaken):
        book(salon, owner, item(salon.facial, salon.zhou, at(salon.branch, 1, 10, 15)))


@pytest.mark.parametrize("how", ["cancel", "no_show"])
def test_a_cancelled_or_no_show_appointment_frees_its_time(
    salon: Salon, front_a: User, how: str
) -> None:
    start = at(salon.branch, 1, 10)
    first = book(salon, front_a, item(salon.facial, salon.lin, start, resource_id=salon.device.pk))
    if how == "cancel":
        services.appointment_cancel(actor=front_a, appointment_id=first.pk, reason="改天")
    else:  # a no-show is recorded once the time has begun
        AppointmentItem.objects.filter(appointment=first).update(
            start_at=timezone.now() - dt.timedelta(minutes=5)
        )
        first.starts_at = timezone.now() - dt.timedelta(minutes=5)
        first.save()
        services.appointment_status_set(actor=front_a, appointment_id=first.pk, status="no_show")
        AppointmentItem.objects.filter(appointment=first).update(start_at=start)
    again = book(salon, front_a, item(salon.facial, salon.lin, start, resource_id=salon.device.pk))
    assert again.items.get().resource_unit == 0


def test_a_resource_of_count_two_holds_two_bookings_at_once_and_no_third(
    salon: Salon, front_a: User, owner: User
) -> None:
    start = at(salon.branch, 1, 14)
    one = book(salon, front_a, item(salon.facial, salon.lin, start, resource_id=salon.beds.pk))
    two = book(salon, front_a, item(salon.facial, salon.wu, start, resource_id=salon.beds.pk))
    assert {one.items.get().resource_unit, two.items.get().resource_unit} == {0, 1}
    before = counts()
    with pytest.raises(SlotTaken):
        book(salon, owner, item(salon.facial, owner, start, resource_id=salon.beds.pk))
    assert counts() == before


def test_a_service_that_needs_a_bed_takes_a_free_one_by_itself(
    salon: Salon, front_a: User, owner: User
) -> None:
    ServiceResource.objects.create(service=salon.facial, kind="bed")
    start = at(salon.branch, 1, 15)
    one = book(salon, front_a, item(salon.facial, salon.lin, start))
    assert one.items.get().resource == salon.beds
    book(salon, front_a, item(salon.facial, salon.wu, start))
    with pytest.raises(SlotTaken):
        book(salon, owner, item(salon.facial, owner, start))
    # and a resource of another kind than the service needs is refused
    _refused(
        E.INVALID_RESOURCE,
        salon,
        front_a,
        item(salon.facial, salon.lin, at(salon.branch, 2, 10), resource_id=salon.device.pk),
    )


def test_several_services_in_sequence_and_in_parallel(salon: Salon, front_a: User) -> None:
    start = at(salon.branch, 1, 10)
    appointment = book(
        salon,
        front_a,
        item(salon.facial, salon.lin, start),
        item(salon.massage, salon.wu, start),  # in parallel, another staff member
        item(salon.massage, salon.lin, start + dt.timedelta(hours=1)),  # then in sequence
    )
    assert appointment.items.count() == 3


def test_parallel_items_of_one_staff_member_are_refused_and_nothing_is_written(
    salon: Salon, front_a: User
) -> None:
    start = at(salon.branch, 1, 10)
    before = counts()
    with pytest.raises(SlotTaken):
        book(
            salon,
            front_a,
            item(salon.facial, salon.lin, start),
            item(salon.massage, salon.lin, start),
        )
    assert counts() == before


def test_bad_input_is_refused_with_its_code(salon: Salon, front_a: User) -> None:
    start = at(salon.branch, 1, 10)
    _refused(E.END_BEFORE_START, salon, front_a, item(salon.facial, salon.lin, start, end_at=start))
    _refused(
        E.IN_THE_PAST,
        salon,
        front_a,
        item(salon.facial, salon.lin, timezone.now() - dt.timedelta(hours=1)),
    )
    _refused(E.STAFF_NOT_AT_BRANCH, salon, front_a, item(salon.facial, salon.zhou, start))
    _refused(E.NO_ITEMS, salon, front_a)
    # a service with skills listed: only those staff perform it
    StaffSkill.objects.create(service=salon.facial, staff=salon.wu)
    _refused(E.STAFF_CANNOT_PERFORM, salon, front_a, item(salon.facial, salon.lin, start))
    # the second item's refusal leaves the first unwritten too
    _refused(
        E.STAFF_CANNOT_PERFORM,
        salon,
        front_a,
        item(salon.massage, salon.lin, start),
        item(salon.facial, salon.lin, start + dt.timedelta(hours=1)),
    )


def test_an_erased_customer_cannot_be_booked(salon: Salon, owner: User) -> None:
    customer_anonymise(actor=owner, customer_ids=[salon.customer.pk], reason="顾客要求删除")
    _refused(
        E.CUSTOMER_ERASED, salon, owner, item(salon.facial, salon.lin, at(salon.branch, 1, 10))
    )


def test_another_branchs_desk_and_another_business_cannot_book_here(
    salon: Salon, front_b: User, outsider: User
) -> None:
    for who in (front_b, outsider):
        before = counts()
        with pytest.raises(NotFound):
            book(salon, who, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
        assert counts() == before


def test_outside_the_opening_hours_only_with_a_managers_override(
    salon: Salon, front_a: User, manager_a: User
) -> None:
    late = at(salon.branch, 1, 21, 30)  # the business closes at 22:00
    _refused(E.OUTSIDE_HOURS, salon, front_a, item(salon.facial, salon.lin, late))
    before = counts()
    with pytest.raises(CapabilityDenied):
        book(salon, front_a, item(salon.facial, salon.lin, late), override=True)
    assert counts() == before
    appointment = book(salon, manager_a, item(salon.facial, salon.lin, late), override=True)
    assert appointment.outside_hours
    event = AuditEvent.objects.filter(actor_id=manager_a.pk, action="create").get()
    assert "outside_hours" in event.fields
    assert "override" in event.reason


def test_a_branch_open_past_midnight(salon: Salon, front_a: User) -> None:
    salon.branch.opens_at, salon.branch.closes_at = dt.time(18), dt.time(2)
    salon.branch.save()
    book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 23, 30)))
    _refused(E.OUTSIDE_HOURS, salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 2)))
    _refused(
        E.OUTSIDE_HOURS, salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 12))
    )


# --- moves -------------------------------------------------------------------------------------


def test_a_move_into_a_taken_slot_is_refused_and_changes_nothing(
    salon: Salon, front_a: User
) -> None:
    book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    other = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 14)))
    moving = other.items.get()
    with pytest.raises(SlotTaken):
        services.appointment_item_move(
            actor=front_a, item_id=moving.pk, start_at=at(salon.branch, 1, 10, 30)
        )
    moving.refresh_from_db()
    assert moving.start_at == at(salon.branch, 1, 14)


def test_a_move_resize_and_change_of_staff(salon: Salon, front_a: User) -> None:
    appointment = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    moving = appointment.items.get()
    # onto its own time, shifted by half an hour: it does not clash with itself
    services.appointment_item_move(
        actor=front_a, item_id=moving.pk, start_at=at(salon.branch, 1, 10, 30)
    )
    moving.refresh_from_db()
    assert moving.end_at == at(salon.branch, 1, 11, 30)  # the length stays
    services.appointment_item_move(
        actor=front_a,
        item_id=moving.pk,
        start_at=at(salon.branch, 1, 10, 30),
        end_at=at(salon.branch, 1, 12),
        staff_id=salon.wu.pk,
    )
    moving.refresh_from_db()
    assert (moving.staff, moving.end_at) == (salon.wu, at(salon.branch, 1, 12))
    with pytest.raises(ServiceError) as refused:
        services.appointment_item_move(
            actor=front_a,
            item_id=moving.pk,
            start_at=at(salon.branch, 1, 10),
            staff_id=salon.zhou.pk,
        )
    assert refused.value.code == E.STAFF_NOT_AT_BRANCH
    with pytest.raises(ServiceError) as refused:
        services.appointment_item_move(
            actor=front_a,
            item_id=moving.pk,
            start_at=at(salon.branch, 1, 12),
            end_at=at(salon.branch, 1, 11),
        )
    assert refused.value.code == E.END_BEFORE_START


def test_a_move_takes_another_unit_of_the_resource_when_its_own_is_taken(
    salon: Salon, front_a: User, owner: User
) -> None:
    book(
        salon,
        front_a,
        item(salon.facial, salon.lin, at(salon.branch, 1, 10), resource_id=salon.beds.pk),
    )
    later = book(
        salon,
        front_a,
        item(salon.facial, salon.wu, at(salon.branch, 1, 14), resource_id=salon.beds.pk),
    )
    moving = later.items.get()
    assert moving.resource_unit == 0
    services.appointment_item_move(
        actor=front_a, item_id=moving.pk, start_at=at(salon.branch, 1, 10)
    )
    moving.refresh_from_db()
    assert moving.resource_unit == 1
    third = book(
        salon, owner, item(salon.facial, owner, at(salon.branch, 1, 14), resource_id=salon.beds.pk)
    )
    with pytest.raises(SlotTaken):
        services.appointment_item_move(
            actor=owner, item_id=third.items.get().pk, start_at=at(salon.branch, 1, 10)
        )


def test_other_branches_cannot_move_and_beauticians_cannot_book(
    salon: Salon, front_a: User, front_b: User, beautician_a: User
) -> None:
    appointment = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    with pytest.raises(NotFound):
        services.appointment_item_move(
            actor=front_b, item_id=appointment.items.get().pk, start_at=at(salon.branch, 1, 12)
        )
    with pytest.raises(CapabilityDenied):
        book(salon, beautician_a, item(salon.facial, salon.lin, at(salon.branch, 1, 12)))
