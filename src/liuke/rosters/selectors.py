"""Reads of staff working time: the working intervals the book and the free-slot search go by,
and the roster pages' rows.

`working_intervals` reads no customer data and takes no actor: the appointments app (and the
public booking page) call it for a branch they have already checked. The page selectors take
the acting user and go through the policy: a beautician sees her own roster, the others the
rosters of their branches.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound
from liuke.rosters.capabilities import RosterCap
from liuke.rosters.choices import OFF_KINDS, ExceptionKind, SpanKind
from liuke.rosters.intervals import minus, within
from liuke.rosters.models import RosterException, RosterSpan
from liuke.rosters.slots import FreeSlots, ServiceTiming, free_slots
from liuke.sales.models import Service
from liuke.sales.selectors import branch_sellers, eligible_performers

Interval = tuple[dt.datetime, dt.datetime]
_ONE_DAY = dt.timedelta(days=1)


def _moment(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC moment of a wall-clock time of `day` in the branch's zone (a time the clocks
    skip counts with the offset before the change, Python's fold=0)."""
    return dt.datetime.combine(day, at, tz).astimezone(dt.UTC)


def _local(day: dt.date, start: dt.time, end: dt.time, tz: ZoneInfo) -> Interval:
    """A wall-clock span of `day` (past midnight when it ends at or before its start) in UTC:
    as long as it really is on a day the clocks change."""
    return _moment(day, start, tz), _moment(day + _ONE_DAY if end <= start else day, end, tz)


@dataclass(frozen=True)
class _Week:
    """One staff member's weekly spans at the branch: weekday → [(start, end)]."""

    work: Mapping[int, list[tuple[dt.time, dt.time]]]
    breaks: Mapping[int, list[tuple[dt.time, dt.time]]]


def _weeks(branch_id: int, staff_ids: Sequence[int]) -> dict[int, _Week]:
    work: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    breaks: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    rows = RosterSpan.objects.filter(branch_id=branch_id, staff_id__in=staff_ids).values_list(
        "staff_id", "weekday", "kind", "starts_at", "ends_at"
    )
    for staff_id, weekday, kind, start, end in rows:
        (work if kind == SpanKind.WORK else breaks)[staff_id][weekday].append((start, end))
    return {s: _Week(work[s], breaks[s]) for s in staff_ids}


