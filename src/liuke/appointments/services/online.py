"""The customer books, moves and cancels their own appointment on the public booking page,
within the business's rules (`BookingSettings`): online booking on, no sooner than the minimum
notice, no further ahead than the days allowed, moves and cancellations only before the
cancellation notice. The customer has proven their mobile number (`public.codes`); no staff
member acts, the audit log records `system:online`.

A time is bookable online only when the availability search offers it (roster, opening hours,
skills, bookings, resources); the write then checks the staff member and takes a resource unit
inside the write lock as every booking does (`services.booking`), so two customers who pick the
same time at once get one booking and one `slot_taken`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts.models import Branch
from liuke.appointments import timing
from liuke.appointments.availability import availability, needed_resource, online_window
from liuke.appointments.choices import OPEN, AppointmentSource, AppointmentStatus
from liuke.appointments.conflicts import slot_guarded
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.errors import SlotTaken
from liuke.appointments.models import Appointment, AppointmentItem, BookingSettings, Resource
from liuke.appointments.selectors import booking_rules
from liuke.appointments.services.booking import _place, _Planned, _service
from liuke.appointments.services.status import _release
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one, lock_rows
from liuke.customers.models import Customer
from liuke.customers.services.online import OnlineActor
from liuke.sales.models import Service

#: A customer holds at most this many open bookings made online at once.
MAX_OPEN_ONLINE = 3
CANCELLED_ONLINE = "cancelled by the customer online"


def online_rules(branch: Branch) -> BookingSettings:
    """The business's rules, refusing (`online_off`) when it takes no bookings online."""
    rules = booking_rules(branch.business_id)
    if not rules.online_enabled or not branch.is_active:
        raise ServiceError(E.ONLINE_OFF, _("This salon does not take bookings online."))
    return rules


def _in_window(rules: BookingSettings, start: dt.datetime) -> None:
    earliest, latest = online_window(rules, timezone.now())
    if not earliest <= start < latest:
        raise ServiceError(
            E.OUTSIDE_ONLINE_WINDOW,
            _("That time cannot be booked online: choose one of the times offered."),
        )


def _before_notice(rules: BookingSettings, appointment: Appointment) -> None:
    notice = dt.timedelta(hours=rules.cancel_notice_hours)
    if timezone.now() > appointment.starts_at - notice:
        raise ServiceError(
            E.CANCEL_WINDOW_PASSED,
            _("It is too close to the appointment to change it online: please call the salon."),
        )


def _take(
    branch: Branch, service: Service, start: dt.datetime, staff_id: int | None, ignore: list[int]
) -> tuple[int, Resource | None, int | None]:
    """The staff member (the one asked for, else the first free one) and the resource unit
    for an item of `service` from `start`: offered by the search, then held under the lock."""
    found = availability(
        branch=branch,
        service=service,
        start=start,
        end=start + dt.timedelta(minutes=1),
        staff_id=staff_id,
    )
    free = found.staff_free_at(start)
    if not free:
        raise SlotTaken(_("That time has just been taken. Please choose another."))
    _needs, resource = needed_resource(branch, service)
    if resource is not None:
        lock_rows(Resource, [resource.pk])
    end = timing.item_end(service, start)
    unit = _place(_Planned(service, free[0], start, end, resource), ignore=ignore)
    return free[0], resource, unit


def _record(appointment: Appointment, what: str) -> None:
    audit_record(
        actor=OnlineActor(appointment.business_id),
        action=Action.CREATE if what == "appointment_online" else Action.UPDATE,
        customer_ids=[appointment.customer_id],
        fields=[what],
    )


