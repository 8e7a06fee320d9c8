"""Commission plans, their rates, who is on which plan, closing a month's statements and the
recorded adjustments of a closed month: every change audited with its values before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import CapabilityDenied, NotFound, ServiceError
from liuke.core.locking import lock_one
from liuke.core.money import validate_fen
from liuke.core.text import clean_text
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import CommissionKind
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    CommissionAdjustment,
    CommissionAssignment,
    CommissionLine,
    CommissionMonth,
    CommissionPlan,
    CommissionRate,
    CommissionStatement,
)
from liuke.sales.models.commission import BP_PER_WHOLE
from liuke.sales.months import month_closable, month_start, next_month
from liuke.sales.services.changes import apply, audit_change, change, duplicate, name, taken, whole

#: The rate fields of a plan's rate row, as the pages and the API send them.
RATE_FIELDS = ("percent_bp", "fixed_fen", "designated_percent_bp", "designated_fixed_fen")


def _rate_values(kind: str, raw: Mapping[str, Any]) -> dict[str, int | None]:
    """One kind's rate, checked: percentages 0 to 100 % (in basis points), fixed amounts in fen."""
    message = _("Enter a percentage from 0 to 100.")
    values: dict[str, int | None] = {}
    for key in RATE_FIELDS:
        value = raw.get(key)
        field = f"{kind}.{key}"
        if value is None:
            values[key] = None if key.startswith("designated") else 0
        elif key.endswith("_bp"):
            code = SalesErrorCode.INVALID_PERCENT
            values[key] = whole(value, field, 0, BP_PER_WHOLE, code, message)
        else:
            values[key] = validate_fen(value, field=field, allow_zero=True)
    return values


