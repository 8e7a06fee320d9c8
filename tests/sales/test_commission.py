"""Commission arithmetic against hand-computed examples: services (designated and rotation),
splits, visit discounts, stored value consumed, products, package sessions, cards and packages
sold, refunds; past lines never change with a rate; a refused split writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from tests.factories.accounts import user_make
from tests.sales.shop import Shop, counts, shop_make

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.core.errors import ServiceError
from liuke.sales import services
from liuke.sales.choices import CommissionKind as K
from liuke.sales.models import CommissionLine, CommissionPlan, Visit
from liuke.sales.services.commission import commission_amount, round_half_up, spread
from liuke.sales.services.commission_setup import (
    commission_plan_assign,
    commission_plan_create,
    commission_plan_update,
)

pytestmark = pytest.mark.django_db

#: The beauticians' plan: 10 % of services (15 % when designated), 5 % of products, 2 % of
#: stored value consumed.
BEAUTICIAN_RATES: dict[str, dict[str, Any]] = {
    K.SERVICE: {"percent_bp": 1000, "designated_percent_bp": 1500},
    K.PRODUCT: {"percent_bp": 500},
    K.CARD_CONSUMED: {"percent_bp": 200},
}


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.fixture
def plans(owner: User) -> dict[str, CommissionPlan]:
    return {
        "beautician": commission_plan_create(
            actor=owner, name_text="美容师提成", role=Role.BEAUTICIAN, rates=BEAUTICIAN_RATES
        ),
        "front": commission_plan_create(
            actor=owner,
            name_text="前台提成",
            role=Role.FRONT_DESK,
            rates={K.CARD_SOLD: {"percent_bp": 100, "fixed_fen": 500}},
        ),
        # ¥20 a service, no percentage: a senior beautician's own plan.
        "senior": commission_plan_create(
            actor=owner, name_text="高级美容师", rates={K.SERVICE: {"fixed_fen": 2000}}
        ),
        "manager": commission_plan_create(
            actor=owner, name_text="店长", rates={K.PACKAGE: {"percent_bp": 400}}
        ),
    }


@pytest.fixture
def second(business: Any, branch_a: Branch) -> User:
    return user_make(
        business=business, role=Role.BEAUTICIAN, branches=[branch_a], display_name="美容师小美"
    )


def _mine(staff: User, visit: Visit | None = None) -> list[tuple[str, int]]:
    lines = CommissionLine.objects.filter(staff=staff)
    if visit is not None:
        lines = lines.filter(visit=visit)
    return sorted(lines.values_list("kind", "amount_fen"))


def _cash(shop: Shop, amount: int, *lines: dict[str, Any], **extra: Any) -> Visit:
    data = shop.checkout_data(*lines, payments=[{"method": "cash", "amount_fen": amount}], **extra)
    return services.checkout(actor=shop.owner, data=data)


def test_the_rounding_rule() -> None:
    assert round_half_up(9665, 10) == 967  # 966.5 → 967
    assert round_half_up(9664, 10) == 966
    assert round_half_up(-9665, 10) == -967  # a reversal is the exact negative
    assert spread(29000, [10000, 20000]) == [9666, 19334]
    assert spread(100, [1, 1, 1]) == [33, 33, 34]
    assert spread(0, [0, 0]) == [0, 0]
    assert (
        commission_amount(base_fen=3333, percent_bp=1000, fixed_fen=0, quantity=1, share_pct=100)
        == 333
    )
    assert (
        commission_amount(base_fen=4000, percent_bp=0, fixed_fen=2000, quantity=1, share_pct=40)
        == 800
    )


def test_service_rotation_and_designated(shop: Shop, plans: Any) -> None:
    rotation = _cash(shop, 10000, shop.line())
    designated = _cash(shop, 10000, shop.line(designated=True))
    assert _mine(shop.beautician, rotation) == [(K.SERVICE, 1000)]  # 10 % of ¥100
    assert _mine(shop.beautician, designated) == [(K.SERVICE, 1500)]  # 15 % designated


def test_split_between_two_staff_on_different_plans(
    shop: Shop, plans: Any, second: User, owner: User
) -> None:
    commission_plan_assign(actor=owner, staff_id=second.pk, plan_id=plans["senior"].pk)
    split = [
        {"staff_id": shop.beautician.pk, "share_pct": 60},
        {"staff_id": second.pk, "share_pct": 40},
    ]
    visit = _cash(shop, 10000, shop.line(splits=split))
    assert _mine(shop.beautician, visit) == [(K.SERVICE, 600)]  # 10 % of 6000
    assert _mine(second, visit) == [(K.SERVICE, 800)]  # ¥20 fixed × 40 %
    bases = sorted(CommissionLine.objects.filter(visit=visit).values_list("base_fen", flat=True))
    assert bases == [4000, 6000]  # the shares add up to the line


def test_a_three_way_split_adds_up_to_the_line(
    shop: Shop, plans: Any, second: User, business: Any, branch_a: Branch
) -> None:
    third = user_make(business=business, role=Role.BEAUTICIAN, branches=[branch_a])
    split = [
        {"staff_id": shop.beautician.pk, "share_pct": 33},
        {"staff_id": second.pk, "share_pct": 33},
        {"staff_id": third.pk, "share_pct": 34},
    ]
    visit = _cash(shop, 10000, shop.line(splits=split))
    rows = CommissionLine.objects.filter(visit=visit).order_by("id")
    assert [r.base_fen for r in rows] == [3300, 3300, 3400]
    assert [r.amount_fen for r in rows] == [330, 330, 340]


@pytest.mark.parametrize(
    ("shares", "message"),
    [((60, 30), "90"), ((60, 50), "110"), ((100, 0), "")],
)
def test_a_split_that_does_not_add_up_is_refused_and_writes_nothing(
    shop: Shop, plans: Any, second: User, shares: tuple[int, int], message: str
) -> None:
    before = counts()
    split = [
        {"staff_id": shop.beautician.pk, "share_pct": shares[0]},
        {"staff_id": second.pk, "share_pct": shares[1]},
    ]
    with pytest.raises(ServiceError) as caught:
        _cash(shop, 10000, shop.line(splits=split))
    assert caught.value.code == "invalid_split"
    assert message in str(caught.value.message)
    assert counts() == before
    assert not CommissionLine.objects.exists()


def test_the_same_staff_twice_in_a_split_is_refused(shop: Shop, plans: Any) -> None:
    split = [{"staff_id": shop.beautician.pk, "share_pct": 50}] * 2
    with pytest.raises(ServiceError) as caught:
        _cash(shop, 10000, shop.line(splits=split))
    assert caught.value.code == "invalid_split"


def test_visit_discount_spreads_over_the_lines(shop: Shop, plans: Any) -> None:
    visit = _cash(
        shop,
        29000,
        shop.line(),
        shop.line(shop.massage),
        discount_fen=1000,
        discount_reason="老客户",
    )
    # nets: 10000 × 29000 // 30000 = 9666 and 19334; 10 % → 966.6 → 967 and 1933.4 → 1933
    assert _mine(shop.beautician, visit) == [(K.SERVICE, 967), (K.SERVICE, 1933)]


def test_stored_value_consumed_and_products(shop: Shop, plans: Any) -> None:
    data = shop.checkout_data(
        shop.line(),
        {"product_id": shop.mask.pk, "staff_id": shop.beautician.pk, "quantity": 2},
        payments=[
            {"method": "stored_value", "card_id": shop.card.pk, "amount_fen": 15000},
            {"method": "cash", "amount_fen": 5000},
        ],
    )
    visit = services.checkout(actor=shop.owner, data=data)
    # stored value 15000 over nets 10000 / 10000 → 7500 each; 2 % → 150 each
    assert _mine(shop.beautician, visit) == [
        (K.CARD_CONSUMED, 150),
        (K.CARD_CONSUMED, 150),
        (K.PRODUCT, 500),  # 5 % of 2 × ¥50
        (K.SERVICE, 1000),
    ]


def test_a_package_session_pays_on_its_value(shop: Shop, plans: Any) -> None:
    data = shop.checkout_data(shop.line(package_id=shop.package.pk), payments=[])
    visit = services.checkout(actor=shop.owner, data=data)
    assert _mine(shop.beautician, visit) == [(K.SERVICE, 333)]  # 10 % of the 3333 session


def test_cards_and_packages_sold(shop: Shop, plans: Any, front_a: User, manager_a: User) -> None:
    commission_plan_assign(actor=shop.owner, staff_id=manager_a.pk, plan_id=plans["manager"].pk)
    services.card_topup(actor=front_a, card_id=shop.card.pk, amount_fen=100000, method="cash")
    # 1 % of ¥1,000 + ¥5 fixed (the ¥200 bonus earns nothing: it was never paid)
    assert _mine(front_a) == [(K.CARD_SOLD, 1500)]
    services.package_sell(
        actor=manager_a,
        customer_id=shop.customer.pk,
        branch_id=shop.branch.pk,
        name="肩颈5次",
        service_ids=[shop.massage.pk],
        sessions=5,
        price_fen=90000,
        method="wechat",
    )
    assert _mine(manager_a) == [(K.PACKAGE, 3600)]  # 4 % of ¥900


def test_a_refund_reverses_each_line_naming_it(shop: Shop, plans: Any) -> None:
    visit = _cash(
        shop,
        15000,
        shop.line(designated=True),
        {"product_id": shop.mask.pk, "staff_id": shop.beautician.pk},
    )
    services.visit_refund(actor=shop.owner, visit_id=visit.pk, reason="not_satisfied")
    lines = CommissionLine.objects.filter(visit=visit)
    originals = lines.filter(reverses__isnull=True)
    assert sorted(originals.values_list("amount_fen", flat=True)) == [250, 1500]
    for original in originals:
        assert original.reversed_by.amount_fen == -original.amount_fen
        assert original.reversed_by.refund is not None
    assert sum(lines.values_list("amount_fen", flat=True)) == 0


def test_a_line_refunded_once_is_reversed_once(shop: Shop, plans: Any) -> None:
    visit = _cash(shop, 20000, shop.line(), shop.line())
    first = visit.lines.order_by("id").first()
    assert first is not None
    services.visit_refund(
        actor=shop.owner, visit_id=visit.pk, line_id=first.pk, reason="not_satisfied"
    )
    services.visit_refund(actor=shop.owner, visit_id=visit.pk, reason="not_satisfied")
    amounts = sorted(
        CommissionLine.objects.filter(visit=visit).values_list("amount_fen", flat=True)
    )
    assert amounts == [-1000, -1000, 1000, 1000]


def test_changing_a_rate_never_changes_past_lines(shop: Shop, plans: Any) -> None:
    before = _cash(shop, 10000, shop.line())
    commission_plan_update(
        actor=shop.owner,
        plan_id=plans["beautician"].pk,
        data={"rates": {K.SERVICE: {"percent_bp": 2000}}},
    )
    after = _cash(shop, 10000, shop.line())
    assert _mine(shop.beautician, before) == [(K.SERVICE, 1000)]
    assert _mine(shop.beautician, after) == [(K.SERVICE, 2000)]


def test_a_staff_members_own_plan_overrides_the_roles(shop: Shop, plans: Any) -> None:
    commission_plan_assign(
        actor=shop.owner, staff_id=shop.beautician.pk, plan_id=plans["senior"].pk
    )
    visit = _cash(shop, 10000, shop.line())
    assert _mine(shop.beautician, visit) == [(K.SERVICE, 2000)]
    commission_plan_assign(actor=shop.owner, staff_id=shop.beautician.pk, plan_id=None)
    visit = _cash(shop, 10000, shop.line())
    assert _mine(shop.beautician, visit) == [(K.SERVICE, 1000)]


def test_nobody_on_a_plan_earns_nothing(shop: Shop) -> None:
    _cash(shop, 10000, shop.line())
    assert not CommissionLine.objects.exists()


def test_a_rate_above_100_percent_is_refused(owner: User) -> None:
    with pytest.raises(ServiceError) as caught:
        commission_plan_create(actor=owner, name_text="x", rates={K.SERVICE: {"percent_bp": 10001}})
    assert caught.value.code == "invalid_percent"
    assert not CommissionPlan.objects.exists()


def test_history_visits_get_their_commission_set_based_once(shop: Shop, plans: Any) -> None:
    from tests.factories.sales import visit_make

    from liuke.sales.services.commission_bulk import commissions_backfill

    # a ¥100 facial and a ¥33.35 one written straight into the visits (the demo's history)
    visit = visit_make(
        customer=shop.customer,
        branch=shop.branch,
        total_fen=13335,
        subtotal_fen=13335,
        lines=[(shop.beautician, shop.facial, 10000), (shop.beautician, shop.facial, 3335)],
    )
    assert commissions_backfill(business_id=shop.branch.business_id) == 2
    rows = CommissionLine.objects.filter(visit=visit).order_by("amount_fen")
    # 10 % of 3335 = 333.5 → 334 (half up), of 10000 = 1000: the checkout's rule
    assert [(r.kind, r.amount_fen, r.base_fen) for r in rows] == [
        (K.SERVICE, 334, 3335),
        (K.SERVICE, 1000, 10000),
    ]
    assert {r.occurred_on for r in rows} == {visit.visited_on}
    assert commissions_backfill(business_id=shop.branch.business_id) == 0


def test_the_demo_pays_its_staff_by_plan(shop: Shop) -> None:
    from tests.factories.sales import visit_make

    from liuke.sales.commission_selectors import commission_statement
    from liuke.sales.demo import demo_commissions

    visit = visit_make(
        customer=shop.customer,
        branch=shop.branch,
        total_fen=10000,
        subtotal_fen=10000,
        lines=[(shop.beautician, shop.facial, 10000)],
    )
    assert demo_commissions(business=shop.branch.business) == 1
    assert CommissionPlan.objects.filter(role=Role.BEAUTICIAN).get().name == "美容师提成"
    statement = commission_statement(
        actor=shop.owner, staff_id=shop.beautician.pk, month=visit.visited_on
    )
    assert statement.total_fen == 1000  # 10 % of ¥100


def test_closing_a_card_takes_back_the_card_sold_commission_on_the_money_paid_back(
    shop: Shop, plans: Any, front_a: User, manager_a: User
) -> None:
    """The money a card spends is its oldest, so what is paid back is the money put in last:
    the refund is laid over the top-ups from the newest back, and each top-up's commission is
    reversed in the proportion of its money paid back."""
    commission_plan_assign(actor=shop.owner, staff_id=manager_a.pk, plan_id=plans["front"].pk)
    # shop: the owner's ¥1,000 (+¥200); then ¥1,000 by the front desk, ¥1,000 by the manager
    services.card_topup(actor=front_a, card_id=shop.card.pk, amount_fen=100000, method="cash")
    services.card_topup(actor=manager_a, card_id=shop.card.pk, amount_fen=100000, method="cash")
    assert _mine(front_a) == _mine(manager_a) == [(K.CARD_SOLD, 1500)]  # 1 % + ¥5 each
    # paid ¥3,000 + bonus ¥600; ¥2,700 spent: ¥2,250 of it paid, ¥450 bonus (in proportion)
    services.card_deduct(actor=shop.owner, card_id=shop.card.pk, amount_fen=270000)
    paid_back = services.card_refund(actor=shop.owner, card_id=shop.card.pk, method="cash")
    assert paid_back == 75000
    # ¥750 of the manager's ¥1,000 is paid back: 3/4 of ¥15.00 taken back; the front desk's
    # top-up was spent, their commission stays
    assert _mine(manager_a) == [(K.CARD_SOLD, -1125), (K.CARD_SOLD, 1500)]
    assert _mine(front_a) == [(K.CARD_SOLD, 1500)]
    reversal = CommissionLine.objects.get(staff=manager_a, amount_fen__lt=0)
    assert reversal.reverses is not None
    assert reversal.reverses.payment is not None
    assert reversal.reverses.payment.amount_fen == 100000  # it names the manager's top-up
    assert reversal.payment is not None
    assert reversal.payment.amount_fen == -75000  # and the card's refund
    assert reversal.base_fen == -75000


def test_closing_a_card_with_all_its_money_paid_back_reverses_its_commission_whole(
    shop: Shop, plans: Any, front_a: User
) -> None:
    services.card_topup(actor=front_a, card_id=shop.card.pk, amount_fen=100000, method="cash")
    services.card_refund(actor=shop.owner, card_id=shop.card.pk, method="cash")
    assert _mine(front_a) == [(K.CARD_SOLD, -1500), (K.CARD_SOLD, 1500)]
    assert sum(CommissionLine.objects.values_list("amount_fen", flat=True)) == 0
