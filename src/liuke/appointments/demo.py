"""The demo salon's appointment book: for each branch two beds and a device, and a realistic
book from three weeks back to two weeks ahead. The past is mostly completed, with a few
no-shows and cancellations (some late); the coming two weeks are booked or confirmed. Some
bookings came by phone or online, some carry a note.

Written through the models (past bookings could not go through the services, which refuse a
time already begun), laid out so that no staff member and no unit of a resource is ever
booked twice: on PostgreSQL the exclusion constraints check the demo as it is written. Each
staff member is booked inside their roster's working time (the rosters' demo runs first), so
the book shows nobody busy on a day off or in a break.
Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from liuke.accounts.models import Branch, Business, User
from liuke.appointments import timing
from liuke.appointments.choices import AppointmentSource, AppointmentStatus, ResourceKind
from liuke.appointments.models import (
    Appointment,
    AppointmentItem,
    Resource,
    ServiceResource,
    WaitlistEntry,
)
from liuke.customers.models import Customer
from liuke.rosters.selectors import roster_kept, working_intervals
from liuke.sales.models import Service
from liuke.sales.selectors import eligible_performers

PAST_DAYS = 21
AHEAD_DAYS = 14
NOTES = [
    "第一次来，想了解疗程",
    "喜欢安静，少推销",
    "皮肤敏感，用温和产品",
    "带朋友一起来",
    "上次约的美容师",
]
CANCEL_REASONS = ["临时加班", "身体不舒服", "孩子生病", "改到下周", "出差"]
_STEP = dt.timedelta(minutes=30)


def demo_appointments(*, business: Business, seed: int = 42) -> dict[str, int]:
    """Write the demo book for `business`; returns how many appointments of each status."""
    rng = random.Random(seed)
    made: dict[str, int] = defaultdict(int)
    # A staff member who works at several branches (an owner) gets a book at the first only:
    # the branches' books are laid out one by one and must not overlap each other's.
    booked: set[int] = set()
    with transaction.atomic():
        for branch in Branch.objects.filter(business=business, is_active=True).order_by("pk"):
            _branch_book(branch, rng, made, booked)
            _waitlist(branch, rng)
    return dict(made)


def _waitlist(branch: Branch, rng: random.Random) -> None:
    """A few customers waiting for a taken time in the coming week (the front desk's list)."""
    service = Service.objects.filter(business_id=branch.business_id, is_active=True).first()
    customers = list(
        Customer.objects.filter(branch=branch, merged_into__isnull=True, anonymised_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:3]
    )
    if service is None:
        return
    today = timezone.now().astimezone(ZoneInfo(branch.time_zone)).date()
    WaitlistEntry.objects.bulk_create(
        WaitlistEntry(
            business_id=branch.business_id,
            branch=branch,
            customer_id=pk,
            service=service,
            first_day=today + dt.timedelta(days=1),
            last_day=today + dt.timedelta(days=rng.randint(2, 7)),
            earliest=dt.time(10),
            latest=dt.time(18),
            note="周末优先",
        )
        for pk in customers
    )


def _resources(branch: Branch) -> tuple[Resource, Resource]:
    beds, _ = Resource.objects.get_or_create(
        branch=branch,
        name="美容床",
        defaults={"business_id": branch.business_id, "kind": ResourceKind.BED, "count": 2},
    )
    device, _ = Resource.objects.get_or_create(
        branch=branch,
        name="光子嫩肤仪",
        defaults={"business_id": branch.business_id, "kind": ResourceKind.DEVICE, "count": 1},
    )
    return beds, device


def _branch_book(
    branch: Branch, rng: random.Random, made: dict[str, int], booked: set[int]
) -> None:
    beds, device = _resources(branch)
    services = list(Service.objects.filter(business_id=branch.business_id, is_active=True))
    customers = list(
        Customer.objects.filter(branch=branch, merged_into__isnull=True, anonymised_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    performers: dict[int, list[User]] = {
        s.pk: list(eligible_performers(s, branch)) for s in services
    }
    services = [s for s in services if performers[s.pk] and 15 <= s.duration_min <= 180]
    if not services or not customers:
        return
    # Facials take a bed (the device is there for the desk to book by hand).
    for s in services:
        if s.category == "facial":
            ServiceResource.objects.get_or_create(service=s, kind=ResourceKind.BED)
    staff = sorted(
        {u.pk: u for p in performers.values() for u in p if u.pk not in booked}.values(),
        key=lambda u: u.pk,
    )
    booked.update(u.pk for u in staff)
    zone = ZoneInfo(branch.time_zone)
    today = timezone.now().astimezone(zone).date()
    now = timezone.now()
    days = [today + dt.timedelta(days=n) for n in range(-PAST_DAYS, AHEAD_DAYS + 1)]
    shifts = _shifts(branch, staff, days)
    held: dict[tuple[int, int], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for day in days:
        for member in staff:
            for span_start, span_end in shifts(member, day):
                cursor = span_start + _STEP * rng.randint(0, 2)
                for _n in range(rng.randint(0, 3)):
                    choices = [s for s in services if member in performers[s.pk]]
                    if not choices:
                        break
                    service = rng.choice(choices)
                    start = cursor
                    end = timing.item_end(service, start)
                    if end > span_end:
                        break
                    cursor = end + _STEP * rng.randint(0, 3)
                    resource = beds if service.category == "facial" else None
                    unit = _free(held, resource, start, end) if resource else None
                    if resource is not None and unit is None:
                        continue  # both beds taken: the desk would have picked another time
                    status = _status(rng, start, now)
                    _write(branch, rng, status, rng.choice(customers), service, member, start,
                           end, resource, unit, now)  # fmt: skip
                    if resource is not None and unit is not None:
                        held[(resource.pk, unit)].append((start, end))
                    made[status] += 1
    del device  # booked by hand in the demo; it is there to be seen and used


Shifts = Callable[[User, dt.date], list[tuple[dt.datetime, dt.datetime]]]


def _shifts(branch: Branch, staff: list[User], days: list[dt.date]) -> Shifts:
    """Each staff member's working intervals of a day (`rosters.selectors.working_intervals`:
    breaks and time off left out), so the demo books nobody on a day off or in a break; the
    opening hours of each day at a branch that keeps no roster."""
    start = timing.day_window(branch, days[0])[0]
    end = timing.day_window(branch, days[-1])[1]
    kept = roster_kept(branch_id=branch.pk)
    working = (
        working_intervals(
            branch_id=branch.pk, staff_ids=[u.pk for u in staff], start=start, end=end
        )
        if kept
        else {}
    )
    zone = ZoneInfo(branch.time_zone)
    opens, closes = branch.hours()
    if closes <= opens:  # open past midnight: the demo keeps to the evening before
        closes = dt.time(23, 30)
    by_day: dict[tuple[int, dt.date], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for staff_id, spans in working.items():
        for a, b in spans:
            by_day[(staff_id, timing.local(branch, a).date())].append((a, b))

    def shifts(member: User, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if kept:
            return by_day.get((member.pk, day), [])
        return [
            (
                dt.datetime.combine(day, opens, tzinfo=zone),
                dt.datetime.combine(day, closes, tzinfo=zone),
            )
        ]

    return shifts


def _free(
    held: dict[tuple[int, int], list[tuple[dt.datetime, dt.datetime]]],
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
) -> int | None:
    for unit in range(resource.count):
        if all(e <= start or end <= s for s, e in held[(resource.pk, unit)]):
            return unit
    return None


def _status(rng: random.Random, start: dt.datetime, now: dt.datetime) -> str:
    roll = rng.random()
    if start < now:
        if roll < 0.06:
            return AppointmentStatus.NO_SHOW
        if roll < 0.11:
            return AppointmentStatus.CANCELLED
        return AppointmentStatus.COMPLETED
    if roll < 0.05:
        return AppointmentStatus.CANCELLED
    return AppointmentStatus.CONFIRMED if roll < 0.5 else AppointmentStatus.BOOKED


def _write(
    branch: Branch,
    rng: random.Random,
    status: str,
    customer_id: int,
    service: Service,
    member: User,
    start: dt.datetime,
    end: dt.datetime,
    resource: Resource | None,
    unit: int | None,
    now: dt.datetime,
) -> None:
    cancelled = status == AppointmentStatus.CANCELLED
    cancelled_at = start - dt.timedelta(hours=rng.choice([2, 5, 30, 72])) if cancelled else None
    if cancelled_at is not None and cancelled_at > now:
        cancelled_at = now
    appointment = Appointment.objects.create(
        business_id=branch.business_id,
        branch=branch,
        customer_id=customer_id,
        status=status,
        source=rng.choices(
            [AppointmentSource.DESK, AppointmentSource.PHONE, AppointmentSource.ONLINE],
            weights=[6, 3, 2],
        )[0],
        notes=rng.choice(NOTES) if rng.random() < 0.15 else "",
        starts_at=start,
        cancelled_at=cancelled_at,
        cancel_reason=rng.choice(CANCEL_REASONS) if cancelled else "",
        late_cancellation=bool(cancelled_at and cancelled_at > start - dt.timedelta(hours=24)),
    )
    gap = timing.item_gap(service, start, end)
    AppointmentItem.objects.create(
        appointment=appointment,
        gap_start_at=gap[0] if gap else None,
        gap_end_at=gap[1] if gap else None,
        branch=branch,
        service=service,
        staff=member,
        resource=resource,
        resource_unit=unit,
        start_at=start,
        end_at=end,
        active=status not in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW),
    )
