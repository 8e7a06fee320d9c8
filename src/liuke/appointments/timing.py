"""The time an item holds, and the branch's clock: the one place the length of a booking and
the opening hours are decided.

An item's length comes from the service's `duration_min` alone for now. The processing gap
(the staff member is free while the customer's chair is not) and the clean-up buffer (the
rosters side adds them to `sales.Service`) will change what `item_end` returns and, for the
gap, split what the staff member holds from what the chair holds: that change belongs here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from liuke.accounts.models import Branch
from liuke.sales.models import Service


def item_end(service: Service, start: dt.datetime) -> dt.datetime:
    """When an item of `service` starting at `start` ends, when the booking names no end."""
    return start + dt.timedelta(minutes=service.duration_min)


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
