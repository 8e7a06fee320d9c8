"""What the appointment book measures, per branch over a span of its calendar days (its clock):
the analytics dashboards show it (`report_panel`, through the registry's `report_sections`).

- utilisation: booked minutes / rostered minutes, per staff member and for the branch. Booked:
  the active items (cancelled and no-show ones hold no time) clipped to the span; rostered:
  `rosters.selectors.working_intervals` (the weekly roster minus breaks and time off, plus
  extra shifts, inside the opening hours). None when nothing was rostered.
- no-show rate, late-cancellation rate, online share: of the appointments starting in the span
  (every status), those that were no-shows, cancelled late by the customer, booked online.
- lead time: the median hours from booking to start of those appointments.
- rebooking rate: of the visits in the span (a full refund left out), those at whose checkout
  the next visit was booked as an appointment (`Appointment.rebooked_at`).

Counts and minutes only: no customer is named, so nothing is audited; it needs the whole book
(`appointments.view_all`) and only the actor's branches are reported.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.appointments import timing
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.choices import AppointmentSource, AppointmentStatus
from liuke.appointments.models import Appointment, AppointmentItem
from liuke.rosters.models import RosterSpan
from liuke.rosters.selectors import working_intervals
from liuke.sales.choices import VisitStatus
from liuke.sales.models import Visit

Interval = tuple[dt.datetime, dt.datetime]


def _minutes(spans: Collection[Interval]) -> int:
    return round(sum((b - a).total_seconds() for a, b in spans) / 60)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class StaffUse:
    staff_id: int
    name: str
    booked_min: int
    rostered_min: int

    @property
    def utilisation(self) -> float | None:
        return _share(self.booked_min, self.rostered_min)


@dataclass(frozen=True)
class BranchReport:
    branch: Branch
    first: dt.date
    last: dt.date
    staff: list[StaffUse]
    appointments: int
    no_shows: int
    late_cancellations: int
    online: int
    lead_time_hours: float | None
    visits: int
    rebooked_visits: int

    @property
    def booked_min(self) -> int:
        return sum(s.booked_min for s in self.staff)

    @property
    def rostered_min(self) -> int:
        return sum(s.rostered_min for s in self.staff)

    @property
    def utilisation(self) -> float | None:
        return _share(self.booked_min, self.rostered_min)

    @property
    def no_show_rate(self) -> float | None:
        return _share(self.no_shows, self.appointments)

    @property
    def late_cancellation_rate(self) -> float | None:
        return _share(self.late_cancellations, self.appointments)

    @property
    def online_share(self) -> float | None:
        return _share(self.online, self.appointments)

    @property
    def rebooking_rate(self) -> float | None:
        return _share(self.rebooked_visits, self.visits)


def _booked(branch: Branch, start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """staff id → minutes of active items at the branch, clipped to [start, end)."""
    booked: dict[int, list[Interval]] = defaultdict(list)
    rows = AppointmentItem.objects.filter(
        branch=branch, active=True, start_at__lt=end, end_at__gt=start
    ).values_list("staff_id", "start_at", "end_at")
    for staff_id, a, b in rows:
        booked[staff_id].append((max(a, start), min(b, end)))
    return {staff_id: _minutes(spans) for staff_id, spans in booked.items()}


def _staff_use(branch: Branch, start: dt.datetime, end: dt.datetime) -> list[StaffUse]:
    booked = _booked(branch, start, end)
    rostered_ids = set(
        RosterSpan.objects.filter(branch=branch).values_list("staff_id", flat=True).distinct()
    )
    ids = sorted(rostered_ids | set(booked))
    work = working_intervals(branch_id=branch.pk, staff_ids=ids, start=start, end=end)
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    return [StaffUse(s, names.get(s, ""), booked.get(s, 0), _minutes(work.get(s, []))) for s in ids]


def branch_report(branch: Branch, first: dt.date, last: dt.date) -> BranchReport:
    """The figures of one branch over its calendar days first … last (for callers that checked
    the actor may see them: `book_reports`)."""
    start, _end = timing.day_window(branch, first)
    _start, end = timing.day_window(branch, last)
    appointments = Appointment.objects.filter(
        branch=branch, starts_at__gte=start, starts_at__lt=end
    )
    counts = appointments.aggregate(
        n=Count("pk"),
        no_shows=Count("pk", filter=Q(status=AppointmentStatus.NO_SHOW)),
        late=Count("pk", filter=Q(late_cancellation=True)),
        online=Count("pk", filter=Q(source=AppointmentSource.ONLINE)),
    )
    leads = [
        (s - c).total_seconds() / 3600
        for c, s in appointments.values_list("created_at", "starts_at")
    ]
    visits = Visit.objects.filter(branch=branch, visited_at__gte=start, visited_at__lt=end).exclude(
        status=VisitStatus.REFUNDED
    )
    visit_counts = visits.aggregate(
        n=Count("pk"),
        rebooked=Count(
            "pk", filter=Q(Exists(Appointment.objects.filter(rebooked_at=OuterRef("pk"))))
        ),
    )
    return BranchReport(
        branch=branch,
        first=first,
        last=last,
        staff=_staff_use(branch, start, end),
        appointments=counts["n"],
        no_shows=counts["no_shows"],
        late_cancellations=counts["late"],
        online=counts["online"],
        lead_time_hours=statistics.median(leads) if leads else None,
        visits=visit_counts["n"],
        rebooked_visits=visit_counts["rebooked"],
    )


def book_reports(
    *, actor: User, branch_ids: Collection[int], first: dt.date, last: dt.date
) -> list[BranchReport]:
    """The figures of each of the branches named that the actor works in."""
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW_ALL)
    branches = policy.scope_branches(actor, Branch.objects.filter(pk__in=list(branch_ids)))
    return [branch_report(b, first, last) for b in branches.order_by("name")]
