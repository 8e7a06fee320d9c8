"""Monthly commission statements: a statement always equals the sum of its lines and the month's
statements add up to the daily closes (a property test over random checkouts, splits and
refunds; a refund's reversal nets each refunded visit to zero); a closed month is stored and
changes only by a recorded adjustment; who sees whose statement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories import customer_make
from tests.factories.accounts import user_make
from tests.sales.shop import Shop, shop_make

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.core.errors import CapabilityDenied, NotFound, ServiceError
from liuke.sales import selectors, services
from liuke.sales.choices import CommissionKind as K
from liuke.sales.commission_selectors import commission_statement, commission_statements
from liuke.sales.models import CommissionLine, CommissionStatement, Visit
from liuke.sales.months import month_start
from liuke.sales.services.commission_setup import (
    commission_adjust,
    commission_month_close,
    commission_plan_assign,
    commission_plan_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    shop = shop_make(owner=owner, branch=branch_a, beautician=beautician_a)
    commission_plan_create(
        actor=owner,
        name_text="美容师",
        role=Role.BEAUTICIAN,
        rates={
            K.SERVICE: {"percent_bp": 1234, "designated_percent_bp": 1777, "fixed_fen": 33},
            K.PRODUCT: {"percent_bp": 555},
            K.CARD_CONSUMED: {"percent_bp": 123},
        },
    )
    return shop


@pytest.fixture
def team(shop: Shop, business: Any, branch_a: Branch) -> list[User]:
    others = [
        user_make(business=business, role=Role.BEAUTICIAN, branches=[branch_a]) for _ in range(2)
    ]
    return [shop.beautician, *others]


def _this_month() -> dt.date:
    return month_start(timezone.localdate())


line = st.tuples(
    st.sampled_from(["facial", "massage", "mask"]),
    st.integers(min_value=1, max_value=3),  # quantity
    st.booleans(),  # designated
    st.lists(st.integers(min_value=1, max_value=60), min_size=0, max_size=2),  # split weights
)
visit = st.tuples(
    st.lists(line, min_size=1, max_size=3),
    st.integers(min_value=0, max_value=30),  # discount %
    st.integers(min_value=0, max_value=100),  # % paid by card
    st.sampled_from([None, "visit", "line"]),  # refund
)


def _split(team: list[User], weights: list[int]) -> list[dict[str, Any]]:
    """Shares for the first len(weights)+1 staff, whole percentages adding up to 100."""
    if not weights:
        return []
    total = sum(weights) + 40
    shares = [w * 100 // total for w in weights]
    shares = [max(s, 1) for s in shares]
    return [
        {"staff_id": s.pk, "share_pct": p}
        for s, p in zip(team, [*shares, 100 - sum(shares)], strict=False)
    ]


def _checkout(shop: Shop, team: list[User], spec: Any) -> Visit:
    lines, discount_pct, card_pct, _refund = spec
    raw = []
    for item, quantity, designated, weights in lines:
        if item == "mask":
            raw.append(
                {
                    "product_id": shop.mask.pk,
                    "staff_id": shop.beautician.pk,
                    "quantity": quantity,
                    "splits": _split(team, weights),
                }
            )
        else:
            service = shop.facial if item == "facial" else shop.massage
            raw.append(
                shop.line(
                    service, quantity=quantity, designated=designated, splits=_split(team, weights)
                )
            )
    data = shop.checkout_data(*raw)
    if discount_pct:
        data |= {"discount_pct": discount_pct, "discount_reason": "活动"}
    total = services.checkout_quote(actor=shop.owner, data=data).total_fen
    by_card = min(total * card_pct // 100, 100000)
    payments = [{"method": "cash", "amount_fen": total - by_card}] if total - by_card else []
    if by_card:
        payments.append({"method": "stored_value", "card_id": shop.card.pk, "amount_fen": by_card})
    services.card_topup(actor=shop.owner, card_id=shop.card.pk, amount_fen=100000, method="cash")
    services.stock_receive(
        actor=shop.owner, product_id=shop.mask.pk, branch_id=shop.branch.pk, quantity=10
    )
    return services.checkout(actor=shop.owner, data=data | {"payments": payments})


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(visits=st.lists(visit, min_size=1, max_size=3))
def test_statements_are_the_sum_of_their_lines_and_of_the_daily_closes(
    visits: list[Any], shop: Shop, team: list[User]
) -> None:
    # when random checkouts happen, some refunded whole or by one line
    refunded: list[Visit] = []
    for spec in visits:
        v = _checkout(shop, team, spec)
        if spec[3] == "visit":
            services.visit_refund(actor=shop.owner, visit_id=v.pk, reason="not_satisfied")
            refunded.append(v)
        elif spec[3] == "line":
            first = v.lines.order_by("id")[0]  # a visit has at least one line
            services.visit_refund(
                actor=shop.owner, visit_id=v.pk, line_id=first.pk, reason="not_satisfied"
            )
    month = _this_month()
    # then each staff member's statement is the sum of their lines
    rows = commission_statements(actor=shop.owner, month=month)
    for staff in team:
        lines = CommissionLine.objects.filter(staff=staff, occurred_on__gte=month)
        expected = lines.aggregate(t=Sum("amount_fen"))["t"] or 0
        st_ = commission_statement(actor=shop.owner, staff_id=staff.pk, month=month)
        assert st_.total_fen == expected == sum(st_.by_kind.values())
        assert st_.line_count == lines.count()
        assert sum(r.total_fen for r in rows if r.staff_id == staff.pk) == expected
    # and the month's statements add up to the daily closes (every day of the month so far:
    # a run may cross midnight in the branch's time zone)
    days = [month + dt.timedelta(days=n) for n in range((timezone.localdate() - month).days + 1)]
    closes = [
        selectors.daily_close(actor=shop.owner, branch_id=shop.branch.pk, day=day).commissions
        for day in days
    ]
    assert sum(c.total_fen for c in closes if c is not None) == sum(r.total_fen for r in rows)
    # and a refunded visit's commissions net to zero, each reversal naming its line
    for v in refunded:
        assert (
            CommissionLine.objects.filter(visit=v).aggregate(t=Sum("amount_fen"))["t"] or 0
        ) == 0
        assert not CommissionLine.objects.filter(
            visit=v, reverses__isnull=True, reversed_by__isnull=True
        ).exists()


def _backdate(day: dt.date) -> None:
    """Move every commission line written so far to `day` (a month that is over)."""
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    CommissionLine.objects.update(occurred_on=day, occurred_at=when)


def test_a_closed_month_is_stored_and_changes_only_by_adjustment(shop: Shop) -> None:
    services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
    )
    _backdate(dt.date(2026, 1, 15))
    closed = commission_month_close(actor=shop.owner, month=dt.date(2026, 1, 1))
    stored = CommissionStatement.objects.get(closed=closed, staff=shop.beautician)
    # 12.34 % of ¥100 + ¥0.33 fixed = 1234 + 33
    assert (stored.lines_fen, stored.by_kind, stored.line_count) == (1267, {"service": 1267}, 1)

    with pytest.raises(ServiceError) as caught:
        commission_month_close(actor=shop.owner, month=dt.date(2026, 1, 1))
    assert caught.value.code == "month_closed"
    with pytest.raises(ServiceError) as caught:
        commission_month_close(actor=shop.owner, month=_this_month())
    assert caught.value.code == "month_not_over"

    adjustment = commission_adjust(
        actor=shop.owner,
        staff_id=shop.beautician.pk,
        month=dt.date(2026, 1, 1),
        amount_fen=-267,
        reason="扣罚：迟到",
    )
    st_ = commission_statement(
        actor=shop.owner, staff_id=shop.beautician.pk, month=dt.date(2026, 1, 1)
    )
    assert st_.closed is not None
    assert (st_.lines_fen, st_.adjustments_fen, st_.total_fen) == (1267, -267, 1000)
    assert [(a.amount_fen, a.reason, a.created_by) for a in st_.adjustments] == [
        (-267, "扣罚：迟到", shop.owner)
    ]
    assert adjustment.created_at is not None


def test_an_open_month_is_not_adjusted_and_an_adjustment_needs_a_reason(shop: Shop) -> None:
    with pytest.raises(ServiceError) as caught:
        commission_adjust(
            actor=shop.owner,
            staff_id=shop.beautician.pk,
            month=_this_month(),
            amount_fen=100,
            reason="x",
        )
    assert caught.value.code == "month_not_closed"
    commission_month_close(actor=shop.owner, month=dt.date(2025, 12, 1))
    with pytest.raises(ServiceError) as caught:
        commission_adjust(
            actor=shop.owner,
            staff_id=shop.beautician.pk,
            month=dt.date(2025, 12, 1),
            amount_fen=100,
            reason="  ",
        )
    assert caught.value.code == "reason_required"


def test_who_sees_whose_statement(
    shop: Shop,
    manager_a: User,
    front_a: User,
    front_b: User,
    auditor: User,
    outsider: User,
    business: Any,
    branch_a: Branch,
    branch_b: Branch,
) -> None:
    commission_plan_create(
        actor=shop.owner,
        name_text="前台",
        role=Role.FRONT_DESK,
        rates={K.CARD_SOLD: {"percent_bp": 100}},
    )
    b_customer = customer_make(actor=front_b, branch=branch_b)
    b_card = services.card_issue(
        actor=front_b, customer_id=b_customer.pk, branch_id=branch_b.pk, number="B-001"
    )
    services.card_topup(actor=front_b, card_id=b_card.pk, amount_fen=50000, method="cash")
    services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
    )
    other = user_make(business=business, role=Role.BEAUTICIAN, branches=[branch_a])
    month = _this_month()
    beautician = shop.beautician

    def visible(actor: User) -> set[int]:
        return {r.staff_id for r in commission_statements(actor=actor, month=month)}

    assert visible(shop.owner) == visible(auditor) == {beautician.pk, front_b.pk}
    assert visible(manager_a) == {beautician.pk}  # front_b works at branch B
    assert visible(beautician) == {beautician.pk}
    assert visible(front_a) == set()  # their own: none this month
    assert visible(outsider) == set()
    assert commission_statement(actor=beautician, staff_id=beautician.pk, month=month).total_fen
    for actor, staff in [
        (other, beautician),
        (front_a, beautician),
        (beautician, front_b),
        (manager_a, front_b),
        (outsider, beautician),
    ]:
        with pytest.raises(NotFound):
            commission_statement(actor=actor, staff_id=staff.pk, month=month)


def test_only_the_owner_sets_plans_and_managers_assign_their_staff(
    shop: Shop, manager_a: User, front_b: User, beautician_a: User
) -> None:
    plan = commission_plan_create(actor=shop.owner, name_text="高级", rates={})
    with pytest.raises(CapabilityDenied):
        commission_plan_create(actor=manager_a, name_text="我的", rates={})
    with pytest.raises(CapabilityDenied):
        commission_plan_assign(actor=beautician_a, staff_id=beautician_a.pk, plan_id=plan.pk)
    commission_plan_assign(actor=manager_a, staff_id=beautician_a.pk, plan_id=plan.pk)
    with pytest.raises(CapabilityDenied):  # front_b works at branch B only
        commission_plan_assign(actor=manager_a, staff_id=front_b.pk, plan_id=plan.pk)
