"""Calendar months as commission statements count them (a month is named by its first day)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.core.errors import ServiceError
from liuke.sales.errors import SalesErrorCode


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_closable(month: dt.date, today: dt.date | None = None) -> bool:
    """A month may be closed from the 2nd of the next month: every commission line is dated
    when it is written, and a day's margin covers the branches' time zones, so no line can
    land in a month once it is closed."""
    today = today or timezone.localdate()
    return today >= next_month(month) + dt.timedelta(days=1)


def parse_month(text: str | None, default: dt.date | None = None) -> dt.date:
    """ "2026-11" (or a full date) → its month's first day; empty: `default` or this month."""
    if not text:
        return month_start(default or timezone.localdate())
    try:
        day = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        raise ServiceError(
            SalesErrorCode.INVALID_DATE,
            _("Enter a month as YYYY-MM."),
            fields={"month": [_("Enter a month as YYYY-MM.")]},
        ) from None
    if not 2000 <= day.year <= 2100:
        raise ServiceError(SalesErrorCode.INVALID_DATE, _("Enter a date between 2000 and 2100."))
    return month_start(day)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
