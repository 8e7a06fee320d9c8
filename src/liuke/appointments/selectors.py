"""Reads of the appointment book, scoped by the access policy; every read that shows customers
is audited like the other reads of personal data. `busy_intervals` and `resource_busy` are the
source of the free-slot search (they show no customer)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.appointments import busy, timing
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.choices import AppointmentStatus
from liuke.appointments.models import (
    Appointment,
    AppointmentItem,
    BookingSettings,
    Resource,
    ServiceResource,
)
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound
from liuke.customers.models import Customer

Interval = tuple[dt.datetime, dt.datetime]


def booking_rules(business_id: int) -> BookingSettings:
    """The business's booking rules; the defaults (unsaved) until it sets its own."""
    found = BookingSettings.objects.filter(business_id=business_id).first()
    return found or BookingSettings(business_id=business_id)


def _branch(actor: User, branch_id: int) -> Branch:
    branch = policy.scope_branches(actor, Branch.objects.filter(pk=branch_id)).first()
    if branch is None:
        raise NotFound(_("No such branch."))
    return branch


def own_column_only(actor: User) -> bool:
    """Whether the actor sees their own column of the book only (a beautician)."""
    return not policy.can(actor, AppointmentCap.APPOINTMENT_VIEW_ALL)


def _items(actor: User) -> QuerySet[AppointmentItem]:
    """The items the actor may see: of their business and branches; their own column only
    without `appointments.view_all` (a beautician)."""
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    qs = AppointmentItem.objects.filter(appointment__business_id=policy.business_of(actor))
    branches = policy.branch_ids(actor)
    if branches is not None:
        qs = qs.filter(branch_id__in=branches)
    if own_column_only(actor):
        qs = qs.filter(staff_id=actor.pk)
    return qs


def customer_name(actor: User, customer: Customer) -> str:
    """The name as this actor may see it on the book ("" for a customer outside their scope,
    booked at their branch by a colleague who sees them)."""
    return customer.name if policy.customer_visible(actor, customer) else ""


def _audit_shown(actor: User, action: str, customers: Collection[Customer], what: str) -> None:
    ids = [c.pk for c in customers if policy.customer_visible(actor, c)]
    if ids:
        audit_record(actor=actor, action=action, customer_ids=ids, fields=[what])


@dataclass
class DayBook:
    branch: Branch
    day: dt.date
    items: list[AppointmentItem] = field(default_factory=list)


#: What the book page shows of an item (`day_book(lean=True)`).
GRID_FIELDS = (
    "staff_id",
    "branch_id",
    "start_at",
    "end_at",
    "gap_start_at",
    "gap_end_at",
    "active",
    "resource_unit",
    "service__name",
    "resource__name",
    "appointment__status",
    "appointment__notes",
    "appointment__branch_id",
    "appointment__customer__name",
    "appointment__customer__business_id",
    "appointment__customer__branch_id",
    "appointment__customer__merged_into_id",
    "appointment__customer__is_key_account",
)


def day_book(*, actor: User, branch_id: int, day: dt.date, lean: bool = False) -> DayBook:
    """A branch's items on one of its calendar days (the branch's clock), every status, with
    their appointment, customer, service, staff member and resource (audited as a list)."""
    branch = _branch(actor, branch_id)
    start, end = timing.day_window(branch, day)
    qs = _items(actor).filter(branch=branch, start_at__lt=end, end_at__gt=start)
    if lean:
        # the book page reads these fields only: 300 items × four related rows would
        # otherwise spend the page's time building model instances (docs/benchmarks.md)
        qs = qs.select_related("appointment__customer", "service", "resource").only(*GRID_FIELDS)
    else:
        qs = qs.select_related("appointment__customer", "service", "staff", "resource")
    items = list(qs.order_by("start_at", "pk"))
    _audit_shown(actor, Action.LIST, {i.appointment.customer for i in items}, "appointments_day")
    return DayBook(branch=branch, day=day, items=items)


def today_items(*, actor: User) -> list[tuple[Branch, list[AppointmentItem]]]:
    """Today's items at each of the actor's open branches (each branch's own calendar day),
    every status, in two queries whatever the number of branches (audited as the day is)."""
    branches = list(policy.scope_branches(actor, Branch.objects.filter(is_active=True)))
    if not branches:
        return []
    now = timezone.now()
    days = Q()
    for branch in branches:
        start, end = timing.day_window(branch, timing.local(branch, now).date())
        days |= Q(branch=branch, start_at__lt=end, end_at__gt=start)
    items = list(
        _items(actor)
        .filter(days)
        .select_related("appointment__customer", "service", "staff")
        .order_by("start_at", "pk")
    )
    _audit_shown(actor, Action.LIST, {i.appointment.customer for i in items}, "appointments_day")
    return [(b, [i for i in items if i.branch_id == b.pk]) for b in branches]


def week_book(
    *, actor: User, branch_id: int, staff_id: int, first: dt.date
) -> list[AppointmentItem]:
    """A staff member's items at a branch in the seven days from `first` (the branch's clock),
    every status (audited as a list, like the day)."""
    branch = _branch(actor, branch_id)
    start = timing.day_window(branch, first)[0]
    end = timing.day_window(branch, first + dt.timedelta(days=6))[1]
    items = list(
        _items(actor)
        .filter(branch=branch, staff_id=staff_id, start_at__lt=end, end_at__gt=start)
        .select_related("appointment__customer", "service", "staff", "resource")
        .order_by("start_at", "pk")
    )
    _audit_shown(actor, Action.LIST, {i.appointment.customer for i in items}, "appointments_day")
    return items


