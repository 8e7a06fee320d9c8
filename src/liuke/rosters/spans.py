"""Wall-clock spans of a day as minutes after its midnight, for the roster's checks (no Django).

A span whose end is at or before its start runs past midnight (22:00–02:00 is 1320–1560), as
the opening hours do; a span of the next day is the same shifted by 1440, so spans of
neighbouring weekdays compare on one axis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

DAY = 1440

Minutes = tuple[int, int]


def minutes(start: dt.time, end: dt.time) -> Minutes:
    """(start, end) in minutes after the day's midnight; an end at or before the start is the
    next day's."""
    a = start.hour * 60 + start.minute
    b = end.hour * 60 + end.minute
    return (a, b + DAY if b <= a else b)


def label(start: dt.time, end: dt.time) -> str:
    """ "09:00-12:00": how a span is shown and audited."""
    return f"{start:%H:%M}-{end:%H:%M}"


def inside_hours(span: Minutes, hours: Minutes) -> bool:
    """Whether the span lies inside the opening hours of its day, or inside the part of the
    day before's opening hours that runs past midnight (a 00:30 start when the branch closes
    at 02:00)."""
    return any(hours[0] + k <= span[0] and span[1] <= hours[1] + k for k in (0, -DAY))


def overlap(a: Minutes, b: Minutes) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def first_overlap(new: Iterable[Minutes], old: Iterable[Minutes]) -> tuple[Minutes, Minutes] | None:
    """The first pair of a new span and another (new or old) that share time, if any."""
    listed = list(new)
    others = list(old)
    for i, span in enumerate(listed):
        for other in listed[i + 1 :] + others:
            if overlap(span, other):
                return span, other
    return None


def hhmm(value: int) -> str:
    value %= DAY
    return dt.time(value // 60, value % 60).isoformat("minutes")
