"""Complaints over HTTP, under /api/v1/complaints. Thin: parse, call a service or selector,
shape the answer. Errors in the shared shape with stable codes (cannot_close,
restatement_unconfirmed, actions_required, summary_required, own_request, above_your_limit, …)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from liuke.accounts import policy
from liuke.accounts.http import api_actor
from liuke.accounts.models import User
from liuke.complaints import selectors, services
from liuke.complaints.models import Complaint, ComplaintAction, ComplaintResolution
from liuke.complaints.schemas import (
    ComplaintActionIn,
    ComplaintActionOut,
    ComplaintCauseFixIn,
    ComplaintCauseOut,
    ComplaintDashboardOut,
    ComplaintDecideIn,
    ComplaintNoteIn,
    ComplaintOpenIn,
    ComplaintOut,
    ComplaintReportOut,
    ComplaintReportQuery,
    ComplaintResolutionOut,
    ComplaintResolveIn,
    ComplaintRowOut,
    ComplaintStepIn,
    ComplaintUpdateIn,
    Id,
)
from liuke.core.api import ERRORS, READ_ERRORS
from liuke.core.idempotency import money_write

router = Router(tags=["complaints"])


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
@money_write
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
@money_write
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
