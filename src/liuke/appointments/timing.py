"""The time an item holds, and the branch's clock: the one place the length of a booking and
the opening hours are decided.

An item of a service holds, from its start: `duration_min` of the staff member's work, then the
processing gap (`processing_gap_min`: the colour develops, the staff member is free to take
another customer while the chair and any resource stay taken), then the clean-up buffer
(`cleanup_min`: the staff member and the resource are both held). The item's `start_at`/`end_at`
are the whole of it (what the resource holds); `gap_start_at`/`gap_end_at` mark the gap the
staff member is free in (`staff_parts`). The same shape as `rosters.slots.ServiceTiming`, so the
free-slot search and the booking checks agree.

A booking or a resize that names its end changes the length of the work: the gap and the
clean-up keep their lengths, counted back from the end.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from liuke.accounts.models import Branch
from liuke.sales.models import Service

Interval = tuple[dt.datetime, dt.datetime]


def item_end(service: Service, start: dt.datetime) -> dt.datetime:
    """When an item of `service` starting at `start` ends (its clean-up done), when the
    booking names no end."""
    total = service.duration_min + service.processing_gap_min + service.cleanup_min
    return start + dt.timedelta(minutes=total)


def item_gap(service: Service, start: dt.datetime, end: dt.datetime) -> Interval | None:
    """The processing gap of an item of `service` over [start, end): it ends where the
    clean-up begins. None for a service without a gap, and when the item is too short to hold
    any work before it (the caller refuses that: `fits_gap`)."""
    if not service.processing_gap_min:
        return None
    gap_end = end - dt.timedelta(minutes=service.cleanup_min)
    return gap_end - dt.timedelta(minutes=service.processing_gap_min), gap_end


def fits_gap(service: Service, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether [start, end) leaves some work before the gap and the clean-up."""
    rest = service.processing_gap_min + service.cleanup_min
    return end - start > dt.timedelta(minutes=rest) if rest else end > start


def staff_parts(start: dt.datetime, end: dt.datetime, gap: Interval | None) -> list[Interval]:
    """The parts of an item that hold its staff member: all of it, or the time around its gap."""
    if gap is None:
        return [(start, end)]
    return [(a, b) for a, b in ((start, gap[0]), (gap[1], end)) if a < b]


def branch_zone(branch: Branch) -> ZoneInfo:
    return ZoneInfo(branch.time_zone)


def aware(branch: Branch, moment: dt.datetime) -> dt.datetime:
    """A moment as given with its offset, or (without one) read on the branch's clock, in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=branch_zone(branch))
    return moment.astimezone(dt.UTC)


def local(branch: Branch, moment: dt.datetime) -> dt.datetime:
    """A stored (UTC) moment on the branch's clock."""
    return moment.astimezone(branch_zone(branch))


def day_window(branch: Branch, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The branch's calendar day as a UTC interval (23 or 25 hours long when the clocks change)."""
    zone = branch_zone(branch)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def within_opening_hours(branch: Branch, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether [start, end) lies inside one opening of the branch (its own hours, else the
    business's; a closing time before the opening time means open past midnight). Compared on
    the branch's wall clock, so a day when the clocks change keeps its opening times."""
    opens, closes = branch.hours()
    first, last = local(branch, start).replace(tzinfo=None), local(branch, end).replace(tzinfo=None)
    for day in (first.date() - dt.timedelta(days=1), first.date()):
        open_at = dt.datetime.combine(day, opens)
        close_at = dt.datetime.combine(
            day if closes > opens else day + dt.timedelta(days=1), closes
        )
        if open_at <= first and last <= close_at:
            return True
    return False
