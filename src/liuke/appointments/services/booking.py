"""Booking and moving: one appointment holds several items, each with its staff member and
resource; every write is checked by the server (docs/appointments.md) and nothing is half
written (one transaction; `SlotTaken` and every other refusal roll the whole booking back)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.appointments import timing
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.choices import OPEN, AppointmentSource
from liuke.appointments.conflicts import free_unit, slot_guarded, staff_free
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.errors import SlotTaken
from liuke.appointments.models import Appointment, AppointmentItem, Resource, ServiceResource
from liuke.appointments.services.waitlist_offers import waitlist_offer_freed
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_get, lock_one, lock_rows
from liuke.customers.models import Customer
from liuke.rosters.selectors import roster_kept, working_intervals
from liuke.sales.models import Service
from liuke.sales.selectors import branch_sellers, eligible_performers

MAX_ITEMS = 10
_M = TypeVar("_M", bound=models.Model)


@dataclass
class _Planned:
    """One item checked and placed, before it is written."""

    service: Service
    staff_id: int
    start: dt.datetime
    end: dt.datetime
    resource: Resource | None

    @property
    def gap(self) -> timing.Interval | None:
        return timing.item_gap(self.service, self.start, self.end)


def booking_branch(actor: User, branch_id: int) -> Branch:
    """One of the actor's open branches (NotFound for another branch or business)."""
    branch = (
        Branch.objects.select_related("business")
        .filter(pk=branch_id, business_id=policy.business_of(actor), is_active=True)
        .first()
    )
    if branch is None or not policy.may_use_branch(actor, branch):
        raise NotFound(_("No such branch."))
    return branch


def lock_in_scope(actor: User, qs: QuerySet[_M], pk: int, missing: str) -> _M:
    """The row `pk` of `qs` (a model with `business` and `branch`), locked, if it is of the
    actor's business and one of their branches; `NotFound(missing)` otherwise."""
    qs = qs.filter(business_id=policy.business_of(actor))
    branches = policy.branch_ids(actor)
    if branches is not None:
        qs = qs.filter(branch_id__in=branches)
    row = lock_one(qs, pk)
    if row is None:
        raise NotFound(missing)
    return row


def _customer(actor: User, customer_id: int) -> Customer:
    customer = policy.scope_customers(actor, Customer.objects.filter(pk=customer_id)).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    if customer.anonymised_at is not None:
        raise ServiceError(
            E.CUSTOMER_ERASED, _("This customer's data was erased: they cannot be booked.")
        )
    return customer


#: The customer a booking (or a waitlist entry) is for: in scope and not erased.
customer_for_booking = _customer


def _service(branch: Branch, service_id: int) -> Service:
    service = Service.objects.filter(
        pk=service_id, business_id=branch.business_id, is_active=True
    ).first()
    if service is None:
        raise ServiceError(E.INVALID_SERVICE, _("Not a service on the menu."))
    return service


def check_performer(service: Service, branch: Branch, staff_id: int) -> None:
    """The staff member works at the branch and performs the service (role and skills)."""
    if not branch_sellers(branch).filter(pk=staff_id).exists():
        raise ServiceError(
            E.STAFF_NOT_AT_BRANCH, _("This staff member does not work at this branch.")
        )
    if not eligible_performers(service, branch).filter(pk=staff_id).exists():
        raise ServiceError(
            E.STAFF_CANNOT_PERFORM, _("This staff member does not perform this service.")
        )


def check_times(service: Service, start: dt.datetime, end: dt.datetime) -> None:
    """Refuse an end not after the start, a length that leaves no work before the service's
    processing gap and clean-up, and a start already past."""
    if end <= start:
        raise ServiceError(E.END_BEFORE_START, _("The end must be after the start."))
    if not timing.fits_gap(service, start, end):
        raise ServiceError(
            E.TOO_SHORT, _("Too short for this service's processing time and clean-up.")
        )
    if start < timezone.now():
        raise ServiceError(E.IN_THE_PAST, _("That time has already begun."))


#: What a manager's override let through, as the audit event's fields name it.
OUTSIDE_HOURS = "outside_hours"
OUTSIDE_ROSTER = "outside_roster"
WHY = {
    OUTSIDE_HOURS: "outside the opening hours",
    OUTSIDE_ROSTER: "outside the staff member's working time",
}


