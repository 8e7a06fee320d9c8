"""Availability: when can a service start at a branch, with a given staff member or "any"?

One answer for the front desk's API and the customer's public booking page. It joins what
decides a free start: who performs the service there (role, branch, skills:
`sales.selectors.eligible_performers`), their roster (`rosters.selectors.working_intervals`,
inside the opening hours), what they are already booked for at any branch
(`selectors.busy_intervals`), the service's length, processing gap and clean-up
(`rosters.slots`), and the resource the service needs: a start is free only while a unit of
that resource is free for the item's time (the resource a booking takes is the one
`services.booking` picks: the named one, else the first of the kind at the branch).

Reads no customer data and takes no actor: `availability_for` checks the staff member's
scope, the public booking page checks its own link; both pass a branch they have checked.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.appointments import timing
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.models import BookingSettings, Resource, ServiceResource
from liuke.appointments.selectors import Interval, busy_intervals, resource_busy
from liuke.core.errors import NotFound
from liuke.rosters.intervals import merged
from liuke.rosters.selectors import free_slots_at
from liuke.sales.models import Service

#: The grid of start times the searches offer, in minutes.
STEPS = (5, 10, 15, 20, 30, 60)
#: The longest window one question may cover.
MAX_DAYS = 31


@dataclass(frozen=True)
class Availability:
    """The free starts (UTC, sorted) of a service at a branch between `start` and `end`: per
    staff member who performs it (`staff`, in the order shown) and for "any staff"."""

    branch: Branch
    service: Service
    start: dt.datetime
    end: dt.datetime
    staff: list[User]
    by_staff: dict[int, list[dt.datetime]]
    any_staff: list[dt.datetime]

    def staff_free_at(self, moment: dt.datetime) -> list[int]:
        """The staff members free to start at `moment` (for booking "any staff")."""
        return [s.pk for s in self.staff if moment in set(self.by_staff.get(s.pk, ()))]


def needed_resource(branch: Branch, service: Service) -> tuple[bool, Resource | None]:
    """(whether the service needs a resource, the one a booking at `branch` would take):
    the same choice as the booking service makes when no resource is named."""
    need = ServiceResource.objects.filter(service=service).select_related("resource").first()
    if need is None:
        return False, None
    if need.resource is not None and need.resource.branch_id == branch.pk:
        return True, need.resource if need.resource.is_active else None
    found = Resource.objects.filter(branch=branch, kind=need.kind, is_active=True)
    return True, found.order_by("pk").first()


def full_intervals(
    held: Iterable[tuple[dt.datetime, dt.datetime, int]], count: int
) -> list[Interval]:
    """The sorted disjoint intervals in which `count` or more of the `held` (start, end, unit)
    overlap: every unit of the resource is taken (one sweep over the starts and ends)."""
    edges = sorted([(s, 1) for s, _e, _u in held] + [(e, -1) for _s, e, _u in held])
    out: list[Interval] = []
    depth = 0
    began: dt.datetime | None = None
    for moment, step in edges:  # an end sorts before a start at the same moment (-1 < 1)
        depth += step
        if depth >= count and began is None:
            began = moment
        elif depth < count and began is not None:
            out.append((began, moment))
            began = None
    return merged(out)  # a unit freed and taken at the same moment: one interval


def _clear_of(full: Sequence[Interval], length: dt.timedelta) -> Callable[[dt.datetime], bool]:
    """Whether an item of `length` from a moment misses every full interval (bisect)."""
    starts = [a for a, _b in full]

    def clear(moment: dt.datetime) -> bool:
        i = bisect.bisect_left(starts, moment + length) - 1
        return i < 0 or full[i][1] <= moment

    return clear


def _grid_start(moment: dt.datetime, step_min: int) -> dt.datetime:
    """`moment` rounded up to the search's grid (whole steps from the epoch)."""
    step = step_min * 60
    seconds = -(-int(moment.timestamp()) // step) * step
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def availability(
    *,
    branch: Branch,
    service: Service,
    start: dt.datetime,
    end: dt.datetime,
    staff_id: int | None = None,
    step_min: int = 15,
) -> Availability:
    """The free starts of `service` at `branch` in [start, end), never before now: per staff
    member who performs it there (only `staff_id` when given) and for any of them."""
    start = max(start, _grid_start(timezone.now(), step_min))
    if end <= start:
        return Availability(branch, service, start, end, [], {}, [])
    found = free_slots_at(
        branch=branch,
        service=service,
        start=start,
        end=end,
        busy=busy_intervals,
        staff_id=staff_id,
        step_min=step_min,
    )
    by_staff, any_staff = found.by_staff, found.any_staff
    needs, resource = needed_resource(branch, service)
    if needs:
        if resource is None:  # the branch has none: nothing can be booked
            by_staff, any_staff = {k: [] for k in by_staff}, []
        else:
            held = resource_busy(branch_id=branch.pk, start=start, end=end).get(resource.pk, [])
            full = full_intervals(held, resource.count)
            if full:
                clear = _clear_of(full, timing.item_end(service, start) - start)
                by_staff = {k: [s for s in v if clear(s)] for k, v in by_staff.items()}
                any_staff = [s for s in any_staff if clear(s)]
    staff = list(User.objects.filter(pk__in=list(by_staff)).order_by("display_name", "username"))
    return Availability(branch, service, start, end, staff, by_staff, any_staff)


def online_window(rules: BookingSettings, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The times a customer may book online: from the minimum notice to the days ahead."""
    return (
        now + dt.timedelta(hours=rules.online_min_notice_hours),
        now + dt.timedelta(days=rules.online_days_ahead),
    )


def availability_for(
    *,
    actor: User,
    branch_id: int,
    service_id: int,
    day: dt.date,
    days: int = 14,
    staff_id: int | None = None,
    step_min: int = 15,
) -> Availability:
    """`availability` from the start of `day` (the branch's clock) for `days` days, for a
    staff member who reads the book of that branch (one of theirs) and a service of its
    business. Names no customer."""
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    branch = policy.scope_branches(actor, Branch.objects.filter(pk=branch_id)).first()
    if branch is None:
        raise NotFound(_("No such branch."))
    service = Service.objects.filter(
        pk=service_id, business_id=branch.business_id, is_active=True
    ).first()
    if service is None:
        raise NotFound(_("No such service."))
    start, _end = timing.day_window(branch, day)
    _start, end = timing.day_window(branch, day + dt.timedelta(days=days - 1))
    return availability(
        branch=branch, service=service, start=start, end=end, staff_id=staff_id, step_min=step_min
    )
