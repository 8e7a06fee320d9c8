"""Statuses, cancellations (late ones counted), and reading the book through the policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.appointments.helpers import Salon, at, book, item

from liuke.accounts.models import User
from liuke.appointments import selectors, services, timing
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.models import Appointment, AppointmentItem, BookingSettings
from liuke.audit.models import AuditEvent
from liuke.core.errors import CapabilityDenied, NotFound, ServiceError

pytestmark = pytest.mark.django_db


def _began(appointment: Appointment) -> None:
    """Let the appointment's time have begun (a test cannot book in the past)."""
    past = timezone.now() - dt.timedelta(minutes=5)
    AppointmentItem.objects.filter(appointment=appointment).update(
        start_at=past, end_at=past + dt.timedelta(hours=1)
    )
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=past)


def test_the_allowed_path_of_statuses(salon: Salon, front_a: User) -> None:
    a = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    for status in ("confirmed", "arrived", "in_service", "completed"):
        a = services.appointment_status_set(actor=front_a, appointment_id=a.pk, status=status)
        assert a.status == status
    assert a.items.get().active  # a completed appointment still held its time


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ((), "completed"),
        ((), "in_service"),
        (("confirmed", "arrived"), "confirmed"),
        (("arrived", "in_service", "completed"), "arrived"),
        ((), "booked"),
        ((), "cancelled"),  # cancelling has its own service (who, when, why)
    ],
)
def test_other_steps_are_refused(
    salon: Salon, front_a: User, path: tuple[str, ...], refused: str
) -> None:
    a = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    for status in path:
        services.appointment_status_set(actor=front_a, appointment_id=a.pk, status=status)
    with pytest.raises(ServiceError) as error:
        services.appointment_status_set(actor=front_a, appointment_id=a.pk, status=refused)
    assert error.value.code == E.INVALID_TRANSITION


def test_a_no_show_only_once_the_time_has_begun(salon: Salon, front_a: User) -> None:
    a = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    with pytest.raises(ServiceError) as error:
        services.appointment_status_set(actor=front_a, appointment_id=a.pk, status="no_show")
    assert error.value.code == E.NOT_STARTED
    _began(a)
    services.appointment_status_set(actor=front_a, appointment_id=a.pk, status="no_show")
    assert not a.items.get().active


def test_a_cancellation_records_who_when_why_and_whether_it_was_late(
    salon: Salon, front_a: User, owner: User
) -> None:
    BookingSettings.objects.create(business=salon.branch.business, cancel_notice_hours=48)
    soon = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    later = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 5, 10)))
    by_salon = book(salon, front_a, item(salon.facial, salon.wu, at(salon.branch, 1, 10)))
    soon = services.appointment_cancel(actor=front_a, appointment_id=soon.pk, reason="感冒")
    later = services.appointment_cancel(actor=front_a, appointment_id=later.pk, reason="出差")
    by_salon = services.appointment_cancel(
        actor=front_a, appointment_id=by_salon.pk, reason="美容师病假", by_customer=False
    )
    assert (soon.status, soon.cancelled_by, soon.cancel_reason) == ("cancelled", front_a, "感冒")
    assert soon.cancelled_at is not None
    assert (soon.late_cancellation, later.late_cancellation, by_salon.late_cancellation) == (
        True,
        False,
        False,
    )
    with pytest.raises(ServiceError) as error:
        services.appointment_cancel(actor=front_a, appointment_id=soon.pk, reason="再取消")
    assert error.value.code == E.NOT_OPEN
    # and the counts per customer
    gone = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 2, 10)))
    _began(gone)
    services.appointment_status_set(actor=front_a, appointment_id=gone.pk, status="no_show")
    history = selectors.customer_appointments(actor=owner, customer_id=salon.customer.pk)
    assert (history.attendance.no_shows, history.attendance.late_cancellations) == (1, 1)
    assert len(history.appointments) == 4


def test_a_moved_or_cancelled_appointment_after_it_began_is_refused(
    salon: Salon, front_a: User
) -> None:
    a = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    services.appointment_status_set(actor=front_a, appointment_id=a.pk, status="arrived")
    with pytest.raises(ServiceError) as error:
        services.appointment_item_move(
            actor=front_a, item_id=a.items.get().pk, start_at=at(salon.branch, 1, 12)
        )
    assert error.value.code == E.NOT_OPEN


# --- reads ---------------------------------------------------------------------------------------


def test_a_beautician_sees_only_their_own_column(
    salon: Salon, front_a: User, beautician_a: User
) -> None:
    mine = book(salon, front_a, item(salon.facial, beautician_a, at(salon.branch, 1, 10)))
    book(salon, front_a, item(salon.facial, salon.wu, at(salon.branch, 1, 10)))
    day = at(salon.branch, 1, 0).date()
    everyone = selectors.day_book(actor=front_a, branch_id=salon.branch.pk, day=day)
    own = selectors.day_book(actor=beautician_a, branch_id=salon.branch.pk, day=day)
    assert len(everyone.items) == 2
    assert [i.appointment_id for i in own.items] == [mine.pk]
    assert selectors.customer_name(beautician_a, own.items[0].appointment.customer) == "林小雨"
    with pytest.raises(NotFound):
        selectors.appointment_get(
            actor=beautician_a,
            appointment_id=everyone.items[1].appointment_id
            if everyone.items[0].appointment_id == mine.pk
            else everyone.items[0].appointment_id,
        )


