"""Commissions (提成) over HTTP: plans and their rates, a staff member's plan, the monthly
statements (every visible staff member's, and one staff member's with its lines), closing a
month and adjusting a closed month's statement. Amounts in fen; rates in basis points.

Each staff member reads their own statement; a manager those of the staff of their branches;
the owner and the auditor everyone's (`accounts.policy.commission_staff_q`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from liuke.accounts import policy
from liuke.accounts.http import api_actor
from liuke.accounts.models import User
from liuke.core.api import ERRORS, READ_ERRORS
from liuke.core.errors import NotFound
from liuke.core.idempotency import money_write
from liuke.sales import commission_selectors as selectors
from liuke.sales.commission_schemas import (
    AdjustmentIn,
    AssignIn,
    MonthIn,
    MonthQuery,
    PlanIn,
    PlanPatch,
)
from liuke.sales.months import parse_month
from liuke.sales.schemas import Id
from liuke.sales.services import commission_setup as setup

router = Router(tags=["commissions"])


class CommissionRateOut(Schema):
    percent_bp: int
    fixed_fen: int
    designated_percent_bp: int | None
    designated_fixed_fen: int | None


class PlanOut(Schema):
    id: int
    name: str
    role: str
    is_active: bool
    rates: dict[str, CommissionRateOut]
    staff_count: int


class StaffPlanOut(Schema):
    staff_id: int
    plan_id: int | None
    own: bool


class StatementRowOut(Schema):
    staff_id: int
    name: str
    by_kind: dict[str, int]
    lines_fen: int
    adjustments_fen: int
    total_fen: int


class StatementsOut(Schema):
    month: str
    closed: bool
    statements: list[StatementRowOut]
    total_fen: int


class CommissionLineOut(Schema):
    id: int
    occurred_on: str
    branch_id: int
    kind: str
    item: str
    designated: bool
    share_pct: int
    base_fen: int | None
    percent_bp: int
    fixed_fen: int
    amount_fen: int
    reverses_id: int | None


class AdjustmentOut(Schema):
    amount_fen: int
    reason: str
    by: str
    at: str


class StatementOut(Schema):
    staff_id: int
    name: str
    month: str
    closed: bool
    by_kind: dict[str, int]
    line_count: int
    lines_fen: int
    adjustments_fen: int
    total_fen: int
    adjustments: list[AdjustmentOut]
    lines: list[CommissionLineOut]


class MonthClosedOut(Schema):
    month: str
    statements: int


def _plan_out(actor: User, plan_id: int) -> dict[str, Any]:
    found = [v for v in selectors.commission_plans(actor=actor) if v.plan.pk == plan_id]
    if not found:
        raise NotFound(_("No such commission plan."))
    v = found[0]
    return {
        "id": v.plan.pk,
        "name": v.plan.name,
        "role": v.plan.role,
        "is_active": v.plan.is_active,
        "rates": v.rates,
        "staff_count": v.staff_count,
    }


@router.get(
    "/commission/plans", response={200: list[PlanOut], **READ_ERRORS}, summary="Commission plans"
)
def plan_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = api_actor(request)
    return [_plan_out(actor, v.plan.pk) for v in selectors.commission_plans(actor=actor)]


@router.post(
    "/commission/plans", response={201: PlanOut, **ERRORS}, summary="Create a commission plan"
)
def plan_create(request: HttpRequest, payload: PlanIn) -> Status[Any]:
    actor = api_actor(request)
    plan = setup.commission_plan_create(
        actor=actor, name_text=payload.name, role=payload.role, rates=payload.rates.by_kind()
    )
    return Status(201, _plan_out(actor, plan.pk))


@router.patch(
    "/commission/plans/{plan_id}",
    response={200: PlanOut, **ERRORS},
    summary="Change a plan or its rates (past commission lines keep theirs)",
)
def plan_update(request: HttpRequest, plan_id: Id, payload: PlanPatch) -> dict[str, Any]:
    actor = api_actor(request)
    setup.commission_plan_update(actor=actor, plan_id=plan_id, data=payload.service_data())
    return _plan_out(actor, plan_id)


@router.put(
    "/staff/{staff_id}/commission-plan",
    response={200: StaffPlanOut, **ERRORS},
    summary="Give a staff member a plan of their own (null: their role's)",
)
def staff_plan_set(request: HttpRequest, staff_id: Id, payload: AssignIn) -> dict[str, Any]:
    actor = api_actor(request)
    member = setup.commission_plan_assign(actor=actor, staff_id=staff_id, plan_id=payload.plan_id)
    plan, own = selectors.staff_plan(actor=actor, member=member)
    return {"staff_id": member.pk, "plan_id": plan.pk if plan else None, "own": own}


@router.get(
    "/commission/statements",
    response={200: StatementsOut, **READ_ERRORS, 400: ERRORS[400]},
    summary="The month's statements of every staff member one may see",
)
def statements(request: HttpRequest, query: Query[MonthQuery]) -> dict[str, Any]:
    actor = api_actor(request)
    month = parse_month(query.month)
    rows = selectors.commission_statements(actor=actor, month=month, branch_id=query.branch_id)
    return {
        "month": f"{month:%Y-%m}",
        "closed": selectors.month_closed(actor=actor, month=month) is not None,
        "statements": [
            {
                "staff_id": r.staff_id,
                "name": r.name,
                "by_kind": r.by_kind,
                "lines_fen": r.lines_fen,
                "adjustments_fen": r.adjustments_fen,
                "total_fen": r.total_fen,
            }
            for r in rows
        ],
        "total_fen": sum(r.total_fen for r in rows),
    }


@router.get(
    "/commission/statements/{staff_id}",
    response={200: StatementOut, **READ_ERRORS, 400: ERRORS[400]},
    summary="One staff member's statement of a month, with its lines",
)
def statement(request: HttpRequest, staff_id: Id, query: Query[MonthQuery]) -> dict[str, Any]:
    actor = api_actor(request)
    st = selectors.commission_statement(
        actor=actor, staff_id=staff_id, month=parse_month(query.month), every_line=True
    )
    bases = policy.sees_money(actor)
    return {
        "staff_id": st.staff.pk,
        "name": st.staff.display_name or st.staff.username,
        "month": f"{st.month:%Y-%m}",
        "closed": st.closed is not None,
        "by_kind": st.by_kind,
        "line_count": st.line_count,
        "lines_fen": st.lines_fen,
        "adjustments_fen": st.adjustments_fen,
        "total_fen": st.total_fen,
        "adjustments": [
            {
                "amount_fen": a.amount_fen,
                "reason": a.reason,
                "by": str(a.created_by or ""),
                "at": a.created_at.isoformat(),
            }
            for a in st.adjustments
        ],
        "lines": [
            {
                "id": line.pk,
                "occurred_on": line.occurred_on.isoformat(),
                "branch_id": line.branch_id,
                "kind": line.kind,
                "item": selectors.line_item(line),
                "designated": line.designated,
                "share_pct": line.share_pct,
                # what the customer paid for the line: money about customers (finance.view)
                "base_fen": line.base_fen if bases else None,
                "percent_bp": line.percent_bp,
                "fixed_fen": line.fixed_fen,
                "amount_fen": line.amount_fen,
                "reverses_id": line.reverses_id,
            }
            for line in st.lines
        ],
    }


@router.post(
    "/commission/months",
    response={201: MonthClosedOut, **ERRORS},
    summary="Close a past month: store every staff member's statement",
)
def month_close(request: HttpRequest, payload: MonthIn) -> Status[Any]:
    closed = setup.commission_month_close(
        actor=api_actor(request), month=parse_month(payload.month)
    )
    return Status(201, {"month": f"{closed.month:%Y-%m}", "statements": closed.statements.count()})


@router.post(
    "/commission/adjustments",
    response={201: AdjustmentOut, **ERRORS},
    summary="Adjust a closed month's statement, with a reason (honours Idempotency-Key)",
)
@money_write
def adjustment_create(request: HttpRequest, payload: AdjustmentIn) -> Status[Any]:
    actor = api_actor(request)
    adj = setup.commission_adjust(
        actor=actor,
        staff_id=payload.staff_id,
        month=parse_month(payload.month),
        amount_fen=payload.amount_fen,
        reason=payload.reason,
    )
    return Status(
        201,
        {
            "amount_fen": adj.amount_fen,
            "reason": adj.reason,
            "by": str(actor),
            "at": adj.created_at.isoformat(),
        },
    )
