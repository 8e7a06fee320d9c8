from __future__ import annotations

import calendar
import datetime as dt

import numpy as np


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (clamped to the month's end)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def local_days(seconds: np.ndarray) -> np.ndarray:
    """The local calendar day (settings.TIME_ZONE) of each UTC epoch second, as datetime64[D].

    Vectorised for zones with one offset over the span (Asia/Shanghai); exact per moment where
    the offset changes within it (daylight saving)."""
    from django.utils import timezone

    seconds = np.asarray(seconds, dtype=np.int64)
    if len(seconds) == 0:
        return seconds.astype("datetime64[D]")
    zone = timezone.get_default_timezone()
    lo, hi = int(seconds.min()), int(seconds.max())
    offsets = {dt.datetime.fromtimestamp(s, tz=zone).utcoffset() for s in (lo, (lo + hi) // 2, hi)}
    if len(offsets) == 1:
        offset = int(next(iter(offsets)).total_seconds())  # type: ignore[union-attr]
        return ((seconds + offset) // 86400).astype("datetime64[D]")
    return np.array(
        [dt.datetime.fromtimestamp(int(s), tz=zone).date() for s in seconds.tolist()],
        dtype="datetime64[D]",
    )
