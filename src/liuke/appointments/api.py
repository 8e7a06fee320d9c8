"""The appointment book over HTTP, under /api/v1/appointments. Thin: parse, call a service or
selector, shape the answer; times are answered on the branch's clock (with its offset).
A booking honours the `Idempotency-Key` header (the same request sent again books once);
a taken time answers 409 `slot_taken`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from liuke.accounts.http import api_actor
from liuke.accounts.models import User
from liuke.appointments import selectors, services, timing
from liuke.appointments.models import Appointment, AppointmentItem, Resource, ServiceResource
from liuke.appointments.schemas import (
    AppointmentBookIn,
    AppointmentCancelIn,
    AppointmentOut,
    AppointmentStatusIn,
    CustomerBookOut,
    DayBookOut,
    DayQuery,
    Id,
    ItemMoveIn,
    ResourceIn,
    ResourceOut,
    ResourcePatchIn,
    ServiceResourceIn,
    ServiceResourceOut,
)
from liuke.core.api import ERRORS, READ_ERRORS, ErrorOut
from liuke.core.idempotency import HEADER, run_idempotent

router = Router(tags=["appointments"])
BOOK_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}
_IDEMPOTENT = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "description": "8 to 100 letters, digits or . _ : -: the same request sent again "
            "with the same key books once and answers the first answer.",
            "schema": {"type": "string"},
        }
    ]
}


# --- shaping ---------------------------------------------------------------------------------


def _resource(r: Resource) -> dict[str, Any]:
    return {
        "id": r.pk,
        "branch_id": r.branch_id,
        "name": r.name,
        "kind": r.kind,
        "count": r.count,
        "is_active": r.is_active,
    }


def _service_resource(n: ServiceResource) -> dict[str, Any]:
    return {"id": n.pk, "service_id": n.service_id, "kind": n.kind, "resource_id": n.resource_id}


def _item(i: AppointmentItem, appointment: Appointment) -> dict[str, Any]:
    return {
        "id": i.pk,
        "appointment_id": i.appointment_id,
        "service_id": i.service_id,
        "service_name": i.service.name,
        "staff_id": i.staff_id,
        "staff_name": str(i.staff),
        "resource_id": i.resource_id,
        "resource_name": i.resource.name if i.resource else None,
        "resource_unit": i.resource_unit,
        "start_at": timing.local(appointment.branch, i.start_at),
        "end_at": timing.local(appointment.branch, i.end_at),
        "active": i.active,
    }


def _appointment(actor: User, a: Appointment, items: list[AppointmentItem]) -> dict[str, Any]:
    at = timing.local(a.branch, a.starts_at)
    return {
        "id": a.pk,
        "branch_id": a.branch_id,
        "customer_id": a.customer_id,
        "customer_name": selectors.customer_name(actor, a.customer),
        "status": a.status,
        "source": a.source,
        "notes": a.notes,
        "starts_at": at,
        "cancelled_at": timing.local(a.branch, a.cancelled_at) if a.cancelled_at else None,
        "cancel_reason": a.cancel_reason,
        "late_cancellation": a.late_cancellation,
        "outside_hours": a.outside_hours,
        "items": [_item(i, a) for i in items],
    }


def _detail(actor: User, appointment_id: int) -> dict[str, Any]:
    a = selectors.appointment_get(actor=actor, appointment_id=appointment_id)
    return _appointment(actor, a, selectors.appointment_items(actor, a))


# --- resources -------------------------------------------------------------------------------


@router.get(
    "/appointments/resources",
    response={200: list[ResourceOut], **READ_ERRORS},
    summary="A branch's resources (rooms, beds, devices) and their counts",
)
def resource_list(request: HttpRequest, branch_id: Id) -> list[dict[str, Any]]:
    rows = selectors.resource_list(actor=api_actor(request), branch_id=branch_id)
    return [_resource(r) for r in rows]


@router.post(
    "/appointments/resources",
    response={201: ResourceOut, **ERRORS},
    summary="Add a resource to a branch (owners and managers)",
)
def resource_create(request: HttpRequest, payload: ResourceIn) -> Status[Any]:
    r = services.resource_create(actor=api_actor(request), **payload.dict())
    return Status(201, _resource(r))


@router.get(
    "/appointments/resources/{resource_id}",
    response={200: ResourceOut, **READ_ERRORS},
    summary="One resource",
)
def resource_get(request: HttpRequest, resource_id: Id) -> dict[str, Any]:
    return _resource(selectors.resource_get(actor=api_actor(request), resource_id=resource_id))


@router.patch(
    "/appointments/resources/{resource_id}",
    response={200: ResourceOut, **ERRORS},
    summary="Change a resource (name, kind, count, in use); a resource is retired, not deleted",
)
def resource_update(request: HttpRequest, resource_id: Id, payload: ResourcePatchIn) -> Any:
    data = payload.dict(exclude_unset=True)
    r = services.resource_update(actor=api_actor(request), resource_id=resource_id, data=data)
    return _resource(r)


@router.get(
    "/appointments/service-resources",
    response={200: list[ServiceResourceOut], **READ_ERRORS},
    summary="The resources services need",
)
def service_resource_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_service_resource(n) for n in selectors.service_resources(actor=api_actor(request))]


@router.put(
    "/appointments/service-resources",
    response={200: ServiceResourceOut, **ERRORS},
    summary="Say which resource (kind, or one named resource) a service needs",
)
def service_resource_set(request: HttpRequest, payload: ServiceResourceIn) -> dict[str, Any]:
    return _service_resource(
        services.service_resource_set(actor=api_actor(request), **payload.dict())
    )


@router.delete(
    "/appointments/service-resources/{service_id}",
    response={204: None, **ERRORS},
    summary="The service needs no resource any more",
)
def service_resource_clear(request: HttpRequest, service_id: Id) -> Status[None]:
    services.service_resource_clear(actor=api_actor(request), service_id=service_id)
    return Status(204, None)


# --- the book --------------------------------------------------------------------------------


@router.get(
    "/appointments",
    # 400: a day outside the calendar's bounds (core.inputs.Day: date_out_of_range)
    response={200: DayBookOut, 400: ErrorOut, **READ_ERRORS},
    summary="A branch's appointments on one day (its clock); a beautician sees their own",
)
def day_book(request: HttpRequest, q: Query[DayQuery]) -> dict[str, Any]:
    actor = api_actor(request)
    book = selectors.day_book(actor=actor, branch_id=q.branch_id, day=q.day)
    by_appointment: dict[int, list[AppointmentItem]] = {}
    for item in book.items:
        by_appointment.setdefault(item.appointment_id, []).append(item)
    rows = []
    for items in by_appointment.values():
        appointment = items[0].appointment
        appointment.branch = book.branch
        rows.append(_appointment(actor, appointment, items))
    return {
        "branch_id": book.branch.pk,
        "day": book.day,
        "time_zone": book.branch.time_zone,
        "appointments": rows,
    }


@router.post(
    "/appointments",
    response={201: AppointmentOut, **BOOK_ERRORS},
    summary="Book an appointment of one or more services (409 slot_taken when the time is taken)",
    openapi_extra=_IDEMPOTENT,
)
def appointment_book(request: HttpRequest, payload: AppointmentBookIn) -> Status[Any]:
    actor = api_actor(request)

    def work() -> tuple[int, Any]:
        a = services.appointment_book(actor=actor, **payload.dict())
        return 201, _detail(actor, a.pk)

    return Status(*run_idempotent(request, actor.pk, work))


@router.get(
    "/appointments/customers/{customer_id}",
    response={200: CustomerBookOut, **READ_ERRORS},
    summary="A customer's appointments and no-show / late-cancellation counts (audited read)",
)
def customer_appointments(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    actor = api_actor(request)
    book = selectors.customer_appointments(actor=actor, customer_id=customer_id)
    rows = []
    for a in book.appointments:
        a.customer = book.customer
        rows.append(_appointment(actor, a, selectors.appointment_items(actor, a)))
    return {
        "customer_id": book.customer.pk,
        "no_shows": book.attendance.no_shows,
        "late_cancellations": book.attendance.late_cancellations,
        "appointments": rows,
    }


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **READ_ERRORS},
    summary="One appointment with its items (audited read)",
)
def appointment_get(request: HttpRequest, appointment_id: Id) -> dict[str, Any]:
    return _detail(api_actor(request), appointment_id)


@router.post(
    "/appointments/items/{item_id}/move",
    response={200: AppointmentOut, **BOOK_ERRORS},
    summary="Move, resize or re-staff an item, checked for conflicts (409 slot_taken)",
)
def item_move(request: HttpRequest, item_id: Id, payload: ItemMoveIn) -> dict[str, Any]:
    actor = api_actor(request)
    item = services.appointment_item_move(actor=actor, item_id=item_id, **payload.dict())
    return _detail(actor, item.appointment_id)


@router.post(
    "/appointments/{appointment_id}/status",
    response={200: AppointmentOut, **ERRORS},
    summary="Confirm, check in, start, complete, or record a no-show",
)
def status_set(
    request: HttpRequest, appointment_id: Id, payload: AppointmentStatusIn
) -> dict[str, Any]:
    actor = api_actor(request)
    services.appointment_status_set(
        actor=actor, appointment_id=appointment_id, status=payload.status
    )
    return _detail(actor, appointment_id)


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **ERRORS},
    summary="Cancel (who, when, why; late inside the business's notice window)",
)
def cancel(request: HttpRequest, appointment_id: Id, payload: AppointmentCancelIn) -> Any:
    actor = api_actor(request)
    services.appointment_cancel(actor=actor, appointment_id=appointment_id, **payload.dict())
    return _detail(actor, appointment_id)
