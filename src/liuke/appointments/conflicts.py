"""No double booking, ever: the conflict rule on both databases.

PostgreSQL: the database refuses it. Two exclusion constraints over the items' time ranges
(`btree_gist`, migration 0002), partial on `active` so that a cancelled or no-show item holds
nothing: one staff member never in two overlapping active items; one unit of a resource never
in two. A resource of count N has units 0 … N-1 and each item holds one (`free_unit` picks it,
with the resource's row locked through `liuke.core.locking`, so two bookings of one resource
pick units one after the other instead of both taking unit 0 and one failing while unit 1 is
free). The violation (SQLSTATE 23P01) becomes `SlotTaken` (`slot_taken`, HTTP 409).

SQLite: an IMMEDIATE transaction holds the database's write lock from its BEGIN, so the checks
below, run inside the booking's transaction before it writes, cannot be overtaken by another
writer. The same checks run first on PostgreSQL too (a clear error without a failed insert);
there the constraints decide the races.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Sequence
from typing import ParamSpec, TypeVar

from django.db import IntegrityError

from liuke.appointments import timing
from liuke.appointments.errors import SlotTaken
from liuke.appointments.models import AppointmentItem, Resource

#: PostgreSQL's exclusion_violation.
EXCLUSION_VIOLATION = "23P01"
STAFF_CONSTRAINT = "appt_item_staff_no_overlap"
RESOURCE_CONSTRAINT = "appt_item_resource_no_overlap"

_P = ParamSpec("_P")
_R = TypeVar("_R")


def is_slot_clash(exc: BaseException) -> bool:
    """Whether a database error is one of the exclusion constraints refusing an overlap."""
    seen: BaseException | None = exc
    while seen is not None:
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if code == EXCLUSION_VIOLATION:
            return True
        seen = seen.__cause__
    return False


def slot_guarded(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn the database's refusal of an overlap into `SlotTaken`. Put it *above*
    `@transaction.atomic`: the failed transaction (or savepoint) is rolled back first."""

    @functools.wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except IntegrityError as exc:
            if is_slot_clash(exc):
                raise SlotTaken() from exc
            raise

    return run


def staff_free(
    staff_id: int,
    parts: Sequence[tuple[dt.datetime, dt.datetime]],
    *,
    ignore: Collection[int] = (),
) -> bool:
    """Whether the staff member holds no active item (at any branch) whose staff-held parts
    overlap `parts` (the new item's, `timing.staff_parts`): a colleague's processing gap is
    free time (`ignore`: the items being moved)."""
    if not parts:
        return True
    first, last = min(a for a, _b in parts), max(b for _a, b in parts)
    qs = AppointmentItem.objects.filter(
        staff_id=staff_id, active=True, start_at__lt=last, end_at__gt=first
    )
    if ignore:
        qs = qs.exclude(pk__in=list(ignore))
    for start, end, gap_start, gap_end in qs.values_list(
        "start_at", "end_at", "gap_start_at", "gap_end_at"
    ):
        gap = (gap_start, gap_end) if gap_start is not None and gap_end is not None else None
        for a, b in timing.staff_parts(start, end, gap):
            if any(a < e and s < b for s, e in parts):
                return False
    return True


def free_unit(
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    *,
    ignore: Collection[int] = (),
    prefer: int | None = None,
) -> int | None:
    """A unit of `resource` no active item holds during [start, end) (`prefer` if it is free),
    or None when all `count` are taken. The caller has locked the resource's row."""
    qs = AppointmentItem.objects.filter(
        resource=resource, active=True, start_at__lt=end, end_at__gt=start
    )
    if ignore:
        qs = qs.exclude(pk__in=list(ignore))
    used = set(qs.values_list("resource_unit", flat=True))
    if prefer is not None and prefer < resource.count and prefer not in used:
        return prefer
    return next((unit for unit in range(resource.count) if unit not in used), None)
