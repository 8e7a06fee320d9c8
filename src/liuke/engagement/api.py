"""Contacts, callback tasks, follow-ups, the outbox, reports and the brief over HTTP, under
/api/v1/engagement/. Thin: parse, call a service or selector, shape the answer. Errors in the
shared shape with stable codes (invalid_reason, invalid_outcome, followup_closed, …)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from liuke.accounts import policy
from liuke.accounts.http import api_actor
from liuke.core.api import ERRORS, READ_ERRORS, JsonObjectIn
from liuke.core.inputs import Moment, PlannedMoment
from liuke.engagement import brief as brief_selectors
from liuke.engagement import selectors, services
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.models import Contact, FollowUp, Message, Task
from liuke.engagement.schemas import CompleteIn, NoteIn, ReasonIn, RescheduleIn

router = Router(tags=["engagement"])

Id = Annotated[int, Field(ge=1, le=2**62)]
Seconds = Annotated[int, Field(ge=0, le=services.MAX_SECONDS)]
_NO_NUL = r"^[^\x00]*$"


class ReasonOut(Schema):
    id: int
    code: str
    name: str
    name_zh: str
    name_en: str
    best_response: str
    is_active: bool


class ContactIn(JsonObjectIn):
    customer_id: Id
    channel: Literal["phone", "wechat", "sms", "walk_in", "visit"]
    direction: Literal["in", "out"]
    reason_id: Id
    outcome: Literal["resolved", "callback", "no_answer", "booked", "complaint"]
    notes: str = Field("", max_length=2000, pattern=_NO_NUL)
    occurred_at: Moment | None = None
    wait_seconds: Seconds = 0
    handle_seconds: Seconds = 0
    callback_due_at: PlannedMoment | None = None


class ContactOut(Schema):
    id: int
    customer_id: int
    channel: str
    direction: str
    reason_id: int
    outcome: str
    notes: str
    staff_id: int
    occurred_at: dt.datetime
    wait_seconds: int
    handle_seconds: int
    callback_task_id: int | None = None


class TaskOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    mobile: str = Field(
        "", description="In full for whoever owns the open task (to call), masked otherwise"
    )
    kind: str
    contact_id: int | None
    assignee_id: int | None
    due_at: dt.datetime
    status: str
    escalated_at: dt.datetime | None


class FollowUpOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    mobile: str = Field(
        "", description="In full for whoever owns the open follow-up (to call), masked otherwise"
    )
    visit_id: int
    purpose: str
    assignee_id: int | None
    planned_on: dt.date
    due_on: dt.date
    status: str
    outcome: str
    note: str
    attempts: int = Field(0, description="Calls that went unanswered and were tried again")
    done_at: dt.datetime | None


class FollowUpQuery(Schema):
    view: Literal["today", "overdue", "upcoming", "done"] = "today"
    staff: Id | None = None
    branch: Id | None = None


class MessageOut(Schema):
    id: int
    customer_id: int
    kind: str
    is_marketing: bool
    channel: str
    occasion_on: dt.date
    body: str
    status: str
    sent_at: dt.datetime | None
    sent_by_id: int | None


class OutboxQuery(Schema):
    status: Literal["queued", "ready", "sent", "cancelled", "failed"] = "ready"


class ReportQuery(Schema):
    days: int = Field(30, ge=1, le=366)
    branch: Id | None = None


class ReasonRow(Schema):
    reason_id: int
    reason: str
    n: int
    unresolved: int
    unresolved_share: float


class OutcomeRow(Schema):
    outcome: str
    label: str
    n: int


class RateOut(Schema):
    label: str
    due: int
    on_time: int
    rate: float | None


class ReportOut(Schema):
    days: int
    total: int
    unresolved: int
    unresolved_share: float | None
    by_reason: list[ReasonRow]
    by_outcome: list[OutcomeRow]
    most_unresolved: list[ReasonRow]
    on_time_by_staff: list[RateOut]
    on_time_by_branch: list[RateOut]


class VisitBriefOut(Schema):
    id: int
    visited_at: dt.datetime
    served_by: str
    services: list[str]


class BriefOut(Schema):
    customer_id: int
    name: str
    allergies: str
    contraindications: str
    preferences: str
    tier: str
    birthday_in_days: int | None
    stored_value_fen: int | None
    visits: list[VisitBriefOut]
    open_followups: list[FollowUpOut]
    open_complaints: int
    suggested_actions: list[str]


# --- reasons ------------------------------------------------------------------------------------


def _reason_out(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "code": r.code,
        "name": r.name,
        "name_zh": r.name_zh,
        "name_en": r.name_en,
        "best_response": r.best_response,
        "is_active": r.is_active,
    }


@router.get("/reasons", response={200: list[ReasonOut], **READ_ERRORS}, summary="Contact reasons")
def reason_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = api_actor(request)
    policy.require(actor, EngagementCap.ENGAGEMENT_VIEW)
    return [_reason_out(r) for r in selectors.reasons(actor=actor)]


@router.post("/reasons", response={201: ReasonOut, **ERRORS}, summary="Add a contact reason")
def reason_create(request: HttpRequest, payload: ReasonIn) -> Status[Any]:
    reason = services.reason_save(actor=api_actor(request), **payload.dict())
    return Status(201, _reason_out(reason))


@router.put(
    "/reasons/{reason_id}", response={200: ReasonOut, **ERRORS}, summary="Change a contact reason"
)
def reason_update(request: HttpRequest, reason_id: Id, payload: ReasonIn) -> dict[str, Any]:
    reason = services.reason_save(actor=api_actor(request), reason_id=reason_id, **payload.dict())
    return _reason_out(reason)


# --- contacts -----------------------------------------------------------------------------------


def _contact_out(c: Contact, task_id: int | None = None) -> dict[str, Any]:
    return {
        "id": c.pk,
        "customer_id": c.customer_id,
        "channel": c.channel,
        "direction": c.direction,
        "reason_id": c.reason_id,
        "outcome": c.outcome,
        "notes": c.notes,
        "staff_id": c.staff_id,
        "occurred_at": c.occurred_at,
        "wait_seconds": c.wait_seconds,
        "handle_seconds": c.handle_seconds,
        "callback_task_id": task_id,
    }


@router.post(
    "/contacts",
    response={201: ContactOut, **ERRORS},
    summary="Log a contact (an open outcome creates a callback task)",
)
def contact_create(request: HttpRequest, payload: ContactIn) -> Status[Any]:
    contact = services.contact_log(actor=api_actor(request), **payload.dict())
    task = contact.tasks.first()
    return Status(201, _contact_out(contact, task.pk if task else None))


@router.get(
    "/customers/{customer_id}/contacts",
    response={200: list[ContactOut], **READ_ERRORS},
    summary="A customer's contacts, newest first",
)
def customer_contacts(request: HttpRequest, customer_id: Id) -> list[dict[str, Any]]:
    from liuke.customers.selectors import customer_get

    actor = api_actor(request)
    policy.require(actor, EngagementCap.ENGAGEMENT_VIEW)
    customer = customer_get(actor=actor, customer_id=customer_id, purpose="contacts")
    return [_contact_out(c) for c in selectors.contacts(actor=actor, customer=customer)]


# --- tasks --------------------------------------------------------------------------------------


def _task_out(t: Task) -> dict[str, Any]:
    return {
        "id": t.pk,
        "customer_id": t.customer_id,
        "customer_name": t.customer.name,
        "mobile": t.phone,
        "kind": t.kind,
        "contact_id": t.contact_id,
        "assignee_id": t.assignee_id,
        "due_at": t.due_at,
        "status": t.status,
        "escalated_at": t.escalated_at,
    }


@router.get("/tasks", response={200: list[TaskOut], **READ_ERRORS}, summary="Open tasks")
def task_list(
    request: HttpRequest, staff: Id | None = None, overdue: bool = False
) -> list[dict[str, Any]]:
    rows = selectors.tasks(actor=api_actor(request), staff_id=staff, overdue_only=overdue)
    return [_task_out(t) for t in rows]


@router.post("/tasks/{task_id}/done", response={200: TaskOut, **ERRORS}, summary="Close a task")
def task_done(request: HttpRequest, task_id: Id, payload: NoteIn) -> dict[str, Any]:
    task = services.task_complete(actor=api_actor(request), task_id=task_id, note=payload.note)
    return _task_out(task)


# --- follow-ups ---------------------------------------------------------------------------------


def _followup_out(f: FollowUp) -> dict[str, Any]:
    return {
        "id": f.pk,
        "customer_id": f.customer_id,
        "customer_name": f.customer.name,
        "mobile": f.phone,
        "visit_id": f.visit_id,
        "purpose": f.rule.purpose,
        "assignee_id": f.assignee_id,
        "planned_on": f.planned_on,
        "due_on": f.due_on,
        "status": f.status,
        "outcome": f.outcome,
        "note": f.note,
        "attempts": f.attempts,
        "done_at": f.done_at,
    }


@router.get(
    "/followups",
    response={200: list[FollowUpOut], **READ_ERRORS},
    summary="Today's, overdue, upcoming or done follow-ups (yours; a manager's pick of staff)",
)
def followup_list(request: HttpRequest, q: Query[FollowUpQuery]) -> list[dict[str, Any]]:
    rows = selectors.followups(
        actor=api_actor(request), view=q.view, staff_id=q.staff, branch_id=q.branch
    )
    return [_followup_out(f) for f in rows]


@router.post(
    "/followups/{followup_id}/done",
    response={200: FollowUpOut, **ERRORS},
    summary="Complete a follow-up with an outcome and a note",
)
def followup_done(request: HttpRequest, followup_id: Id, payload: CompleteIn) -> dict[str, Any]:
    f = services.followup_complete(
        actor=api_actor(request),
        followup_id=followup_id,
        outcome=payload.outcome,
        note=payload.note,
    )
    return _followup_out(f)


@router.post(
    "/followups/{followup_id}/reschedule",
    response={200: FollowUpOut, **ERRORS},
    summary="Move a follow-up to another day",
)
def followup_move(request: HttpRequest, followup_id: Id, payload: RescheduleIn) -> dict[str, Any]:
    f = services.followup_reschedule(
        actor=api_actor(request), followup_id=followup_id, due_on=payload.due_on, note=payload.note
    )
    return _followup_out(f)


# --- outbox, reports, brief ---------------------------------------------------------------------


def _message_out(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk,
        "customer_id": m.customer_id,
        "kind": m.kind,
        "is_marketing": m.is_marketing,
        "channel": m.channel,
        "occasion_on": m.occasion_on,
        "body": m.body,
        "status": m.status,
        "sent_at": m.sent_at,
        "sent_by_id": m.sent_by_id,
    }


@router.get("/outbox", response={200: list[MessageOut], **READ_ERRORS}, summary="The outbox")
def outbox(request: HttpRequest, q: Query[OutboxQuery]) -> list[dict[str, Any]]:
    return [_message_out(m) for m in selectors.outbox(actor=api_actor(request), status=q.status)]


@router.post(
    "/outbox/{message_id}/sent",
    response={200: MessageOut, **ERRORS},
    summary="Mark an outbox message as sent by hand",
)
def outbox_sent(request: HttpRequest, message_id: Id) -> dict[str, Any]:
    return _message_out(services.message_mark_sent(actor=api_actor(request), message_id=message_id))


@router.get("/reports", response={200: ReportOut, **READ_ERRORS}, summary="Contact reports")
def reports(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
    actor = api_actor(request)
    report = selectors.contact_report(actor=actor, days=q.days, branch_id=q.branch)
    staff, branches = selectors.on_time_rates(actor=actor, days=q.days)

    def rates(rows: list[selectors.OnTime]) -> list[dict[str, Any]]:
        return [
            {"label": r.label, "due": r.due, "on_time": r.on_time, "rate": r.rate} for r in rows
        ]

    return {
        "days": report.days,
        "total": report.total,
        "unresolved": report.unresolved,
        "unresolved_share": report.unresolved_share,
        "by_reason": report.by_reason,
        "by_outcome": report.by_outcome,
        "most_unresolved": report.unresolved_reasons,
        "on_time_by_staff": rates(staff),
        "on_time_by_branch": rates(branches),
    }


@router.get(
    "/customers/{customer_id}/brief",
    response={200: BriefOut, **READ_ERRORS},
    summary="The customer brief (audited as a read)",
)
def brief(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    b = brief_selectors.customer_brief(actor=api_actor(request), customer_id=customer_id)
    return {
        "customer_id": b.customer.pk,
        "name": b.customer.name,
        "allergies": b.customer.allergies,
        "contraindications": b.customer.contraindications,
        "preferences": b.customer.preferences,
        "tier": b.tier,
        "birthday_in_days": b.birthday_in_days,
        "stored_value_fen": b.sales.stored_value_fen if b.sales is not None else None,
        "visits": [
            {
                "id": v.pk,
                "visited_at": v.visited_at,
                "served_by": str(v.served_by) if v.served_by else "",
                "services": [line.service.name for line in v.lines.all() if line.service],
            }
            for v in b.visits
        ],
        "open_followups": [_followup_out(f) for f in b.followups],
        "open_complaints": len(b.complaints),
        "suggested_actions": b.actions,
    }