def test_other_branches_books_are_not_visible(
    salon: Salon, front_a: User, front_b: User, outsider: User
) -> None:
    a = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    day = at(salon.branch, 1, 0).date()
    for who in (front_b, outsider):
        with pytest.raises(NotFound):
            selectors.day_book(actor=who, branch_id=salon.branch.pk, day=day)
        with pytest.raises(NotFound):
            selectors.appointment_get(actor=who, appointment_id=a.pk)
        with pytest.raises(NotFound):
            selectors.customer_appointments(actor=who, customer_id=salon.customer.pk)


def test_every_read_of_a_customers_appointments_is_audited(
    salon: Salon, front_a: User, manager_a: User
) -> None:
    a = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    reads = AuditEvent.objects.filter(actor_id=manager_a.pk)
    selectors.customer_appointments(actor=manager_a, customer_id=salon.customer.pk)
    assert reads.filter(action="history", fields=["appointments"]).count() == 1
    selectors.appointment_get(actor=manager_a, appointment_id=a.pk)
    assert reads.filter(action="view", customer_ids=[salon.customer.pk]).count() == 1
    selectors.day_book(
        actor=manager_a, branch_id=salon.branch.pk, day=at(salon.branch, 1, 0).date()
    )
    assert reads.filter(action="list", fields=["appointments_day"]).count() == 1


def test_the_book_is_read_on_the_branchs_clock_on_a_day_the_clocks_change(
    salon: Salon, front_a: User
) -> None:
    salon.branch.time_zone = "Europe/London"
    salon.branch.save()
    spring = dt.date(2030, 3, 31)  # the last Sunday of March: 01:00 → 02:00
    start, end = timing.day_window(salon.branch, spring)
    assert end - start == dt.timedelta(hours=23)
    autumn = dt.date(2030, 10, 27)
    start, end = timing.day_window(salon.branch, autumn)
    assert end - start == dt.timedelta(hours=25)
    # 10:00 in London on the spring day is 09:00 UTC (summer time), on the day before 10:00 UTC
    before = dt.datetime(2030, 3, 30, 10)
    after = dt.datetime(2030, 3, 31, 10)
    a = services.appointment_book(
        actor=front_a,
        branch_id=salon.branch.pk,
        customer_id=salon.customer.pk,
        items=[item(salon.facial, salon.lin, before), item(salon.massage, salon.lin, after)],
    )
    hours = sorted(i.start_at.astimezone(dt.UTC).hour for i in a.items.all())
    assert hours == [9, 10]
    on_the_day = selectors.day_book(actor=front_a, branch_id=salon.branch.pk, day=spring)
    assert [i.service for i in on_the_day.items] == [salon.massage]
    # the opening hours are kept on the wall clock: 21:30 to 22:30 local is refused either day
    with pytest.raises(ServiceError) as error:
        book(salon, front_a, item(salon.facial, salon.wu, dt.datetime(2030, 10, 27, 21, 30)))
    assert error.value.code == E.OUTSIDE_HOURS


def test_resources_are_kept_by_managers_only(salon: Salon, front_a: User, manager_a: User) -> None:
    with pytest.raises(CapabilityDenied):
        services.resource_create(actor=front_a, branch_id=salon.branch.pk, name="房间", kind="room")
    room = services.resource_create(
        actor=manager_a, branch_id=salon.branch.pk, name="房间", kind="room"
    )
    with pytest.raises(ServiceError) as error:
        services.resource_create(
            actor=manager_a, branch_id=salon.branch.pk, name="房间", kind="room"
        )
    assert error.value.code == E.DUPLICATE_NAME
    book(
        salon,
        front_a,
        item(salon.facial, salon.lin, at(salon.branch, 1, 10), resource_id=salon.beds.pk),
    )
    book(
        salon,
        front_a,
        item(salon.facial, salon.wu, at(salon.branch, 1, 10), resource_id=salon.beds.pk),
    )
    with pytest.raises(ServiceError) as error:  # two beds are booked at once ahead
        services.resource_update(actor=manager_a, resource_id=salon.beds.pk, data={"count": 1})
    assert error.value.code == E.COUNT_IN_USE
    services.resource_update(actor=manager_a, resource_id=room.pk, data={"count": 3})
    room.refresh_from_db()
    assert room.count == 3


def test_busy_intervals_for_the_free_slot_search(salon: Salon, front_a: User) -> None:
    book(
        salon,
        front_a,
        item(salon.facial, salon.lin, at(salon.branch, 1, 10), resource_id=salon.beds.pk),
    )
    gone = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 14)))
    services.appointment_cancel(actor=front_a, appointment_id=gone.pk, reason="x")
    window = (at(salon.branch, 1, 0), at(salon.branch, 2, 0))
    busy = selectors.busy_intervals(
        branch_id=salon.branch.pk,
        staff_ids=[salon.lin.pk, salon.wu.pk],
        start=window[0],
        end=window[1],
    )
    assert busy == {
        salon.lin.pk: [(at(salon.branch, 1, 10), at(salon.branch, 1, 11))],
        salon.wu.pk: [],
    }
    held = selectors.resource_busy(branch_id=salon.branch.pk, start=window[0], end=window[1])
    assert held == {
        salon.beds.pk: [(at(salon.branch, 1, 10), at(salon.branch, 1, 11), 0)],
        salon.device.pk: [],
    }
