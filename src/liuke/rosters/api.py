"""The roster's API: a branch's week (working spans and breaks per staff member and weekday)
and its exceptions; setting a weekday, adding and taking back an exception. The same services
as the pages (`rosters.services`)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from liuke.accounts.http import api_actor
from liuke.core.api import ERRORS, READ_ERRORS
from liuke.rosters import selectors, services
from liuke.rosters.models import RosterException, RosterSpan
from liuke.rosters.schemas import (
    DayIn,
    DayOut,
    ExceptionIn,
    ExceptionOut,
    Id,
    RosterOut,
    SpanOut,
    StaffRosterOut,
)

router = Router(tags=["rosters"])


class RosterQuery(Schema):
    staff_id: Id | None = None


def _spans(rows: list[RosterSpan]) -> list[SpanOut]:
    return [SpanOut(starts_at=r.starts_at, ends_at=r.ends_at) for r in rows]


def _exception_out(row: RosterException) -> ExceptionOut:
    return ExceptionOut(
        id=row.pk,
        staff_id=row.staff_id,
        branch_id=row.branch_id,
        day=row.day,
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        reason=row.reason,
    )


@router.get(
    "/rosters/{branch_id}",
    response={200: RosterOut, **READ_ERRORS},
    summary="A branch's roster: each staff member's week and the exceptions from today on",
)
def roster_get(request: HttpRequest, branch_id: Id, filters: Query[RosterQuery]) -> RosterOut:
    found = selectors.branch_roster(
        actor=api_actor(request),
        branch_id=branch_id,
        since=timezone.localdate(),
        staff_id=filters.staff_id,
    )
    opens, closes = found.branch.hours()
    return RosterOut(
        branch_id=found.branch.pk,
        opens_at=opens,
        closes_at=closes,
        time_zone=found.branch.time_zone,
        staff=[
            StaffRosterOut(
                staff_id=w.staff.pk,
                name=str(w.staff),
                days=[
                    DayOut(
                        weekday=d,
                        work=_spans(w.work.get(d, [])),
                        breaks=_spans(w.breaks.get(d, [])),
                    )
                    for d in range(7)
                ],
            )
            for w in found.weeks
        ],
        exceptions=[_exception_out(e) for e in found.exceptions],
    )


@router.put(
    "/rosters/{branch_id}/staff/{staff_id}/days/{weekday}",
    response={200: DayOut, **ERRORS},
    summary="Set a staff member's working spans and breaks on a weekday (0 Monday … 6 Sunday)",
)
def roster_day_set(
    request: HttpRequest, branch_id: Id, staff_id: Id, weekday: int, payload: DayIn
) -> DayOut:
    rows = services.roster_day_set(
        actor=api_actor(request),
        staff_id=staff_id,
        branch_id=branch_id,
        weekday=weekday,
        work=[(s.starts_at, s.ends_at) for s in payload.work],
        breaks=[(s.starts_at, s.ends_at) for s in payload.breaks],
    )
    return DayOut(
        weekday=weekday,
        work=_spans([r for r in rows if r.kind == "work"]),
        breaks=_spans([r for r in rows if r.kind == "break"]),
    )


@router.post(
    "/rosters/{branch_id}/staff/{staff_id}/exceptions",
    response={201: ExceptionOut, **ERRORS},
    summary="Add time off, leave or an extra shift on one day",
)
def roster_exception_add(
    request: HttpRequest, branch_id: Id, staff_id: Id, payload: ExceptionIn
) -> Status[ExceptionOut]:
    row = services.roster_exception_add(
        actor=api_actor(request),
        staff_id=staff_id,
        branch_id=branch_id,
        day=payload.day,
        kind=payload.kind,
        span=payload.span(),
        every_branch=payload.every_branch,
        reason=payload.reason,
    )
    return Status(201, _exception_out(row))


@router.post(
    "/rosters/exceptions/{exception_id}/remove",
    response={200: ExceptionOut, **ERRORS},
    summary="Take back an exception",
)
def roster_exception_remove(request: HttpRequest, exception_id: Id) -> ExceptionOut:
    actor = api_actor(request)
    row = services.roster_exception_remove(actor=actor, exception_id=exception_id)
    return _exception_out(row)