@slot_guarded
@transaction.atomic
def online_book(
    *, branch: Branch, customer: Customer, service_id: int, start: dt.datetime, staff_id: int | None
) -> Appointment:
    """Book one service for the customer at `start` with `staff_id` (None: any staff)."""
    rules = online_rules(branch)
    service = _service(branch, service_id)
    start = start.astimezone(dt.UTC)
    _in_window(rules, start)
    if customer.business_id != branch.business_id or customer.anonymised_at is not None:
        raise NotFound(_("No such customer."))
    open_online = Appointment.objects.filter(
        customer=customer,
        source=AppointmentSource.ONLINE,
        status__in=list(OPEN),
        starts_at__gt=timezone.now(),
    ).count()
    if open_online >= MAX_OPEN_ONLINE:
        raise ServiceError(
            E.OUTSIDE_ONLINE_WINDOW,
            _("You already have %(n)d bookings coming: please call the salon for more.")
            % {"n": open_online},
        )
    staff, resource, unit = _take(branch, service, start, staff_id, [])
    appointment = Appointment.objects.create(
        business_id=branch.business_id,
        branch=branch,
        customer=customer,
        source=AppointmentSource.ONLINE,
        starts_at=start,
    )
    AppointmentItem.objects.create(
        appointment=appointment,
        branch=branch,
        service=service,
        staff_id=staff,
        resource=resource,
        resource_unit=unit,
        start_at=start,
        end_at=timing.item_end(service, start),
    )
    _record(appointment, "appointment_online")
    return appointment


def _own(customer: Customer, appointment_id: int) -> Appointment:
    """The customer's own open appointment, locked (NotFound for anyone else's)."""
    qs = Appointment.objects.filter(customer=customer, status__in=list(OPEN))
    appointment = lock_one(qs, appointment_id)
    if appointment is None:
        raise NotFound(_("No such appointment."))
    return appointment


@slot_guarded
@transaction.atomic
def online_move(
    *, customer: Customer, appointment_id: int, start: dt.datetime, staff_id: int | None
) -> Appointment:
    """Move the customer's one-service appointment to `start` (staff: the one asked for, else
    the first free one): before the cancellation notice, to a time offered online."""
    appointment = _own(customer, appointment_id)
    branch = Branch.objects.select_related("business").get(pk=appointment.branch_id)
    rules = online_rules(branch)
    _before_notice(rules, appointment)
    items = list(AppointmentItem.objects.filter(appointment=appointment, active=True))
    if len(items) != 1:
        raise ServiceError(
            E.NOT_OPEN, _("This booking has several services: please call the salon to move it.")
        )
    item = items[0]
    start = start.astimezone(dt.UTC)
    _in_window(rules, start)
    # The item's own time is free for its move: off inside this transaction (a refusal rolls
    # it back on).
    AppointmentItem.objects.filter(pk=item.pk).update(active=False)
    service = Service.objects.get(pk=item.service_id)
    staff, resource, unit = _take(branch, service, start, staff_id, [item.pk])
    item.staff_id, item.resource, item.resource_unit = staff, resource, unit
    item.start_at, item.end_at, item.active = start, timing.item_end(service, start), True
    item.save(
        update_fields=[
            "staff",
            "resource",
            "resource_unit",
            "start_at",
            "end_at",
            "active",
            "updated_at",
        ]
    )
    appointment.starts_at = start
    appointment.status = AppointmentStatus.BOOKED
    appointment.save(update_fields=["starts_at", "status", "updated_at"])
    _record(appointment, "appointment_online_move")
    return appointment


@transaction.atomic
def online_cancel(*, customer: Customer, appointment_id: int) -> Appointment:
    """Cancel the customer's appointment before the cancellation notice (never late: inside it
    the page refuses and the customer calls)."""
    appointment = _own(customer, appointment_id)
    branch = Branch.objects.get(pk=appointment.branch_id)
    rules = online_rules(branch)
    _before_notice(rules, appointment)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = timezone.now()
    appointment.cancel_reason = CANCELLED_ONLINE
    appointment.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    _release(appointment)
    _record(appointment, "appointment_online_cancel")
    return appointment


@transaction.atomic
def appointment_confirm_by_customer(*, appointment_id: int) -> Appointment | None:
    """The customer confirmed (a reminder's link, a reply): a booked appointment becomes
    confirmed; None when it is no longer open or already confirmed."""
    appointment = lock_one(
        Appointment.objects.filter(status=AppointmentStatus.BOOKED), appointment_id
    )
    if appointment is None:
        return None
    appointment.status = AppointmentStatus.CONFIRMED
    appointment.save(update_fields=["status", "updated_at"])
    _record(appointment, "appointment_confirmed_by_customer")
    return appointment