def appointment_get(*, actor: User, appointment_id: int) -> Appointment:
    """One appointment with its items (audited as a view of the customer)."""
    visible = _items(actor).filter(appointment_id=appointment_id)
    appointment = (
        Appointment.objects.filter(pk=appointment_id, items__in=visible)
        .select_related("customer", "branch")
        .distinct()
        .first()
    )
    if appointment is None:
        raise NotFound(_("No such appointment."))
    _audit_shown(actor, Action.VIEW, [appointment.customer], "appointment")
    return appointment


def appointment_items(actor: User, appointment: Appointment) -> list[AppointmentItem]:
    """The items of an appointment already read through `appointment_get` the actor may see."""
    return list(
        _items(actor)
        .filter(appointment=appointment)
        .select_related("service", "staff", "resource")
        .order_by("start_at", "pk")
    )


@dataclass
class Attendance:
    no_shows: int
    late_cancellations: int


def attendance_of(customer_ids: Collection[int]) -> dict[int, Attendance]:
    """No-shows and late cancellations per customer (for callers that already read them)."""
    rows = (
        Appointment.objects.filter(customer_id__in=list(customer_ids))
        .values("customer_id")
        .annotate(
            no_shows=Count("pk", filter=Q(status=AppointmentStatus.NO_SHOW)),
            late=Count("pk", filter=Q(late_cancellation=True)),
        )
    )
    found = {r["customer_id"]: Attendance(r["no_shows"], r["late"]) for r in rows}
    return {i: found.get(i, Attendance(0, 0)) for i in customer_ids}


@dataclass
class CustomerBook:
    customer: Customer
    appointments: list[Appointment]
    attendance: Attendance


def customer_appointments(*, actor: User, customer_id: int, limit: int = 200) -> CustomerBook:
    """A customer's appointments, newest first, and their no-show and late-cancellation counts:
    through the access policy, audited as a read of their history."""
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    customer = policy.scope_customers(actor, Customer.objects.filter(pk=customer_id)).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    visible = _items(actor).filter(appointment__customer=customer)
    appointments = list(
        Appointment.objects.filter(customer=customer, items__in=visible)
        .distinct()
        .select_related("branch")
        .order_by("-starts_at")[:limit]
    )
    audit_record(
        actor=actor, action=Action.HISTORY, customer_ids=[customer.pk], fields=["appointments"]
    )
    return CustomerBook(customer, appointments, attendance_of([customer.pk])[customer.pk])


def resource_list(*, actor: User, branch_id: int) -> list[Resource]:
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    branch = _branch(actor, branch_id)
    return list(Resource.objects.filter(branch=branch).order_by("kind", "name"))


def resource_get(*, actor: User, resource_id: int) -> Resource:
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    branches = policy.scope_branches(actor, Branch.objects.all())
    resource = Resource.objects.filter(pk=resource_id, branch__in=branches).first()
    if resource is None:
        raise NotFound(_("No such resource."))
    return resource


def service_resources(*, actor: User) -> list[ServiceResource]:
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    return list(
        ServiceResource.objects.filter(service__business_id=policy.business_of(actor))
        .select_related("service", "resource")
        .order_by("service_id")
    )


# --- for the free-slot search (rosters): busy time, no customer data -------------------------


def busy_intervals(
    *, branch_id: int, staff_ids: Collection[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    """staff id → the (start, end) UTC intervals, sorted, in which the staff member holds an
    active item overlapping [start, end), at any branch (a staff member booked at another
    branch is busy here too): an item with a processing gap holds them before and after it
    (`timing.staff_parts`). `branch_id` names the branch the search is for; every staff id
    asked for is a key (an empty list: free)."""
    del branch_id  # the staff's time is theirs at every branch
    out: dict[int, list[Interval]] = {int(s): [] for s in staff_ids}
    rows = (
        AppointmentItem.objects.filter(
            staff_id__in=list(out), active=True, start_at__lt=end, end_at__gt=start
        )
        .order_by("staff_id", "start_at")
        .values_list("staff_id", "start_at", "end_at", "gap_start_at", "gap_end_at")
    )
    for staff_id, s, e, gap_s, gap_e in rows:
        gap = (gap_s, gap_e) if gap_s is not None and gap_e is not None else None
        out[staff_id].extend(timing.staff_parts(s, e, gap))
    return out


def resource_busy(
    *, branch_id: int, start: dt.datetime, end: dt.datetime
) -> dict[int, list[tuple[dt.datetime, dt.datetime, int]]]:
    """resource id → the (start, end, unit) of the active items holding a unit of it in
    [start, end), sorted by start, for the branch's active resources (each a key)."""
    out: dict[int, list[tuple[dt.datetime, dt.datetime, int]]] = defaultdict(list)
    ids = Resource.objects.filter(branch_id=branch_id, is_active=True).values_list("pk", flat=True)
    for pk in ids:
        out[pk] = []
    for resource_id, s, e, unit in busy.active_items(
        key="resource_id", ids=list(out), start=start, end=end
    ):
        out[resource_id].append((s, e, unit))
    return dict(out)
