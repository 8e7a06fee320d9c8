"""Reads of commissions (提成), scoped by the access policy (`policy.commission_staff_q`): a staff
member sees their own statement, a manager those of the staff of their branches, the owner and
the auditor everyone's; nobody sees another's otherwise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import CommissionKind
from liuke.sales.models import (
    CommissionAdjustment,
    CommissionAssignment,
    CommissionLine,
    CommissionMonth,
    CommissionPlan,
    CommissionStatement,
)
from liuke.sales.months import month_start, next_month

#: A statement page lists at most this many lines (the totals and the spreadsheet cover all).
STATEMENT_LINES_SHOWN = 100


def visible_staff(actor: User) -> QuerySet[User]:
    """The staff members whose commissions `actor` may read."""
    q = policy.commission_staff_q(actor)
    if q is None:
        return User.objects.none()
    return User.objects.filter(pk__in=User.objects.filter(q).values("pk"))


def _month_lines(business_id: int, month: dt.date) -> QuerySet[CommissionLine]:
    return CommissionLine.objects.filter(
        business_id=business_id, occurred_on__gte=month, occurred_on__lt=next_month(month)
    )


@dataclass
class Statement:
    """One staff member's commission statement of one month."""

    staff: User
    month: dt.date
    by_kind: dict[str, int]
    line_count: int
    lines_fen: int
    lines: list[CommissionLine]
    closed: CommissionStatement | None = None
    adjustments: list[CommissionAdjustment] = field(default_factory=list)

    @property
    def adjustments_fen(self) -> int:
        return sum(a.amount_fen for a in self.adjustments)

    @property
    def total_fen(self) -> int:
        return self.lines_fen + self.adjustments_fen

    @property
    def kinds(self) -> list[tuple[str, str, int]]:
        """(kind, its label, total) of every kind, in the menu's order."""
        return [(k.value, str(k.label), self.by_kind.get(k.value, 0)) for k in CommissionKind]


def commission_statement(
    *, actor: User, staff_id: int, month: dt.date, every_line: bool = False
) -> Statement:
    """A staff member's statement: the month's lines (the first `STATEMENT_LINES_SHOWN`, or
    `every_line`), their totals by kind; for a closed month the stored statement and its
    recorded adjustments."""
    staff = visible_staff(actor).filter(pk=staff_id).first()
    if staff is None:
        raise NotFound(_("No such staff member."))
    month = month_start(month)
    lines = _month_lines(policy.business_of(actor), month).filter(staff_id=staff.pk)
    closed = (
        CommissionStatement.objects.filter(
            closed__business_id=policy.business_of(actor), closed__month=month, staff=staff
        )
        .prefetch_related("adjustments__created_by")
        .first()
    )
    if closed is not None:
        by_kind, count, total = dict(closed.by_kind), closed.line_count, closed.lines_fen
    else:
        rows = lines.values("kind").annotate(total=Sum("amount_fen"), n=Count("id")).order_by()
        by_kind = {r["kind"]: r["total"] for r in rows}
        count, total = sum(r["n"] for r in rows), sum(by_kind.values())
    # By day along the (staff, day) index, so the page reads only the lines it shows.
    ordered = lines.select_related("visit_line__service", "visit_line__product").order_by(
        "occurred_on", "id"
    )
    shown = list(ordered if every_line else ordered[:STATEMENT_LINES_SHOWN])
    return Statement(
        staff=staff,
        month=month,
        by_kind=by_kind,
        line_count=count,
        lines_fen=total,
        lines=shown,
        closed=closed,
        adjustments=list(closed.adjustments.all()) if closed else [],
    )


@dataclass
class StatementRow:
    """One staff member's line of the month's statements."""

    staff_id: int
    name: str
    by_kind: dict[str, int]
    lines_fen: int
    adjustments_fen: int = 0
    statement_id: int | None = None

    @property
    def total_fen(self) -> int:
        return self.lines_fen + self.adjustments_fen