def working_intervals(
    *, branch_id: int, staff_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    """Each staff member's working time at the branch between `start` and `end` (aware
    datetimes), as sorted disjoint UTC intervals: the weekly working spans minus the breaks
    and time off, plus the extra shifts, inside the opening hours, each day reckoned in the
    branch's time zone. A whole day off takes the day's extra shifts away too."""
    ids = sorted(set(staff_ids))
    branch = Branch.objects.select_related("business").get(pk=branch_id)
    tz = ZoneInfo(branch.time_zone)
    first = start.astimezone(tz).date() - _ONE_DAY  # yesterday's spans may run past midnight
    last = end.astimezone(tz).date()
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    opens, closes = branch.hours()
    opening = [_local(d, opens, closes, tz) for d in [first - _ONE_DAY, *days]]
    exceptions: dict[tuple[int, dt.date], list[RosterException]] = defaultdict(list)
    for row in RosterException.objects.filter(
        Q(branch_id=branch_id) | Q(branch__isnull=True), staff_id__in=ids, day__range=(first, last)
    ):
        exceptions[row.staff_id, row.day].append(row)
    weeks = _weeks(branch_id, ids)
    out: dict[int, list[Interval]] = {}
    for staff_id in ids:
        week = weeks[staff_id]
        work: list[Interval] = []
        holes: list[Interval] = []
        for day in days:
            rows = exceptions.get((staff_id, day), [])
            if any(r.kind in OFF_KINDS and r.starts_at is None for r in rows):
                continue
            weekday = day.weekday()
            work += [_local(day, a, b, tz) for a, b in week.work.get(weekday, ())]
            holes += [_local(day, a, b, tz) for a, b in week.breaks.get(weekday, ())]
            for r in rows:
                span = (
                    _local(day, r.starts_at, r.ends_at, tz)
                    if r.starts_at is not None and r.ends_at is not None
                    else _local(day, opens, closes, tz)
                )
                (work if r.kind == ExceptionKind.EXTRA else holes).append(span)
        out[staff_id] = within(minus(work, holes), within(opening, [(start, end)]))
    return out


# --- the free-slot search wired to the database --------------------------------------------------

#: Where the busy intervals come from: called as busy(branch_id=, staff_ids=, start=, end=), it
#: returns each staff member's busy intervals (aware datetimes) overlapping [start, end): the
#: parts of their bookings that keep them busy (`slots.ServiceTiming.staff_busy`).
BusySource = Callable[..., Mapping[int, Sequence[Interval]]]


def service_timing(service: Service) -> ServiceTiming:
    return ServiceTiming(service.duration_min, service.processing_gap_min, service.cleanup_min)


def free_slots_at(
    *,
    branch: Branch,
    service: Service,
    start: dt.datetime,
    end: dt.datetime,
    busy: BusySource,
    staff_id: int | None = None,
    step_min: int = 15,
) -> FreeSlots:
    """The free start times of `service` at `branch` between `start` and `end`, for each staff
    member who performs it there (`sales.selectors.eligible_performers`: role, branch, skill)
    and for "any staff"; with `staff_id`, for that staff member only (none when they do not
    perform it). The caller has checked that the asker may see the branch."""
    performers = list(eligible_performers(service, branch).values_list("pk", flat=True))
    if staff_id is not None:
        performers = [p for p in performers if p == staff_id]
    # the clean-up of a booking that starts just before the window may still hold the staff
    # member: ask for busy time from one service length before
    reach = start - dt.timedelta(minutes=service_timing(service).total_min)
    return free_slots(
        timing=service_timing(service),
        working=working_intervals(
            branch_id=branch.pk, staff_ids=performers, start=start, end=end + _ONE_DAY
        ),
        busy=busy(branch_id=branch.pk, staff_ids=performers, start=reach, end=end + _ONE_DAY),
        window=(start, end),
        step_min=step_min,
    )


def free_slots_for(
    *,
    actor: User,
    branch_id: int,
    service_id: int,
    start: dt.datetime,
    end: dt.datetime,
    busy: BusySource,
    staff_id: int | None = None,
    step_min: int = 15,
) -> FreeSlots:
    """`free_slots_at` for a staff member who reads the branch's roster (`roster.view`, one
    of their branches) and a service of their business."""
    policy.require(actor, RosterCap.ROSTER_VIEW)
    branch = Branch.objects.select_related("business").filter(pk=branch_id).first()
    if branch is None or not policy.may_use_branch(actor, branch):
        raise NotFound(_("No such branch."))
    service = Service.objects.filter(pk=service_id, business_id=branch.business_id).first()
    if service is None:
        raise NotFound(_("No such service."))
    return free_slots_at(
        branch=branch,
        service=service,
        start=start,
        end=end,
        busy=busy,
        staff_id=staff_id,
        step_min=step_min,
    )


# --- the roster pages and the API ---------------------------------------------------------------


@dataclass(frozen=True)
class StaffWeek:
    """A staff member's week at a branch: weekday → working spans and breaks."""

    staff: User
    work: dict[int, list[RosterSpan]]
    breaks: dict[int, list[RosterSpan]]

    def days(self) -> list[tuple[list[RosterSpan], list[RosterSpan]]]:
        """(working spans, breaks) of Monday … Sunday, as the week's columns show them."""
        return [(self.work.get(d, []), self.breaks.get(d, [])) for d in range(7)]


@dataclass(frozen=True)
class BranchRoster:
    """What the roster page and the API show of a branch: its hours, its staff's weeks and the
    exceptions from `since` on."""

    branch: Branch
    weeks: list[StaffWeek]
    exceptions: list[RosterException]
    may_manage: bool


def roster_branch(actor: User, branch_id: int) -> Branch:
    """A branch the actor reads the roster of (`roster.view`, one of their branches)."""
    policy.require(actor, RosterCap.ROSTER_VIEW)
    branch = Branch.objects.select_related("business").filter(pk=branch_id).first()
    if branch is None or not policy.may_use_branch(actor, branch):
        raise NotFound(_("No such branch."))
    return branch


def branch_roster(
    *, actor: User, branch_id: int, since: dt.date, staff_id: int | None = None
) -> BranchRoster:
    """The branch's roster: every staff member who works there (a beautician: herself only),
    or the one asked for, with the exceptions of the shown staff from `since` on."""
    branch = roster_branch(actor, branch_id)
    staff = branch_sellers(branch)
    if actor.role == Role.BEAUTICIAN:
        staff = staff.filter(pk=actor.pk)
    if staff_id is not None:
        staff = staff.filter(pk=staff_id)
    people = list(staff.order_by("role", "display_name", "username"))
    ids = [p.pk for p in people]
    work: dict[int, dict[int, list[RosterSpan]]] = {p: defaultdict(list) for p in ids}
    breaks: dict[int, dict[int, list[RosterSpan]]] = {p: defaultdict(list) for p in ids}
    for row in RosterSpan.objects.filter(branch=branch, staff_id__in=ids).order_by("starts_at"):
        (work if row.kind == SpanKind.WORK else breaks)[row.staff_id][row.weekday].append(row)
    exceptions = list(
        RosterException.objects.filter(
            Q(branch=branch) | Q(branch__isnull=True), staff_id__in=ids, day__gte=since
        ).order_by("day", "staff_id", "starts_at")[:500]
    )
    return BranchRoster(
        branch=branch,
        weeks=[StaffWeek(p, dict(work[p.pk]), dict(breaks[p.pk])) for p in people],
        exceptions=exceptions,
        may_manage=policy.can(actor, RosterCap.ROSTER_MANAGE),
    )


def staff_is_rostered(*, business_id: int) -> bool:
    """The checklist's step: someone of the business has working hours."""
    return RosterSpan.objects.filter(branch__business_id=business_id).exists()


def roster_kept(*, branch_id: int) -> bool:
    """Whether the branch keeps a roster (someone has working hours there): only then does
    the book refuse a staff member outside their working time."""
    return RosterSpan.objects.filter(branch_id=branch_id).exists()
