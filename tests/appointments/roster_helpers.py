"""A roster for the appointment tests: every day 09:00–18:00 with a lunch break 12:00–13:00,
and services with a processing gap and a clean-up buffer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from liuke.accounts.models import Branch, User
from liuke.rosters.choices import SpanKind
from liuke.rosters.models import RosterSpan
from liuke.sales.models import Service


def roster_make(branch: Branch, staff: Iterable[User]) -> None:
    RosterSpan.objects.bulk_create(
        RosterSpan(
            staff=member,
            branch=branch,
            weekday=day,
            kind=kind,
            starts_at=dt.time(start),
            ends_at=dt.time(end),
        )
        for member in staff
        for day in range(7)
        for kind, start, end in ((SpanKind.WORK, 9, 18), (SpanKind.BREAK, 12, 13))
    )


def colour_make(branch: Branch, *, gap: int = 30, cleanup: int = 15) -> Service:
    """Colour: 30 minutes of work, `gap` minutes developing, `cleanup` minutes clearing up."""
    return Service.objects.create(
        business_id=branch.business_id,
        category="hair",
        name="染发",
        duration_min=30,
        processing_gap_min=gap,
        cleanup_min=cleanup,
        price_fen=1,
    )
