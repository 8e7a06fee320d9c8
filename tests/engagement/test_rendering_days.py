"""Days in messages read as a person writes them: 12月14日, the year only when it is another."""

from __future__ import annotations

import datetime as dt

import time_machine

from liuke.engagement.rendering import _day


def test_days_in_messages() -> None:
    with time_machine.travel(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        assert _day(dt.date(2026, 12, 14), english=False) == "12月14日"
        assert _day(dt.date(2027, 1, 3), english=False) == "2027年1月3日"
        assert _day(dt.date(2026, 12, 14), english=True) == "December 14"
        assert _day(dt.date(2027, 1, 3), english=True) == "January 3, 2027"
