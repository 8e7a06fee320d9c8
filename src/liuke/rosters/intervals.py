"""Sets of half-open time intervals [start, end) as sorted lists of disjoint pairs: union,
difference and intersection by one sweep over sorted input (no Django, no time zones).

The values may be datetimes or numbers (epoch seconds); any type that orders works. Every
function takes its input in any order and returns a sorted list of disjoint, non-empty
intervals, touching ones merged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...
    def __le__(self, other: Any, /) -> bool: ...


T = TypeVar("T", bound=_Ordered)
Span = tuple[T, T]


def merged(spans: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """The union of `spans` as sorted disjoint intervals (empty ones dropped)."""
    out: list[tuple[T, T]] = []
    last_end: T | None = None
    for start, end in sorted(spans):
        if not start < end:
            continue
        if last_end is not None and start <= last_end:
            if last_end < end:
                out[-1] = (out[-1][0], end)
                last_end = end
        else:
            out.append((start, end))
            last_end = end
    return out


def minus(spans: Iterable[tuple[T, T]], holes: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """`spans` without the time of `holes`."""
    base = merged(spans)
    cut = merged(holes)
    out: list[tuple[T, T]] = []
    j = 0
    for start, end in base:
        while j < len(cut) and cut[j][1] <= start:
            j += 1
        k = j
        while k < len(cut) and cut[k][0] < end:
            if start < cut[k][0]:
                out.append((start, cut[k][0]))
            if start < cut[k][1]:
                start = cut[k][1]
            k += 1
        if start < end:
            out.append((start, end))
    return out


def within(spans: Iterable[tuple[T, T]], bounds: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """The parts of `spans` inside `bounds` (their intersection)."""
    a = merged(spans)
    b = merged(bounds)
    out: list[tuple[T, T]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = a[i][0] if b[j][0] < a[i][0] else b[j][0]
        end = a[i][1] if a[i][1] < b[j][1] else b[j][1]
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out
