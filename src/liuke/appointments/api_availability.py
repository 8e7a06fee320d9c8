"""Availability over HTTP: `GET /api/v1/appointments/availability`, the free start times of a
service at a branch for a staff member or any (`appointments.availability`). Names no
customer; any staff member who reads the branch's book may ask."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from liuke.accounts.http import api_actor
from liuke.appointments import timing
from liuke.appointments.availability import availability_for
from liuke.appointments.schemas import AvailabilityOut, AvailabilityQuery, PerformerOut
from liuke.core.api import READ_ERRORS, ErrorOut

router = Router(tags=["appointments"])


@router.get(
    "/appointments/availability",
    # 400: a day outside the calendar's bounds (core.inputs.Day: date_out_of_range)
    response={200: AvailabilityOut, 400: ErrorOut, **READ_ERRORS},
    summary="Free start times of a service at a branch, for one staff member or any",
)
def availability_get(request: HttpRequest, filters: Query[AvailabilityQuery]) -> AvailabilityOut:
    actor = api_actor(request)
    found = availability_for(
        actor=actor,
        branch_id=filters.branch_id,
        service_id=filters.service_id,
        day=filters.day or timezone.localdate(),
        days=filters.days,
        staff_id=filters.staff_id,
        step_min=filters.step_min,
    )
    zone = timing.branch_zone(found.branch)
    starts = found.any_staff if filters.staff_id is None else found.by_staff.get(filters.staff_id)
    return AvailabilityOut(
        branch_id=found.branch.pk,
        service_id=found.service.pk,
        staff_id=filters.staff_id,
        time_zone=found.branch.time_zone,
        starts=[s.astimezone(zone) for s in starts or []],
        performers=[PerformerOut(staff_id=s.pk, name=str(s)) for s in found.staff],
    )
