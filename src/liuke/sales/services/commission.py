"""Commissions (提成) written as the money moves: at checkout (services performed, products sold,
stored value consumed), at a card top-up (card sold) and a package sale (package sold); a refund
(of a visit, or of a card's unused money) writes the negative of each line it takes back,
naming it.

Each staff member's commission on a line is computed once, from the plan in force at that
moment, and stored with what it was computed from: a plan or rate changed later changes no past
line. The rounding rule (docs/money.md, "Commissions"): a line's base is spread over its split
(each share ⌊base × pct / 100⌋, the last share takes the rest, so the shares add up to the base);
each staff member's amount is round-half-up(share × rate) + round-half-up(fixed × quantity ×
pct / 100), in whole fen; a statement is the sum of its stored lines, so it equals them exactly.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from liuke.accounts.models import Branch, User
from liuke.sales.choices import CommissionKind, LineKind, PaymentMethod, PaymentPurpose
from liuke.sales.models import (
    CommissionAssignment,
    CommissionLine,
    CommissionPlan,
    CommissionRate,
    Payment,
    Refund,
    Visit,
    VisitLine,
)
from liuke.sales.models.commission import BP_PER_WHOLE
from liuke.sales.services.quote import Quote


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (away from zero for a half), in whole units."""
    if numerator < 0:
        return -round_half_up(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)