def check_working(
    actor: User,
    branch: Branch,
    staff_id: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    override: bool,
) -> set[str]:
    """Refuse (without a manager's override) a time outside the branch's opening hours, or
    outside the staff member's working time when the branch keeps a roster (the whole item,
    gap and clean-up included, inside one working interval: `rosters.selectors.
    working_intervals`, the same rule as the free-slot search). Returns what the override let
    through."""
    used: set[str] = set()
    if not timing.within_opening_hours(branch, start, end):
        if not override:
            raise ServiceError(
                E.OUTSIDE_HOURS, _("That time is outside the branch's opening hours.")
            )
        used.add(OUTSIDE_HOURS)
    if roster_kept(branch_id=branch.pk):
        working = working_intervals(
            branch_id=branch.pk, staff_ids=[staff_id], start=start, end=end
        )[staff_id]
        if not any(a <= start and end <= b for a, b in working):
            if not override:
                raise ServiceError(
                    E.OUTSIDE_ROSTER,
                    _("The staff member is not working then (roster, break or time off)."),
                )
            used.add(OUTSIDE_ROSTER)
    if used:
        policy.require(actor, AppointmentCap.APPOINTMENT_OVERRIDE)
    return used


def _resource_for(branch: Branch, service: Service, resource_id: int | None) -> Resource | None:
    """The resource an item uses: the one named (an active resource of the branch, of the kind
    the service needs), else the first of the kind the service needs, else none."""
    need = ServiceResource.objects.filter(service=service).select_related("resource").first()
    if resource_id is not None:
        resource = Resource.objects.filter(pk=resource_id, branch=branch, is_active=True).first()
        if resource is None or (need is not None and resource.kind != need.kind):
            raise ServiceError(E.INVALID_RESOURCE, _("Not a resource this service can use here."))
        return resource
    if need is None:
        return None
    if need.resource is not None and need.resource.branch_id == branch.pk:
        return need.resource
    candidates = Resource.objects.filter(branch=branch, kind=need.kind, is_active=True)
    resource = candidates.order_by("pk").first()
    if resource is None:
        raise ServiceError(E.INVALID_RESOURCE, _("This branch has no resource the service needs."))
    return resource


def _plan(
    actor: User, branch: Branch, item: Mapping[str, Any], *, override: bool
) -> tuple[_Planned, set[str]]:
    service = _service(branch, int(item["service_id"]))
    staff_id = int(item["staff_id"])
    check_performer(service, branch, staff_id)
    start = timing.aware(branch, item["start_at"])
    end_given = item.get("end_at")
    end = timing.aware(branch, end_given) if end_given else timing.item_end(service, start)
    check_times(service, start, end)
    used = check_working(actor, branch, staff_id, start, end, override=override)
    resource = _resource_for(branch, service, item.get("resource_id"))
    return _Planned(service, staff_id, start, end, resource), used


def _place(
    planned: _Planned, *, ignore: Sequence[int] = (), prefer: int | None = None
) -> int | None:
    """Check the staff member (free outside the processing gap) and take a unit of the
    resource for the whole item (its row locked by the caller)."""
    held = timing.staff_parts(planned.start, planned.end, planned.gap)
    if not staff_free(planned.staff_id, held, ignore=ignore):
        raise SlotTaken(_("This staff member is already booked for part of that time."))
    if planned.resource is None:
        return None
    unit = free_unit(planned.resource, planned.start, planned.end, ignore=ignore, prefer=prefer)
    if unit is None:
        raise SlotTaken(
            _("Every %(name)s is already booked for part of that time.")
            % {"name": planned.resource.name}
        )
    return unit


def _audit_change(actor: User, appointment: Appointment, action: str, overridden: set[str]) -> None:
    """The booking's audit event; a manager's override is named in its fields and reason."""
    reason = ""
    if overridden:
        what = " and ".join(WHY[o] for o in sorted(overridden))
        reason = f"appointment {appointment.pk} {what} by a manager's override"
    audit_record(
        actor=actor,
        action=action,
        customer_ids=[appointment.customer_id],
        fields=["appointment", *sorted(overridden)],
        reason=reason,
    )


