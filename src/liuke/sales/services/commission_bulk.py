"""Commission lines for visit lines written without a checkout (the demo's history, the
benchmark's chain, an import), set-based: one `INSERT … SELECT` per plan and kind
(`liuke.core.bulksql`), never a loop over lines.

Such visits carry no payments and no visit discount to spread, so the base is the line's amount
plus the value of the package session it used; the amount follows the checkout's rule
(round-half-up of base × rate, plus the fixed amount × quantity), at the rotation rate; each line
goes wholly to its staff member, dated at the visit. Lines that already have commission, and
refunded lines, are left alone, so a second run writes nothing.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Value,
)
from django.db.models.functions import Cast

from liuke.accounts.models import User
from liuke.core.bulksql import const, insert_select, select_values
from liuke.sales.choices import CommissionKind, LineKind
from liuke.sales.models import (
    CommissionAssignment,
    CommissionLine,
    CommissionPlan,
    CommissionRate,
    VisitLine,
)
from liuke.sales.models.commission import BP_PER_WHOLE

#: The visit line kind each commission kind is paid on here.
_LINE_KINDS = {CommissionKind.SERVICE: LineKind.SERVICE, CommissionKind.PRODUCT: LineKind.PRODUCT}

_COLUMNS = (
    "business_id", "branch_id", "staff_id", "kind", "visit_id", "visit_line_id", "plan_id",
    "designated", "quantity", "share_pct", "base_fen", "percent_bp", "fixed_fen", "amount_fen",
    "occurred_at", "occurred_on",
)  # fmt: skip


def _plans_by_staff(business_id: int) -> dict[int, list[int]]:
    """plan id → the staff members it pays (their own plan, else their role's)."""
    own = dict(
        CommissionAssignment.objects.filter(
            staff__business_id=business_id, plan__is_active=True
        ).values_list("staff_id", "plan_id")
    )
    by_role = dict(
        CommissionPlan.objects.filter(business_id=business_id, is_active=True)
        .exclude(role="")
        .values_list("role", "pk")
    )
    out: dict[int, list[int]] = {}
    for pk, role in User.objects.filter(business_id=business_id).values_list("pk", "role"):
        plan = own.get(pk) or by_role.get(role)
        if plan is not None:
            out.setdefault(plan, []).append(pk)
    return out


def commissions_backfill(*, business_id: int) -> int:
    """Write the commission lines the visit lines of a business lack; returns how many."""
    written = 0
    has_commission = CommissionLine.objects.filter(visit_line=OuterRef("pk"))
    for plan_id, staff_ids in _plans_by_staff(business_id).items():
        for rate in CommissionRate.objects.filter(plan_id=plan_id, kind__in=list(_LINE_KINDS)):
            if not rate.percent_bp and not rate.fixed_fen:
                continue
            base = F("amount_fen") + F("package_value_fen")
            lines = VisitLine.objects.filter(
                visit__business_id=business_id,
                kind=_LINE_KINDS[CommissionKind(rate.kind)],
                staff_id__in=staff_ids,
                refunded_quantity=0,
            ).filter(~Exists(has_commission))
            # round-half-up(base × bp / 10000) as ⌊(2·base·bp + 10000) / 20000⌋, in integers
            amount = (base * Value(2 * rate.percent_bp) + Value(BP_PER_WHOLE)) / Value(
                2 * BP_PER_WHOLE
            ) + F("quantity") * Value(rate.fixed_fen)
            rows = select_values(
                lines,
                business_id=F("visit__business_id"),
                branch_id=F("visit__branch_id"),
                staff_id=F("staff_id"),
                kind=Value(rate.kind),
                visit_id=F("visit_id"),
                visit_line_id=F("pk"),
                plan_id=Value(plan_id),
                designated=const(False, BooleanField()),
                quantity=F("quantity"),
                share_pct=Value(100),
                base_fen=base,
                percent_bp=Value(rate.percent_bp),
                fixed_fen=Value(rate.fixed_fen),
                amount_fen=Cast(amount, IntegerField()),
                occurred_at=Cast(F("visit__visited_at"), DateTimeField()),
                occurred_on=F("visit__visited_on"),
            )
            written += insert_select(CommissionLine, rows, _COLUMNS)
    return written
