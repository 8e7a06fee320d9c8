"""The free-slot search: when can a staff member (or any of several) start a service?

Pure (no Django, no database): the caller passes each staff member's working intervals
(`rosters.selectors.working_intervals`) and busy intervals (the appointments already booked),
all aware datetimes; the answer is the free start times on a grid of `step_min` minutes counted
from the Unix epoch (so 15 minutes falls on the quarter hours of every time zone whose offset
is a whole quarter hour).

A service is `duration_min` of the staff member's work, then `processing_gap_min` while the
customer stays in the chair and the staff member is free, then `cleanup_min` of the staff
member's clearing up (sales.Service). A start is free when the whole service, from its start to
the end of the clean-up, lies inside one working interval of the staff member (no one leaves a
customer alone at closing time), and no busy interval overlaps the staff member's work or
clean-up (one may take another customer during a processing gap).

Speed: per staff member the busy intervals are sorted and merged once, the free time is the
working time minus the busy time (one sweep), and for each part of the staff member's work the
starts that fit it form a few ranges; the ranges are intersected by another sweep and only then
turned into grid points. Nothing is checked slot by slot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from liuke.rosters.intervals import merged, minus

Interval = tuple[dt.datetime, dt.datetime]
_UTC = dt.UTC


@dataclass(frozen=True)
class ServiceTiming:
    """How long a service keeps the staff member and the customer (sales.Service's fields)."""

    duration_min: int
    processing_gap_min: int = 0
    cleanup_min: int = 0

    @property
    def total_min(self) -> int:
        """From the start to the end of the clean-up."""
        return self.duration_min + self.processing_gap_min + self.cleanup_min

    def staff_parts(self) -> list[tuple[int, int]]:
        """(minutes after the start, length in minutes) of each part the staff member works:
        the service itself, and the clean-up after the processing gap (one part without a gap)."""
        if not self.processing_gap_min or not self.cleanup_min:
            return [(0, self.duration_min + self.cleanup_min)]
        return [
            (0, self.duration_min),
            (self.duration_min + self.processing_gap_min, self.cleanup_min),
        ]

    def staff_busy(self, start: dt.datetime) -> list[Interval]:
        """The intervals a booking that starts at `start` keeps the staff member busy: what the
        appointments book stores as the staff member's busy time."""
        return [
            (start + dt.timedelta(minutes=off), start + dt.timedelta(minutes=off + length))
            for off, length in self.staff_parts()
        ]


@dataclass(frozen=True)
class FreeSlots:
    """The free start times of each staff member, and of "any staff" (every start at which at
    least one of the staff counted for "any" is free), sorted, in UTC."""

    by_staff: dict[int, list[dt.datetime]]
    any_staff: list[dt.datetime]


def _both(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The intersection of two sorted lists of disjoint closed ranges."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        low = a[i][0] if b[j][0] < a[i][0] else b[j][0]
        high = a[i][1] if a[i][1] < b[j][1] else b[j][1]
        if low <= high:
            out.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _starts(
    work: Sequence[Interval],
    busy: Sequence[Interval],
    parts: list[tuple[dt.timedelta, dt.timedelta]],
    total: dt.timedelta,
    step: int,
    window: Interval,
) -> list[int]:
    """The free starts of one staff member on the grid, in epoch seconds. The sweeps compare
    the datetimes as given (converting thousands of busy intervals to numbers would cost more
    than the search); only the few ranges found become numbers."""
    hours = merged(work)
    free = minus(hours, busy)
    ranges = _both([(a, b - total) for a, b in hours if b - a >= total], [window])
    for offset, length in parts:
        fits = [(a - offset, b - offset - length) for a, b in free if b - a >= length]
        ranges = _both(ranges, fits)
    out: list[int] = []
    for low, high in ranges:
        first = -(-int(low.timestamp()) // step) * step
        out.extend(range(first, int(high.timestamp()) + 1, step))
    return out


def free_slots(
    *,
    timing: ServiceTiming,
    working: Mapping[int, Sequence[Interval]],
    busy: Mapping[int, Sequence[Interval]],
    window: Interval,
    step_min: int = 15,
    any_of: Collection[int] | None = None,
) -> FreeSlots:
    """The start times in `window` (a start at or after its beginning, before its end) at which
    each staff member of `working` can perform a service of `timing`; "any staff" counts those
    of `any_of` (every staff member of `working` when None; the caller passes the staff with
    the skill)."""
    if step_min <= 0 or timing.duration_min <= 0:
        raise ValueError("step and duration must be positive")
    step = step_min * 60
    minutes = dt.timedelta(minutes=1)
    parts = [(off * minutes, length * minutes) for off, length in timing.staff_parts()]
    total = timing.total_min * minutes
    # a start at or after the window's beginning and before its end (grid points are whole
    # seconds: one second before the end is the last one)
    window_range = (window[0], window[1] - dt.timedelta(seconds=1))
    counted = set(working) if any_of is None else set(any_of)
    by_staff: dict[int, list[int]] = {}
    union: set[int] = set()
    for staff_id, spans in working.items():
        starts = _starts(spans, busy.get(staff_id, ()), parts, total, step, window_range)
        by_staff[staff_id] = starts
        if staff_id in counted:
            union.update(starts)
    # Every start is a grid point of the window: at most window / step distinct ones, so each
    # becomes a datetime once however many staff share it.
    moment = {s: dt.datetime.fromtimestamp(s, _UTC) for s in union}
    for starts in by_staff.values():
        for s in starts:
            if s not in moment:
                moment[s] = dt.datetime.fromtimestamp(s, _UTC)
    return FreeSlots(
        by_staff={k: [moment[s] for s in v] for k, v in by_staff.items()},
        any_staff=[moment[s] for s in sorted(union)],
    )