@slot_guarded
@transaction.atomic
def appointment_book(
    *,
    actor: User,
    branch_id: int,
    customer_id: int,
    items: Sequence[Mapping[str, Any]],
    source: str = AppointmentSource.DESK,
    notes: str = "",
    override: bool = False,
) -> Appointment:
    """Book an appointment: `items` each name `service_id`, `staff_id`, `start_at` (aware, or
    on the branch's clock), optionally `end_at` (else the service's length) and `resource_id`
    (else one of the kind the service needs). Items may run in sequence or in parallel."""
    policy.require(actor, AppointmentCap.APPOINTMENT_BOOK)
    branch = booking_branch(actor, branch_id)
    customer = _customer(actor, customer_id)
    if not 1 <= len(items) <= MAX_ITEMS:
        raise ServiceError(E.NO_ITEMS, _("Book one to ten services at a time."))
    plans = [_plan(actor, branch, item, override=override) for item in items]
    overridden = set().union(*(used for _p, used in plans))
    # The resources' rows are locked (ascending ids) before any unit is picked.
    lock_rows(Resource, {p.resource.pk for p, _u in plans if p.resource is not None})
    appointment = Appointment.objects.create(
        business_id=branch.business_id,
        branch=branch,
        customer=customer,
        source=source,
        notes=notes,
        created_by=actor,
        starts_at=min(p.start for p, _u in plans),
        outside_hours=OUTSIDE_HOURS in overridden,
    )
    for planned, _used in plans:
        AppointmentItem.objects.create(
            appointment=appointment,
            branch=branch,
            service=planned.service,
            staff_id=planned.staff_id,
            resource=planned.resource,
            resource_unit=_place(planned),
            start_at=planned.start,
            end_at=planned.end,
            gap_start_at=planned.gap[0] if planned.gap else None,
            gap_end_at=planned.gap[1] if planned.gap else None,
        )
    _audit_change(actor, appointment, Action.CREATE, overridden)
    return appointment


@slot_guarded
@transaction.atomic
def appointment_item_move(
    *,
    actor: User,
    item_id: int,
    start_at: dt.datetime,
    end_at: dt.datetime | None = None,
    staff_id: int | None = None,
    override: bool = False,
) -> AppointmentItem:
    """Move an item (drag), resize it (a new end) or give it to another staff member; the
    length stays when no end is given. Checked as a booking is, the item itself left out."""
    policy.require(actor, AppointmentCap.APPOINTMENT_BOOK)
    item = (
        AppointmentItem.objects.select_related("appointment", "service", "resource")
        .filter(pk=item_id, appointment__business_id=policy.business_of(actor))
        .first()
    )
    if item is None:
        raise NotFound(_("No such appointment."))
    branch = booking_branch(actor, item.branch_id)
    appointment = lock_get(Appointment, item.appointment_id)
    if appointment.status not in OPEN:
        raise ServiceError(E.NOT_OPEN, _("Only a booked or confirmed appointment can be moved."))
    start = timing.aware(branch, start_at)
    end = timing.aware(branch, end_at) if end_at else start + (item.end_at - item.start_at)
    new_staff = item.staff_id if staff_id is None else staff_id
    if new_staff != item.staff_id:
        check_performer(item.service, branch, new_staff)
    check_times(item.service, start, end)
    overridden = check_working(actor, branch, new_staff, start, end, override=override)
    if item.resource is not None:
        lock_rows(Resource, [item.resource.pk])
    planned = _Planned(item.service, new_staff, start, end, item.resource)
    freed = [(item.staff_id, item.start_at)]
    item.resource_unit = _place(planned, ignore=[item.pk], prefer=item.resource_unit)
    item.staff_id, item.start_at, item.end_at = new_staff, start, end
    item.gap_start_at, item.gap_end_at = planned.gap or (None, None)
    item.save(
        update_fields=[
            "staff",
            "start_at",
            "end_at",
            "gap_start_at",
            "gap_end_at",
            "resource_unit",
            "updated_at",
        ]
    )
    first = AppointmentItem.objects.filter(appointment=appointment).order_by("start_at").first()
    appointment.starts_at = first.start_at if first else start
    appointment.outside_hours = appointment.outside_hours or OUTSIDE_HOURS in overridden
    appointment.save(update_fields=["starts_at", "outside_hours", "updated_at"])
    waitlist_offer_freed(branch_id=branch.pk, freed=freed)
    _audit_change(actor, appointment, Action.UPDATE, overridden)
    return item
