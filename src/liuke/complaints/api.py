"""Complaints over HTTP, under /api/v1/complaints. Thin: parse, call a service or selector,
shape the answer. Errors in the shared shape with stable codes (cannot_close,
restatement_unconfirmed, actions_required, summary_required, own_request, above_your_limit, …)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from liuke.accounts import policy
from liuke.accounts.http import api_actor
from liuke.accounts.models import User
from liuke.complaints import selectors, services
from liuke.complaints.models import Complaint, ComplaintAction, ComplaintResolution
from liuke.core.api import ERRORS, READ_ERRORS, JsonObjectIn
from liuke.core.money import FenOrZero

router = Router(tags=["complaints"])

Id = Annotated[int, Field(ge=1, le=2**62)]
_NO_NUL = r"^[^\x00]*$"
SeverityIn = Literal["low", "medium", "high", "critical"]


class ComplaintOpenIn(JsonObjectIn):
    customer_id: Id
    channel: Literal["in_person", "phone", "wechat", "sms", "review", "feedback", "other"]
    description: str = Field(max_length=4000, pattern=_NO_NUL)
    severity: SeverityIn | None = None
    cause_code: str | None = Field(None, max_length=40, pattern=r"^[a-z0-9_-]*$")
    visit_id: Id | None = None
    staff_id: Id | None = None
    branch_id: Id | None = None


class ComplaintUpdateIn(JsonObjectIn):
    severity: SeverityIn | None = None
    cause_code: str | None = Field(None, max_length=40, pattern=r"^[a-z0-9_-]*$")
    handler_id: Id | None = None
    staff_id: Id | None = None


class ComplaintStepIn(JsonObjectIn):
    step: int = Field(ge=1, le=9)
    note: str = Field("", max_length=2000, pattern=_NO_NUL)
    restated_problem: str | None = Field(None, max_length=2000, pattern=_NO_NUL)
    confirmed: StrictBool = False
    summary: str | None = Field(None, max_length=2000, pattern=_NO_NUL)


class ComplaintActionIn(JsonObjectIn):
    side: Literal["ours", "theirs"]
    text: str = Field(max_length=500, pattern=_NO_NUL)
    owner_id: Id | None = None
    due_on: dt.date | None = None


class ComplaintExchangeLineIn(Schema):
    service_id: Id | None = None
    product_id: Id | None = None
    quantity: int = Field(1, ge=1, le=99)
    staff_id: Id | None = None


class ComplaintExchangePaymentIn(Schema):
    method: Literal["cash", "bank_card", "wechat", "alipay", "stored_value"]
    amount_fen: FenOrZero
    card_id: Id | None = None


class ComplaintExchangeIn(Schema):
    lines: list[ComplaintExchangeLineIn] = Field(min_length=1, max_length=20)
    payments: list[ComplaintExchangePaymentIn] = Field(default_factory=list, max_length=5)


class ComplaintResolveIn(JsonObjectIn):
    kind: Literal["redo", "refund", "exchange", "voucher", "card_bonus", "apology"]
    amount_fen: FenOrZero = 0
    note: str = Field("", max_length=500, pattern=_NO_NUL)
    visit_id: Id | None = None
    line_id: Id | None = None
    card_id: Id | None = None
    voucher_code: str = Field("", max_length=40, pattern=r"^[A-Za-z0-9_-]*$")
    exchange: ComplaintExchangeIn | None = None


class ComplaintDecideIn(JsonObjectIn):
    approve: StrictBool
    note: str = Field("", max_length=500, pattern=_NO_NUL)


class ComplaintNoteIn(JsonObjectIn):
    note: str = Field("", max_length=2000, pattern=_NO_NUL)


class ComplaintCauseFixIn(JsonObjectIn):
    cause_fix: str = Field(max_length=2000, pattern=_NO_NUL)


class ComplaintStepOut(Schema):
    step: int
    label: str
    done_at: dt.datetime
    done_by_id: int | None
    note: str


class ComplaintActionOut(Schema):
    id: int
    side: str
    text: str
    owner_id: int | None
    due_on: dt.date | None
    done_at: dt.datetime | None
    task_id: int | None


class ComplaintResolutionOut(Schema):
    id: int
    complaint_id: int
    customer_id: int
    kind: str
    status: str
    amount_fen: int
    note: str
    voucher_code: str
    visit_id: int | None
    line_id: int | None
    card_id: int | None
    refund_id: int | None
    exchange_visit_id: int | None
    card_entry_id: int | None
    requested_by_id: int | None
    decided_by_id: int | None
    decided_at: dt.datetime | None
    applied_at: dt.datetime | None


class ComplaintTimerOut(Schema):
    label: str
    due_at: dt.datetime
    met_at: dt.datetime | None
    state: str
    minutes_left: int | None


class ComplaintRecoveryOut(Schema):
    came_back: bool
    visits: int
    spend_fen: int
    window_days: int
    window_over: bool


class ComplaintRowOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    branch_id: int
    channel: str
    severity: str
    cause_code: str | None
    status: str
    handler_id: int | None
    opened_at: dt.datetime
    response_due_at: dt.datetime
    resolution_due_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    escalated_to_id: int | None
    breached: bool
    word_of_mouth_reach: int


class ComplaintOut(ComplaintRowOut):
    description: str
    visit_id: int | None
    service_id: int | None
    staff_id: int | None
    paused_at: dt.datetime | None
    paused_seconds: int
    restated_problem: str
    restatement_confirmed_at: dt.datetime | None
    summary: str
    cause_fix: str
    customer_told_at: dt.datetime | None
    steps: list[ComplaintStepOut]
    actions: list[ComplaintActionOut]
    resolutions: list[ComplaintResolutionOut]
    timers: list[ComplaintTimerOut]
    close_blockers: list[str]
    recovery: ComplaintRecoveryOut | None


class ComplaintDashboardOut(Schema):
    unresolved: int
    waiting: int
    escalated: int
    breached: int
    pending_approvals: int
    reach_each: int
    reach_total: int


class ComplaintCountOut(Schema):
    key: str
    label: str
    n: int


class ComplaintTargetOut(Schema):
    severity: str
    label: str
    n: int
    response_n: int
    response_on_time: int
    response_avg_min: int | None
    response_target_min: int
    resolution_n: int
    resolution_on_time: int
    resolution_avg_h: float | None
    resolution_target_h: int


class ComplaintReportOut(Schema):
    days: int
    total: int
    by_cause: list[ComplaintCountOut]
    by_branch: list[ComplaintCountOut]
    by_staff: list[ComplaintCountOut]
    by_service: list[ComplaintCountOut]
    targets: list[ComplaintTargetOut]
    closed: int
    recovery_counted: int
    recovered: int
    recovery_rate: float | None
    recovery_spend_fen: int
    repeat_customers: int
    repeat_complaints: int
    escalated: int
    breached: int


class ComplaintReportQuery(Schema):
    days: int = Field(90, ge=1, le=3660)
    branch: Id | None = None


class ComplaintCauseOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    is_active: bool


# --- shaping ---------------------------------------------------------------------------------


def _row(c: Complaint, reach_each: int) -> dict[str, Any]:
    return {
        "id": c.pk,
        "customer_id": c.customer_id,
        "customer_name": c.customer.name,
        "branch_id": c.branch_id,
        "channel": c.channel,
        "severity": c.severity,
        "cause_code": c.cause.code if c.cause else None,
        "status": c.status,
        "handler_id": c.handler_id,
        "opened_at": c.opened_at,
        "response_due_at": c.response_due_at,
        "resolution_due_at": c.resolution_due_at,
        "first_response_at": c.first_response_at,
        "resolved_at": c.resolved_at,
        "closed_at": c.closed_at,
        "escalated_at": c.escalated_at,
        "escalated_to_id": c.escalated_to_id,
        "breached": bool(c.response_breached_at or c.resolution_breached_at),
        "word_of_mouth_reach": reach_each if c.is_unresolved else 0,
    }


def _action(a: ComplaintAction) -> dict[str, Any]:
    return {
        "id": a.pk,
        "side": a.side,
        "text": a.text,
        "owner_id": a.owner_id,
        "due_on": a.due_on,
        "done_at": a.done_at,
        "task_id": a.task_id,
    }


def _resolution(r: ComplaintResolution) -> dict[str, Any]:
    return {
        "id": r.pk,
        "complaint_id": r.complaint_id,
        "customer_id": r.customer_id,
        "kind": r.kind,
        "status": r.status,
        "amount_fen": r.amount_fen,
        "note": r.note,
        "voucher_code": r.voucher_code,
        "visit_id": r.visit_id,
        "line_id": r.line_id,
        "card_id": r.card_id,
        "refund_id": r.refund_id,
        "exchange_visit_id": r.refund.exchange_visit_id if r.refund_id and r.refund else None,
        "card_entry_id": r.card_entry_id,
        "requested_by_id": r.requested_by_id,
        "decided_by_id": r.decided_by_id,
        "decided_at": r.decided_at,
        "applied_at": r.applied_at,
    }


def _detail(actor: User, complaint_id: int) -> dict[str, Any]:
    c = selectors.complaint_get(actor=actor, complaint_id=complaint_id)
    settings = selectors.settings_of(c.business_id)
    out = _row(c, settings.reach)
    rec = selectors.recovery(c, settings)
    out.update(
        {
            "description": c.description,
            "visit_id": c.visit_id,
            "service_id": c.service_id,
            "staff_id": c.staff_id,
            "paused_at": c.paused_at,
            "paused_seconds": c.paused_seconds,
            "restated_problem": c.restated_problem,
            "restatement_confirmed_at": c.restatement_confirmed_at,
            "summary": c.summary,
            "cause_fix": c.cause_fix,
            "customer_told_at": c.customer_told_at,
            "steps": [
                {
                    "step": s.step,
                    "label": s.get_step_display(),
                    "done_at": s.done_at,
                    "done_by_id": s.done_by_id,
                    "note": s.note,
                }
                for s in c.steps.all()
            ],
            "actions": [_action(a) for a in c.actions.all()],
            "resolutions": [_resolution(r) for r in c.resolutions.all()],
            "timers": [
                {
                    "label": t.label,
                    "due_at": t.due_at,
                    "met_at": t.met_at,
                    "state": t.state,
                    "minutes_left": t.minutes_left,
                }
                for t in selectors.timers(c)
            ],
            "close_blockers": services.close_blockers(c) if c.status != "closed" else [],
            "recovery": rec.__dict__ if rec else None,
        }
    )
    return out


# --- routes (fixed paths before the ones with an id) -------------------------------------------


@router.get(
    "/complaints/dashboard",
    response={200: ComplaintDashboardOut, **READ_ERRORS},
    summary="Unresolved complaints and how far their stories may reach",
)
def dashboard(request: HttpRequest) -> dict[str, Any]:
    d = selectors.dashboard(actor=api_actor(request))
    return {k: getattr(d, k) for k in ComplaintDashboardOut.model_fields}


@router.get(
    "/complaints/reports",
    response={200: ComplaintReportOut, **READ_ERRORS},
    summary="Complaints by cause, branch, staff and service; targets; recovery; repeats",
)
def reports(request: HttpRequest, q: Query[ComplaintReportQuery]) -> dict[str, Any]:
    r = selectors.report(actor=api_actor(request), days=q.days, branch_id=q.branch)
    out = dict(r.__dict__)
    for key in ("by_cause", "by_branch", "by_staff", "by_service", "targets"):
        out[key] = [row.__dict__ for row in getattr(r, key)]
    return out


@router.get(
    "/complaints/causes",
    response={200: list[ComplaintCauseOut], **READ_ERRORS},
    summary="The causes of complaints (the taxonomy)",
)
def causes(request: HttpRequest) -> list[dict[str, Any]]:
    actor = api_actor(request)
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "is_active": c.is_active,
        }
        for c in selectors.causes(actor=actor)
    ]


@router.get(
    "/complaints/approvals",
    response={200: list[ComplaintResolutionOut], **READ_ERRORS},
    summary="Compensations waiting for a manager's approval",
)
def approvals(request: HttpRequest) -> list[dict[str, Any]]:
    return [_resolution(r) for r in selectors.approvals(actor=api_actor(request))]


@router.post(
    "/complaints/resolutions/{resolution_id}/decide",
    response={200: ComplaintResolutionOut, **ERRORS},
    summary="Approve (the money moves now) or refuse a compensation above a limit",
)
def decide(request: HttpRequest, resolution_id: Id, payload: ComplaintDecideIn) -> dict[str, Any]:
    r = services.resolution_decide(
        actor=api_actor(request),
        resolution_id=resolution_id,
        approve=payload.approve,
        note=payload.note,
    )
    return _resolution(r)


@router.post(
    "/complaints/actions/{action_id}/done",
    response={200: ComplaintActionOut, **ERRORS},
    summary="Mark an agreed action done",
)
def action_done(request: HttpRequest, action_id: Id) -> dict[str, Any]:
    return _action(services.action_done(actor=api_actor(request), action_id=action_id))


@router.get(
    "/complaints",
    response={200: list[ComplaintRowOut], **READ_ERRORS},
    summary="Complaints (unresolved by default), newest first",
)
def complaint_list(
    request: HttpRequest, filters: Query[selectors.ComplaintFilters]
) -> list[dict[str, Any]]:
    actor = api_actor(request)
    reach_each = selectors.settings_of(policy.business_of(actor)).reach
    return [_row(c, reach_each) for c in selectors.complaint_list(actor=actor, filters=filters)]


@router.post(
    "/complaints",
    response={201: ComplaintOut, **ERRORS},
    summary="Open a complaint in the customer's words",
)
def complaint_open(request: HttpRequest, payload: ComplaintOpenIn) -> Status[Any]:
    actor = api_actor(request)
    c = services.complaint_open(actor=actor, **payload.dict())
    return Status(201, _detail(actor, c.pk))


@router.get(
    "/complaints/{complaint_id}",
    response={200: ComplaintOut, **READ_ERRORS},
    summary="One complaint: steps, actions, resolutions, timers, recovery (audited read)",
)
def complaint_get(request: HttpRequest, complaint_id: Id) -> dict[str, Any]:
    return _detail(api_actor(request), complaint_id)


@router.patch(
    "/complaints/{complaint_id}",
    response={200: ComplaintOut, **ERRORS},
    summary="Change the severity, cause, handler or staff member concerned",
)
def complaint_update(
    request: HttpRequest, complaint_id: Id, payload: ComplaintUpdateIn
) -> dict[str, Any]:
    actor = api_actor(request)
    services.complaint_update(actor=actor, complaint_id=complaint_id, **payload.dict())
    return _detail(actor, complaint_id)


@router.post(
    "/complaints/{complaint_id}/steps",
    response={200: ComplaintOut, **ERRORS},
    summary="Record one of steps 1-9 (6 needs the confirmed restatement, 9 the summary)",
)
def step_record(request: HttpRequest, complaint_id: Id, payload: ComplaintStepIn) -> dict[str, Any]:
    actor = api_actor(request)
    services.complaint_step_record(actor=actor, complaint_id=complaint_id, **payload.dict())
    return _detail(actor, complaint_id)


@router.post(
    "/complaints/{complaint_id}/wait",
    response={200: ComplaintOut, **ERRORS},
    summary="Waiting for the customer: the timers pause",
)
def wait(request: HttpRequest, complaint_id: Id, payload: ComplaintNoteIn) -> dict[str, Any]:
    actor = api_actor(request)
    services.complaint_wait(actor=actor, complaint_id=complaint_id, note=payload.note)
    return _detail(actor, complaint_id)


@router.post(
    "/complaints/{complaint_id}/resume",
    response={200: ComplaintOut, **ERRORS},
    summary="The customer is back: the timers run again",
)
def resume(request: HttpRequest, complaint_id: Id) -> dict[str, Any]:
    actor = api_actor(request)
    services.complaint_resume(actor=actor, complaint_id=complaint_id)
    return _detail(actor, complaint_id)


@router.post(
    "/complaints/{complaint_id}/actions",
    response={201: ComplaintActionOut, **ERRORS},
    summary="Add an agreed action (ours need an owner and a due day)",
)
def action_add(request: HttpRequest, complaint_id: Id, payload: ComplaintActionIn) -> Status[Any]:
    a = services.action_add(actor=api_actor(request), complaint_id=complaint_id, **payload.dict())
    return Status(201, _action(a))


@router.post(
    "/complaints/{complaint_id}/resolutions",
    response={201: ComplaintResolutionOut, **ERRORS},
    summary="Resolve: redo, refund, exchange, voucher, card bonus or apology",
)
def resolve(request: HttpRequest, complaint_id: Id, payload: ComplaintResolveIn) -> Status[Any]:
    data = payload.dict()
    r = services.complaint_resolve(actor=api_actor(request), complaint_id=complaint_id, **data)
    return Status(201, _resolution(r))


@router.post(
    "/complaints/{complaint_id}/close",
    response={200: ComplaintOut, **ERRORS},
    summary="Step 10, close warmly (refused with cannot_close and what is missing)",
)
def close(request: HttpRequest, complaint_id: Id, payload: ComplaintNoteIn) -> dict[str, Any]:
    actor = api_actor(request)
    services.complaint_close(actor=actor, complaint_id=complaint_id, note=payload.note)
    return _detail(actor, complaint_id)


@router.post(
    "/complaints/{complaint_id}/cause-fix",
    response={200: ComplaintOut, **ERRORS},
    summary="What changed so that it does not happen again",
)
def cause_fix(
    request: HttpRequest, complaint_id: Id, payload: ComplaintCauseFixIn
) -> dict[str, Any]:
    actor = api_actor(request)
    services.complaint_cause_fix(
        actor=actor, complaint_id=complaint_id, cause_fix=payload.cause_fix
    )
    return _detail(actor, complaint_id)


@router.post(
    "/complaints/{complaint_id}/customer-told",
    response={200: ComplaintOut, **ERRORS},
    summary="The customer was told what changed",
)
def customer_told(
    request: HttpRequest, complaint_id: Id, payload: ComplaintNoteIn
) -> dict[str, Any]:
    actor = api_actor(request)
    services.complaint_customer_told(actor=actor, complaint_id=complaint_id, note=payload.note)
    return _detail(actor, complaint_id)