def commission_statements(
    *, actor: User, month: dt.date, branch_id: int | None = None
) -> list[StatementRow]:
    """Every visible staff member's statement of the month (those with lines or a stored
    statement), one aggregate over the month's lines; with `branch_id` only the lines of that
    branch (a manager's view of their branch)."""
    month = month_start(month)
    business_id = policy.business_of(actor)
    staff = visible_staff(actor)
    lines = _month_lines(business_id, month).filter(staff_id__in=staff.values("pk"))
    if branch_id is not None:
        lines = lines.filter(branch_id=branch_id)
    rows: dict[int, StatementRow] = {}
    names = dict(staff.values_list("pk", "display_name"))
    usernames = dict(staff.values_list("pk", "username"))
    aggregate = lines.values("staff_id", "kind").annotate(total=Sum("amount_fen")).order_by()
    for r in aggregate:
        row = rows.setdefault(
            r["staff_id"],
            StatementRow(
                r["staff_id"],
                names.get(r["staff_id"]) or usernames.get(r["staff_id"], ""),
                {},
                0,
            ),
        )
        row.by_kind[r["kind"]] = r["total"]
        row.lines_fen += r["total"]
    if branch_id is None:
        stored = CommissionStatement.objects.filter(
            closed__business_id=business_id, closed__month=month, staff_id__in=staff.values("pk")
        )
        for st in stored:
            row = rows.setdefault(
                st.staff_id,
                StatementRow(
                    st.staff_id, names.get(st.staff_id) or usernames.get(st.staff_id, ""), {}, 0
                ),
            )
            row.adjustments_fen, row.statement_id = st.adjustments_fen, st.pk
    return sorted(rows.values(), key=lambda r: (-r.total_fen, r.staff_id))


def month_closed(*, actor: User, month: dt.date) -> CommissionMonth | None:
    return CommissionMonth.objects.filter(
        business_id=policy.business_of(actor), month=month_start(month)
    ).first()


@dataclass
class PlanView:
    plan: CommissionPlan
    rates: dict[str, dict[str, int | None]]
    staff_count: int


def commission_plans(*, actor: User) -> list[PlanView]:
    """The business's plans with their rates by kind (for those who set or assign them)."""
    if not (
        policy.can(actor, SalesCap.COMMISSION_MANAGE)
        or policy.can(actor, SalesCap.COMMISSION_ASSIGN)
    ):
        policy.require(actor, SalesCap.COMMISSION_MANAGE)
    plans = list(
        CommissionPlan.objects.filter(business_id=policy.business_of(actor))
        .prefetch_related("rates")
        .order_by("name")
    )
    counts = dict(
        CommissionAssignment.objects.filter(plan__in=plans)
        .values("plan_id")
        .annotate(n=Count("staff_id"))
        .values_list("plan_id", "n")
    )
    return [
        PlanView(
            plan=p,
            rates={
                r.kind: {
                    "percent_bp": r.percent_bp,
                    "fixed_fen": r.fixed_fen,
                    "designated_percent_bp": r.designated_percent_bp,
                    "designated_fixed_fen": r.designated_fixed_fen,
                }
                for r in p.rates.all()
            },
            staff_count=counts.get(p.pk, 0),
        )
        for p in plans
    ]


def staff_plan(*, actor: User, member: User) -> tuple[CommissionPlan | None, bool]:
    """(the plan a staff member is paid by, whether it is their own rather than their role's)."""
    if not visible_staff(actor).filter(pk=member.pk).exists():
        return None, False
    own = CommissionAssignment.objects.filter(staff=member).select_related("plan").first()
    if own is not None:
        return own.plan, True
    role_plan = CommissionPlan.objects.filter(
        Q(business_id=member.business_id) & Q(role=member.role) & Q(is_active=True)
    ).first()
    return role_plan, False


def line_item(line: CommissionLine) -> str:
    """What a commission line was earned on: the service or product, else its kind."""
    visit_line = line.visit_line
    if visit_line is not None:
        item = visit_line.service or visit_line.product
        if item is not None:
            return str(item.name)
    return str(CommissionKind(line.kind).label)


def commission_by_staff(lines: QuerySet[CommissionLine]) -> list[tuple[int, str, int]]:
    """(staff id, name, commission) of some lines (a branch's day for the daily close)."""
    rows = (
        lines.values("staff_id", "staff__display_name", "staff__username")
        .annotate(total=Sum("amount_fen"))
        .order_by("staff_id")
    )
    return sorted(
        (
            (r["staff_id"], r["staff__display_name"] or r["staff__username"], r["total"])
            for r in rows
        ),
        key=lambda t: (-t[2], t[0]),
    )


@dataclass
class CommissionDay:
    """A branch's commissions of one day, for the daily close."""

    #: (staff id, name, commission written that day at the branch)
    by_staff: list[tuple[int, str, int]] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(amount for _pk, _name, amount in self.by_staff)


def day_commissions(
    *, actor: User, branch: Branch, start: dt.datetime, end: dt.datetime
) -> CommissionDay:
    """The branch's commission lines of the day that `actor` may see: everyone's with
    `commission.view`, else only their own (a front desk closes the day, but another staff
    member's commission is not theirs to read)."""
    lines = CommissionLine.objects.filter(
        branch=branch, occurred_at__gte=start, occurred_at__lt=end
    )
    if not policy.can(actor, policy.Cap.COMMISSION_VIEW):
        lines = lines.filter(staff_id=actor.pk)
    return CommissionDay(commission_by_staff(lines))
