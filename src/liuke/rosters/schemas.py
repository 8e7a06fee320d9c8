"""Typed inputs of the roster's set-up, shared by the API (request bodies) and the roster pages
(`liuke.core.inputs.parse_form`): a weekday's working spans and breaks, an exception of one
day. The models check the shape (times of day, a day within the planning range, lengths); the
services decide the rest (opening hours, overlaps, who may)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict, Strict

from liuke.core.api import JsonObjectIn
from liuke.core.inputs import ClockTime, ClockTimeOut, PlannedDay, one_of
from liuke.rosters.choices import ExceptionKind
from liuke.rosters.errors import RosterErrorCode

Id = Annotated[int, Field(ge=1, le=2**62)]
Kind = Annotated[
    ExceptionKind,
    Strict(False),
    one_of(ExceptionKind.values, RosterErrorCode.INVALID_EXCEPTION),
]


class _RosterIn(JsonObjectIn):
    model_config = ConfigDict(extra="forbid")


class SpanIn(_RosterIn):
    """A span of a day (wall clock of the branch); an end before the start runs past midnight."""

    starts_at: ClockTime
    ends_at: ClockTime


class DayIn(_RosterIn):
    """A weekday's working spans and breaks at a branch (none: not working that day)."""

    work: Annotated[list[SpanIn], Field(max_length=6)] = []
    breaks: Annotated[list[SpanIn], Field(max_length=6)] = []


class DayForm(_RosterIn):
    """The page's form of a weekday: the spans' starts and ends as repeated boxes."""

    work_from: Annotated[list[ClockTime], Field(max_length=6)] = []
    work_until: Annotated[list[ClockTime], Field(max_length=6)] = []
    break_from: Annotated[list[ClockTime], Field(max_length=6)] = []
    break_until: Annotated[list[ClockTime], Field(max_length=6)] = []


class ExceptionIn(_RosterIn):
    """Time off, leave or an extra shift on one day: the whole day without times."""

    day: PlannedDay
    kind: Kind
    starts_at: ClockTime | None = None
    ends_at: ClockTime | None = None
    every_branch: bool = False
    reason: Annotated[str, Field(max_length=200)] = ""

    def span(self) -> tuple[dt.time, dt.time] | None:
        """The span, None for the whole day; one time alone is a span without length, which
        the service refuses (`invalid_span`)."""
        if self.starts_at is None and self.ends_at is None:
            return None
        one = self.starts_at or self.ends_at
        assert one is not None
        return (self.starts_at or one, self.ends_at or one)


class SpanOut(Schema):
    starts_at: ClockTimeOut
    ends_at: ClockTimeOut


class DayOut(Schema):
    weekday: int
    work: list[SpanOut]
    breaks: list[SpanOut]


class ExceptionOut(Schema):
    id: int
    staff_id: int
    branch_id: int | None
    day: dt.date
    kind: str
    starts_at: ClockTimeOut | None
    ends_at: ClockTimeOut | None
    reason: str


class StaffRosterOut(Schema):
    staff_id: int
    name: str
    days: list[DayOut]


class RosterOut(Schema):
    branch_id: int
    opens_at: ClockTimeOut
    closes_at: ClockTimeOut
    time_zone: str
    staff: list[StaffRosterOut]
    exceptions: list[ExceptionOut]
