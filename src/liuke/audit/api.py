"""The audit log over HTTP (owners and auditors): GET /api/v1/audit/events with the page's
filters and cursor pagination; the unusual-reading flags and their acknowledgement."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from liuke.accounts.http import api_actor
from liuke.audit import exports, selectors, services
from liuke.audit.choices import Action
from liuke.audit.models import AuditEvent, AuditFlag
from liuke.core.api import ERRORS, READ_ERRORS, JsonObjectIn
from liuke.core.inputs import Choice, Moment

router = Router(tags=["audit"])


class EventOut(Schema):
    seq: int
    occurred_at: dt.datetime
    staff_id: int | None
    staff: str
    action: str
    customer_ids: list[int]
    fields: list[str]
    reason: str
    request_id: str
    client_ip: str
    prev_hash: str
    hash: str


class EventPageOut(Schema):
    items: list[EventOut]
    next_cursor: int | None = Field(
        None, description="Pass as `cursor` for the next (older) page; null on the last page"
    )


class FlagOut(Schema):
    id: int
    kind: str
    staff_id: int | None
    staff: str
    window_start: dt.datetime
    window_end: dt.datetime
    customers: int
    first_seq: int
    last_seq: int
    acknowledged_at: dt.datetime | None
    acknowledged_by_id: int | None
    note: str


class AuditExportIn(selectors.AuditFilters):
    """An export of the filtered log: the filters of the browse call, a format and a reason."""

    # strict as every body (liuke.core.api.JsonObjectIn); the action is its choice's text
    model_config = ConfigDict(extra="forbid", strict=True)

    action: Choice[Action] | None = None
    since: Moment | None = Field(None, description="From this moment (inclusive)")
    until: Moment | None = Field(None, description="Up to this moment (exclusive)")
    format: Literal["xlsx", "csv"] = "csv"
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class AcknowledgeIn(JsonObjectIn):
    note: Annotated[str, Field(max_length=500)] = ""


def _event(e: AuditEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "occurred_at": e.occurred_at,
        "staff_id": e.actor_id,
        "staff": e.staff_name,  # type: ignore[attr-defined]
        "action": e.action,
        "customer_ids": list(e.customer_ids),
        "fields": list(e.fields),
        "reason": e.reason,
        "request_id": e.request_id,
        "client_ip": e.client_ip,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


def _flag(f: AuditFlag) -> dict[str, Any]:
    return {
        "id": f.pk,
        "kind": f.kind,
        "staff_id": f.actor_id,
        "staff": getattr(f, "staff_name", f.actor_label),
        "window_start": f.window_start,
        "window_end": f.window_end,
        "customers": f.customers,
        "first_seq": f.first_seq,
        "last_seq": f.last_seq,
        "acknowledged_at": f.acknowledged_at,
        "acknowledged_by_id": f.acknowledged_by_id,
        "note": f.note,
    }


@router.get(
    "/audit/events", response={200: EventPageOut, **READ_ERRORS}, summary="Browse the audit log"
)
def audit_events(request: HttpRequest, filters: Query[selectors.AuditFilters]) -> dict[str, Any]:
    page = selectors.audit_events(actor=api_actor(request), filters=filters)
    return {"items": [_event(e) for e in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/audit/exports",
    response={200: None, **ERRORS},
    summary="Export the audit log (CSV or xlsx; recorded first, with its reason)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The filtered log, newest first, as a file",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    exports.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def audit_export(request: HttpRequest, payload: AuditExportIn) -> HttpResponseBase:
    actor = api_actor(request)
    filters = selectors.AuditFilters(**payload.model_dump(exclude={"format", "reason"}))
    event = services.audit_export_record(
        actor=actor, filters=filters, file_format=payload.format, reason=payload.reason
    )
    return exports.export_response(
        actor=actor, filters=filters, event=event, file_format=payload.format
    )


@router.get("/audit/flags", response={200: list[FlagOut], **READ_ERRORS}, summary="Unusual reading")
def audit_flags(request: HttpRequest, open_only: bool = False) -> list[dict[str, Any]]:
    return [_flag(f) for f in selectors.audit_flags(actor=api_actor(request), open_only=open_only)]


@router.post(
    "/audit/flags/{flag_id}/acknowledge",
    response={200: FlagOut, **ERRORS},
    summary="Acknowledge a flag",
)
def audit_flag_acknowledge(
    request: HttpRequest, flag_id: Annotated[int, Field(ge=1, le=2**62)], payload: AcknowledgeIn
) -> dict[str, Any]:
    flag = services.audit_flag_acknowledge(
        actor=api_actor(request), flag_id=flag_id, note=payload.note
    )
    return _flag(flag)