def spread(total: int, weights: Sequence[int]) -> list[int]:
    """`total` spread over `weights` in proportion: each ⌊total × w / Σw⌋, the last the rest, so
    the parts add up to `total` exactly (the refund's rule for a visit discount, too)."""
    whole = sum(weights)
    parts: list[int] = []
    for index, weight in enumerate(weights):
        if index == len(weights) - 1:
            parts.append(total - sum(parts))
        else:
            parts.append(total * weight // whole if whole else 0)
    return parts


def commission_amount(
    *, base_fen: int, percent_bp: int, fixed_fen: int, quantity: int, share_pct: int
) -> int:
    """One staff member's commission on their share of a line, in whole fen."""
    return round_half_up(base_fen * percent_bp, BP_PER_WHOLE) + round_half_up(
        fixed_fen * quantity * share_pct, 100
    )


def local_day(branch: Branch, when: dt.datetime) -> dt.date:
    """The day of `when` in the branch's time zone (the daily close's day)."""
    return when.astimezone(zoneinfo.ZoneInfo(branch.time_zone)).date()


@dataclass
class _Plans:
    """The plans and rates in force, each looked up once per write."""

    plans: dict[int, CommissionPlan | None] = field(default_factory=dict)
    rates: dict[int, dict[str, CommissionRate]] = field(default_factory=dict)

    def plan(self, staff: User) -> CommissionPlan | None:
        if staff.pk not in self.plans:
            own = (
                CommissionAssignment.objects.filter(staff=staff, plan__is_active=True)
                .select_related("plan")
                .first()
            )
            self.plans[staff.pk] = (
                own.plan
                if own is not None
                else CommissionPlan.objects.filter(
                    business_id=staff.business_id or 0, role=staff.role, is_active=True
                ).first()
            )
        return self.plans[staff.pk]

    def rate(self, plan: CommissionPlan, kind: str) -> CommissionRate | None:
        if plan.pk not in self.rates:
            self.rates[plan.pk] = {r.kind: r for r in plan.rates.all()}
        return self.rates[plan.pk].get(kind)


@dataclass
class _Earning:
    """What one line (or sale) pays commission on, before it is split."""

    kind: str
    base_fen: int
    quantity: int = 1
    designated: bool = False
    visit: Visit | None = None
    visit_line: VisitLine | None = None
    payment: Payment | None = None


def _lines_for(
    plans: _Plans,
    *,
    branch: Branch,
    shares: Sequence[tuple[User, int]],
    earning: _Earning,
    now: dt.datetime,
) -> list[CommissionLine]:
    """Each sharing staff member's commission line (none where their plan pays nothing)."""
    out: list[CommissionLine] = []
    bases = spread(earning.base_fen, [pct for _staff, pct in shares])
    for (staff, pct), base in zip(shares, bases, strict=True):
        plan = plans.plan(staff)
        rate = plans.rate(plan, earning.kind) if plan is not None else None
        if rate is None:
            continue
        percent, fixed = rate.percent_bp, rate.fixed_fen
        if earning.designated and earning.kind == CommissionKind.SERVICE:
            percent = percent if rate.designated_percent_bp is None else rate.designated_percent_bp
            fixed = fixed if rate.designated_fixed_fen is None else rate.designated_fixed_fen
        amount = commission_amount(
            base_fen=base, percent_bp=percent, fixed_fen=fixed, quantity=earning.quantity,
            share_pct=pct,
        )  # fmt: skip
        if amount == 0:
            continue
        out.append(
            CommissionLine(
                business_id=branch.business_id,
                branch=branch,
                staff=staff,
                kind=earning.kind,
                visit=earning.visit,
                visit_line=earning.visit_line,
                payment=earning.payment,
                plan=plan,
                designated=earning.designated,
                quantity=earning.quantity,
                share_pct=pct,
                base_fen=base,
                percent_bp=percent,
                fixed_fen=fixed,
                amount_fen=amount,
                occurred_at=now,
                occurred_on=local_day(branch, now),
            )
        )
    return out


def commissions_for_visit(*, visit: Visit, quote: Quote, lines: Sequence[VisitLine]) -> int:
    """The commission lines of a checkout (inside its transaction); returns how many.

    Per visit line: a service pays `service` on what the line brought in (its amount net of its
    share of the visit discount, plus the value of the package session it used); a product pays
    `product` on its net amount; and the part of the net paid from stored value pays
    `card_consumed` (the visit's stored-value payments spread over the lines' net amounts)."""
    plans = _Plans()
    now = timezone.now()
    nets = spread(visit.total_fen, [line.amount_fen for line in lines])
    stored_value = sum(
        p.amount_fen for p in visit.payments.all() if p.method == PaymentMethod.STORED_VALUE
    )
    from_cards = spread(stored_value, nets)
    out: list[CommissionLine] = []
    for q, line, net, card_part in zip(quote.lines, lines, nets, from_cards, strict=True):
        shares = q.splits or ([(q.staff, 100)] if q.staff is not None else [])
        if not shares:
            continue
        service = line.kind == LineKind.SERVICE
        earnings = [
            _Earning(
                CommissionKind.SERVICE if service else CommissionKind.PRODUCT,
                net + line.package_value_fen,
                quantity=line.quantity,
                designated=q.designated,
            )
        ]
        if card_part:
            earnings.append(_Earning(CommissionKind.CARD_CONSUMED, card_part))
        for earning in earnings:
            earning.visit, earning.visit_line = visit, line
            out += _lines_for(plans, branch=visit.branch, shares=shares, earning=earning, now=now)
    CommissionLine.objects.bulk_create(out)
    return len(out)


def commissions_for_sale(*, payment: Payment, kind: str) -> int:
    """The seller's commission on a card top-up (`card_sold`) or a package sale (`package`):
    on the money received (a top-up's bonus was never paid for)."""
    if payment.staff is None:
        return 0
    out = _lines_for(
        _Plans(),
        branch=payment.branch,
        shares=[(payment.staff, 100)],
        earning=_Earning(kind, payment.amount_fen, payment=payment),
        now=timezone.now(),
    )
    CommissionLine.objects.bulk_create(out)
    return len(out)


def _reversal(
    o: CommissionLine, *, now: dt.datetime, part: int, whole: int, **names: object
) -> CommissionLine:
    """The line that takes back `part`/`whole` of line `o` (all of it when they are equal),
    dated now, naming it and what caused it (`names`: a refund, a refund payment)."""
    return CommissionLine(
        business_id=o.business_id,
        branch=o.branch,
        staff_id=o.staff_id,
        kind=o.kind,
        visit_id=o.visit_id,
        visit_line_id=o.visit_line_id,
        reverses=o,
        plan_id=o.plan_id,
        designated=o.designated,
        quantity=-o.quantity if part == whole else 0,
        share_pct=o.share_pct,
        base_fen=-round_half_up(o.base_fen * part, whole),
        percent_bp=o.percent_bp,
        fixed_fen=o.fixed_fen,
        amount_fen=-round_half_up(o.amount_fen * part, whole),
        occurred_at=now,
        occurred_on=local_day(o.branch, now),
        **names,
    )


def _unreversed() -> QuerySet[CommissionLine]:
    return CommissionLine.objects.filter(
        reverses__isnull=True, reversed_by__isnull=True
    ).select_related("branch")


def commissions_reverse_card_refund(*, refund_payment: Payment, refunded_fen: int) -> int:
    """Closing a card pays back its unused paid part: the `card_sold` commission on that part is
    taken back. The money a card spends is its oldest (so what is paid back is the money put in
    last): the refunded amount is laid over the card's top-ups from the newest back, and each
    top-up's commission line is reversed in the proportion of its money paid back
    (round-half-up(amount × part / received)), by a line that names it and the refund payment."""
    now = timezone.now()
    left = refunded_fen
    out: list[CommissionLine] = []
    topups = Payment.objects.filter(
        card_id=refund_payment.card_id, purpose=PaymentPurpose.TOPUP, amount_fen__gt=0
    )
    for topup in topups.order_by("-created_at", "-id"):
        if left <= 0:
            break
        part = min(left, topup.amount_fen)
        left -= part
        originals = _unreversed().filter(payment=topup, kind=CommissionKind.CARD_SOLD)
        for o in originals.order_by("id"):
            line = _reversal(o, now=now, part=part, whole=topup.amount_fen, payment=refund_payment)
            if line.amount_fen:
                out.append(line)
    CommissionLine.objects.bulk_create(out)
    return len(out)


def commissions_reverse(*, refund: Refund, lines: Sequence[VisitLine]) -> int:
    """A refund takes back the commission on the lines it refunds: for each line not yet
    reversed, a line of the opposite amount (dated now) that names it."""
    now = timezone.now()
    originals = _unreversed().filter(visit_line__in=list(lines)).order_by("id")
    out = [_reversal(o, now=now, part=1, whole=1, refund=refund) for o in originals]
    CommissionLine.objects.bulk_create(out)
    return len(out)