def _set_rates(plan: CommissionPlan, rates: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Replace the plan's rates of the kinds given (the others stay); "kind.field: a → b"."""
    changes: list[str] = []
    existing = {r.kind: r for r in plan.rates.all()}
    for kind, raw in rates.items():
        if kind not in CommissionKind.values:
            raise ServiceError(
                SalesErrorCode.INVALID_COMMISSION_KIND, _("No such commission kind.")
            )
        values = _rate_values(kind, raw)
        rate = existing.get(kind) or CommissionRate(plan=plan, kind=kind)
        for key, value in values.items():
            if getattr(rate, key) != value:
                changes.append(change(f"{kind}.{key}", getattr(rate, key), value))
                setattr(rate, key, value)
        rate.save()
    return changes


def _role(value: Any) -> str:
    role = value or ""
    if role and role not in Role.values:
        raise ServiceError(SalesErrorCode.INVALID_ROLE, _("Choose a role."))
    return str(role)


@transaction.atomic
def commission_plan_create(
    *, actor: User, name_text: str, role: str = "", rates: Mapping[str, Mapping[str, Any]]
) -> CommissionPlan:
    """A new plan with its rates by kind; with `role` the default of that role's staff."""
    policy.require(actor, SalesCap.COMMISSION_MANAGE)
    business_id = policy.business_of(actor)
    plan_name = name(name_text, "name", 60)
    plans = CommissionPlan.objects.filter(business_id=business_id)
    if taken(plans.filter(name=plan_name), None):
        raise duplicate()
    role = _role(role)
    if role and taken(plans.filter(role=role), None):
        raise duplicate("role")
    plan = CommissionPlan.objects.create(business_id=business_id, name=plan_name, role=role)
    changes = [change("name", "", plan_name), change("role", "", role), *_set_rates(plan, rates)]
    audit_change(actor, entity="commission_plan", pk=plan.pk, changes=changes, created=True)
    return plan


@transaction.atomic
def commission_plan_update(*, actor: User, plan_id: int, data: Mapping[str, Any]) -> CommissionPlan:
    """Change a plan's name, role, active flag or rates (`data["rates"]` by kind). The lines
    already written keep the rate they were computed with."""
    policy.require(actor, SalesCap.COMMISSION_MANAGE)
    business_id = policy.business_of(actor)
    plan = lock_one(CommissionPlan, plan_id)
    if plan is None or plan.business_id != business_id:
        raise NotFound(_("No such commission plan."))
    values: dict[str, Any] = {}
    plans = CommissionPlan.objects.filter(business_id=business_id)
    if "name" in data:
        values["name"] = name(data["name"], "name", 60)
        if taken(plans.filter(name=values["name"]), plan.pk):
            raise duplicate()
    if "role" in data:
        values["role"] = _role(data["role"])
        if values["role"] and taken(plans.filter(role=values["role"]), plan.pk):
            raise duplicate("role")
    if "is_active" in data:
        values["is_active"] = bool(data["is_active"])
    changes = apply(plan, values)
    plan.save()
    changes += _set_rates(plan, data.get("rates") or {})
    audit_change(actor, entity="commission_plan", pk=plan.pk, changes=changes)
    return plan


@transaction.atomic
def commission_plan_assign(*, actor: User, staff_id: int, plan_id: int | None) -> User:
    """Put a staff member on a plan of their own (None: back to their role's plan). A manager
    assigns only staff they manage (`policy.may_manage_staff`)."""
    policy.require(actor, SalesCap.COMMISSION_ASSIGN)
    business_id = policy.business_of(actor)
    member = User.objects.filter(pk=staff_id, business_id=business_id).first()
    if member is None:
        raise NotFound(_("No such staff member."))
    branch_ids = list(member.branches.values_list("id", flat=True))
    if not policy.may_manage_staff(actor, member.role, branch_ids) and member.pk != actor.pk:
        raise CapabilityDenied()
    plan = None
    if plan_id is not None:
        plan = CommissionPlan.objects.filter(
            pk=plan_id, business_id=business_id, is_active=True
        ).first()
        if plan is None:
            raise NotFound(_("No such commission plan."))
    current = CommissionAssignment.objects.filter(staff=member).select_related("plan").first()
    before = current.plan.name if current else ""
    if plan is None:
        CommissionAssignment.objects.filter(staff=member).delete()
    else:
        CommissionAssignment.objects.update_or_create(staff=member, defaults={"plan": plan})
    after = plan.name if plan else ""
    if before != after:
        audit_change(
            actor, entity="staff", pk=member.pk, changes=[change("commission_plan", before, after)]
        )
    return member


@transaction.atomic
def commission_month_close(*, actor: User, month: dt.date) -> CommissionMonth:
    """Store every staff member's statement of a past month (the sum of their lines by kind).
    From then on the statement changes only by a recorded adjustment."""
    policy.require(actor, SalesCap.COMMISSION_MANAGE)
    business_id = policy.business_of(actor)
    month = month_start(month)
    if not month_closable(month):
        raise ServiceError(
            SalesErrorCode.MONTH_NOT_OVER,
            _("A month can be closed from the second day of the next month."),
        )
    if CommissionMonth.objects.filter(business_id=business_id, month=month).exists():
        raise ServiceError(SalesErrorCode.MONTH_CLOSED, _("This month is already closed."))
    closed = CommissionMonth.objects.create(
        business_id=business_id, month=month, closed_at=timezone.now(), closed_by=actor
    )
    rows = (
        CommissionLine.objects.filter(
            business_id=business_id,
            occurred_on__gte=month,
            occurred_on__lt=next_month(month),
        )
        .values("staff_id", "kind")
        .annotate(total=Sum("amount_fen"), n=Count("id"))
        .order_by("staff_id", "kind")
    )
    statements: dict[int, CommissionStatement] = {}
    for row in rows:
        st = statements.setdefault(
            row["staff_id"], CommissionStatement(closed=closed, staff_id=row["staff_id"])
        )
        st.by_kind[row["kind"]] = row["total"]
        st.lines_fen += row["total"]
        st.line_count += row["n"]
    CommissionStatement.objects.bulk_create(statements.values())
    audit_record(
        actor=actor,
        action=Action.CREATE,
        fields=[f"commission_month:{closed.pk}", f"month: {month:%Y-%m}"],
    )
    return closed


@transaction.atomic
def commission_adjust(
    *, actor: User, staff_id: int, month: dt.date, amount_fen: int, reason: str
) -> CommissionAdjustment:
    """Change a staff member's stored statement of a closed month by a recorded amount (plus or
    minus), with who and why; the lines stay as they were. A month still open has no stored
    statement to adjust (`month_not_closed`): its lines are the statement."""
    policy.require(actor, SalesCap.COMMISSION_MANAGE)
    business_id = policy.business_of(actor)
    staff = User.objects.filter(pk=staff_id, business_id=business_id).first()
    if staff is None:
        raise NotFound(_("No such staff member."))
    closed = CommissionMonth.objects.filter(business_id=business_id, month=month_start(month))
    if not closed.exists():
        raise ServiceError(
            SalesErrorCode.MONTH_NOT_CLOSED, _("Only a closed month's statement is adjusted.")
        )
    amount = validate_fen(amount_fen, field="amount_fen", signed=True)
    why = clean_text(reason or "", max_length=200, field=_("reason"))
    if not why:
        raise ServiceError(
            SalesErrorCode.REASON_REQUIRED,
            _("Give a reason for the adjustment."),
            fields={"reason": [_("Give a reason for the adjustment.")]},
        )
    found, _created = CommissionStatement.objects.get_or_create(closed=closed.get(), staff=staff)
    statement = lock_one(CommissionStatement, found.pk) or found
    adjustment = CommissionAdjustment.objects.create(
        statement=statement,
        amount_fen=amount,
        reason=why,
        created_by=actor,
        created_at=timezone.now(),
    )
    before = statement.total_fen
    statement.adjustments_fen += amount
    statement.save(update_fields=["adjustments_fen"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        fields=[
            f"commission_statement:{statement.pk}",
            change("total_fen", before, statement.total_fen),
        ],
        reason=why,
    )
    return adjustment
