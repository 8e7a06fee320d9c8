"""The money rules of docs/money.md, through the services: prices, discounts, payments, cards,
packages, stock, refunds. Every refusal is checked to leave every sales table unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.sales.shop import Shop, balances, counts, shop_make

from liuke.accounts.models import Branch, User
from liuke.accounts.policy import business_of
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.sales import ledger, services
from liuke.sales.choices import CardStatus, PaymentPurpose, VisitStatus
from liuke.sales.models import CardEntry, Package, Payment, StoredValueCard


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def refused(code: str, fn, **kwargs):  # type: ignore[no-untyped-def]
    """Call `fn`, expect a ServiceError with `code`, and check nothing was written."""
    before = counts()
    with pytest.raises(ServiceError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    assert counts() == before
    return caught.value


# --- prices and discounts -----------------------------------------------------------------------


def test_member_price_is_the_tiers_share_of_list_rounded_half_up(shop: Shop, front_a: User) -> None:
    # given a 金卡 (88%) card and a branch price of 9999 fen for the massage
    shop.branch.prices.create(service=shop.massage, price_fen=9999)

    # when the checkout is priced with the card as member card
    quote = services.checkout_quote(
        actor=front_a,
        data=shop.checkout_data(
            shop.line(), shop.line(shop.massage), {"product_id": shop.mask.pk, "quantity": 2},
            member_card_id=shop.card.pk,
        ),
    )  # fmt: skip

    # then each line pays 88% of its list price, rounded half up to the fen
    assert [line.unit_price_fen for line in quote.lines] == [8800, 8799, 4400]
    assert quote.subtotal_fen == quote.total_fen == 8800 + 8799 + 8800


def test_without_a_member_card_the_list_price_applies(shop: Shop, front_a: User) -> None:
    quote = services.checkout_quote(actor=front_a, data=shop.checkout_data())
    assert quote.total_fen == 10000


def test_discount_amount_needs_a_reason(shop: Shop, front_a: User) -> None:
    refused(
        "discount_reason_required",
        services.checkout_quote,
        actor=front_a,
        data=shop.checkout_data(discount_fen=500),
    )
    quote = services.checkout_quote(
        actor=front_a, data=shop.checkout_data(discount_fen=500, discount_reason="老客优惠")
    )
    assert (quote.discount_fen, quote.total_fen) == (500, 9500)


def test_discount_percent_rounds_half_up(shop: Shop, front_a: User) -> None:
    # given the massage at 20000 and the facial at 10000, 15% off
    quote = services.checkout_quote(
        actor=front_a,
        data=shop.checkout_data(
            shop.line(), shop.line(shop.massage), discount_pct=15, discount_reason="开业活动"
        ),
    )
    assert (quote.subtotal_fen, quote.discount_fen, quote.total_fen) == (30000, 4500, 25500)


def test_a_discount_larger_than_the_amount_due_is_refused(shop: Shop, front_a: User) -> None:
    refused(
        "discount_too_large",
        services.checkout,
        actor=front_a,
        data=shop.checkout_data(
            discount_fen=10001,
            discount_reason="x",
            payments=[{"method": "cash", "amount_fen": 1}],
        ),
    )


# --- checkout -----------------------------------------------------------------------------------


def test_checkout_writes_the_visit_its_lines_payments_and_ledgers(
    shop: Shop, front_a: User
) -> None:
    # given a facial and two masks, paid partly by card (member price) and partly cash
    data = shop.checkout_data(
        shop.line(),
        {"product_id": shop.mask.pk, "quantity": 2},
        member_card_id=shop.card.pk,
        payments=[
            {"method": "stored_value", "amount_fen": 10000, "card_id": shop.card.pk},
            {"method": "cash", "amount_fen": 8800 + 8800 - 10000},
        ],
        next_visit_at=timezone.now() + dt.timedelta(days=28),
    )

    # when checked out
    visit = services.checkout(actor=front_a, data=data)

    # then the visit adds up, the card is charged paid/bonus in proportion, the stock went down
    assert (visit.subtotal_fen, visit.total_fen, visit.status) == (17600, 17600, "completed")
    assert visit.served_by == shop.beautician
    assert sorted(Payment.objects.filter(visit=visit).values_list("method", "amount_fen")) == [
        ("cash", 7600),
        ("stored_value", 10000),
    ]
    assert balances(shop.card) == (100000 - 8333, 20000 - 1667)
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 8


def test_payments_must_match_the_total(shop: Shop, front_a: User) -> None:
    for payments in (
        [],
        [{"method": "cash", "amount_fen": 9999}],
        [{"method": "cash", "amount_fen": 5000}, {"method": "wechat", "amount_fen": 5001}],
    ):
        refused(
            "payment_mismatch",
            services.checkout,
            actor=front_a,
            data=shop.checkout_data(payments=payments),
        )


@pytest.mark.parametrize("amount", [0, -100, 1.5, "100", True])
def test_a_payment_of_zero_negative_or_not_whole_fen_is_refused(
    shop: Shop, front_a: User, amount: object
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.checkout(
            actor=front_a,
            data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": amount}]),
        )
    assert "amount_fen" in caught.value.error_dict
    assert counts() == before


def test_checkout_with_a_stored_value_payment_larger_than_the_balance_writes_nothing(
    shop: Shop, front_a: User
) -> None:
    # given a checkout of 15 masks (75000) + 3 massages (60000) = 135000 > 120000 on the card
    data = shop.checkout_data(
        shop.line(shop.massage, quantity=3),
        {"product_id": shop.mask.pk, "quantity": 10},
        payments=[{"method": "stored_value", "amount_fen": 110000, "card_id": shop.card.pk}],
    )
    data["lines"][0]["quantity"] = 6  # 120000 + 50000 = 170000, card holds 120000
    data["payments"][0]["amount_fen"] = 170000
    before = counts()
    with pytest.raises(ledger.InsufficientBalance):
        services.checkout(actor=front_a, data=data)
    assert counts() == before
    assert balances(shop.card) == (100000, 20000)


def test_the_stock_cannot_go_negative(shop: Shop, front_a: User, owner: User) -> None:
    data = shop.checkout_data(
        {"product_id": shop.mask.pk, "quantity": 11},
        payments=[{"method": "cash", "amount_fen": 55000}],
    )
    refused("insufficient_balance", services.checkout, actor=front_a, data=data)
    refused(
        "insufficient_balance",
        services.stock_receive,
        actor=owner,
        product_id=shop.mask.pk,
        branch_id=shop.branch.pk,
        quantity=-11,
    )
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 10


def test_the_same_idempotency_key_makes_one_visit(shop: Shop, front_a: User) -> None:
    data = shop.checkout_data(
        payments=[{"method": "cash", "amount_fen": 10000}], idempotency_key="tablet-1-0001"
    )
    first = services.checkout(actor=front_a, data=data)
    before = counts()
    again = services.checkout(actor=front_a, data=data)
    assert again.pk == first.pk
    assert counts() == before


def test_beautician_cannot_check_out(shop: Shop, beautician_a: User) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        services.checkout(
            actor=beautician_a,
            data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
        )
    assert counts() == before


def test_a_service_must_be_performed_by_a_role_allowed_to(
    shop: Shop, front_a: User, front_b: User
) -> None:
    refused(
        "staff_cannot_perform",
        services.checkout_quote,
        actor=front_a,
        data=shop.checkout_data({"service_id": shop.facial.pk, "staff_id": front_a.pk}),
    )
    refused(
        "staff_not_in_branch",
        services.checkout_quote,
        actor=front_a,
        data=shop.checkout_data({"product_id": shop.mask.pk, "staff_id": front_b.pk}),
    )


# --- stored-value cards -------------------------------------------------------------------------


def test_a_topup_earns_the_best_bonus_rule_it_reaches(shop: Shop, front_a: User) -> None:
    # given rules 1000 → 200 (the shop's) and 3000 → 800
    from liuke.sales.models import BonusRule

    BonusRule.objects.create(business_id=business_of(shop.owner), pay_fen=300000, bonus_fen=80000)
    card = services.card_issue(
        actor=front_a, customer_id=shop.customer.pk, branch_id=shop.branch.pk, number="vip002"
    )
    assert card.number == "VIP002"

    services.card_topup(actor=front_a, card_id=card.pk, amount_fen=99999, method="cash")
    assert balances(card) == (99999, 0)
    services.card_topup(actor=front_a, card_id=card.pk, amount_fen=300000, method="alipay")
    assert balances(card) == (399999, 80000)
    kinds = list(card.entries.order_by("seq").values_list("kind", flat=True))
    assert kinds == ["topup", "topup", "bonus"]
    assert Payment.objects.filter(card=card, purpose=PaymentPurpose.TOPUP).count() == 2


@pytest.mark.parametrize("amount", [0, -1, -100000])
def test_zero_or_negative_card_amounts_are_refused(shop: Shop, front_a: User, amount: int) -> None:
    for fn in (services.card_topup, services.card_deduct):
        kwargs: dict[str, Any] = {"actor": front_a, "card_id": shop.card.pk, "amount_fen": amount}
        if fn is services.card_topup:
            kwargs["method"] = "cash"
        before = counts()
        with pytest.raises(ValidationError):
            fn(**kwargs)
        assert counts() == before


def test_a_deduction_takes_paid_and_bonus_in_proportion(shop: Shop, front_a: User) -> None:
    services.card_deduct(actor=front_a, card_id=shop.card.pk, amount_fen=60000)
    assert balances(shop.card) == (50000, 10000)


def test_a_deduction_larger_than_the_balance_is_refused(shop: Shop, front_a: User) -> None:
    refused(
        "insufficient_balance",
        services.card_deduct,
        actor=front_a,
        card_id=shop.card.pk,
        amount_fen=120001,
    )
    services.card_deduct(actor=front_a, card_id=shop.card.pk, amount_fen=120000)
    assert balances(shop.card) == (0, 0)


def test_a_deduction_from_an_expired_card_is_refused(shop: Shop, front_a: User) -> None:
    StoredValueCard.objects.filter(pk=shop.card.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    refused(
        "card_expired", services.card_deduct, actor=front_a, card_id=shop.card.pk, amount_fen=100
    )
    refused(
        "card_expired",
        services.checkout,
        actor=front_a,
        data=shop.checkout_data(
            payments=[{"method": "stored_value", "amount_fen": 10000, "card_id": shop.card.pk}]
        ),
    )


def test_a_card_refund_pays_back_only_the_paid_part(shop: Shop, manager_a: User) -> None:
    # given paid 100000 + bonus 20000, then 60000 spent (50000 paid, 10000 bonus)
    services.card_deduct(actor=manager_a, card_id=shop.card.pk, amount_fen=60000)

    # when the card is refunded
    paid_back = services.card_refund(actor=manager_a, card_id=shop.card.pk, method="cash")

    # then the unused paid part goes back, the bonus is forfeited, the card is closed
    assert paid_back == 50000
    assert balances(shop.card) == (0, 0)
    shop.card.refresh_from_db()
    assert shop.card.status == CardStatus.CLOSED
    refund = Payment.objects.get(card=shop.card, purpose=PaymentPurpose.CARD_REFUND)
    assert (refund.method, refund.amount_fen) == ("cash", -50000)
    refused(
        "card_closed", services.card_deduct, actor=manager_a, card_id=shop.card.pk, amount_fen=1
    )


def test_front_desk_cannot_refund_a_card(shop: Shop, front_a: User) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        services.card_refund(actor=front_a, card_id=shop.card.pk, method="cash")
    assert counts() == before


def test_another_branchs_card_is_not_found(shop: Shop, front_b: User, outsider: User) -> None:
    for actor in (front_b, outsider):
        with pytest.raises(NotFound):
            services.card_deduct(actor=actor, card_id=shop.card.pk, amount_fen=100)


# --- packages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("price", "sessions"), [(10000, 3), (1, 7), (99999, 10), (0, 5), (7, 7)])
def test_package_session_values_add_up_to_the_price(price: int, sessions: int) -> None:
    package = Package(price_fen=price, sessions_total=sessions)
    values = [package.session_value_fen(k) for k in range(1, sessions + 1)]
    assert sum(values) == price
    assert max(values) - min(values) <= 1


def test_a_package_session_at_checkout(shop: Shop, front_a: User) -> None:
    visit = services.checkout(
        actor=front_a, data=shop.checkout_data(shop.line(package_id=shop.package.pk, quantity=2))
    )
    line = visit.lines.get()
    assert (visit.total_fen, line.amount_fen, line.package_value_fen) == (0, 0, 6666)
    assert ledger.package_remaining(shop.package) == 1
    last = services.checkout(
        actor=front_a, data=shop.checkout_data(shop.line(package_id=shop.package.pk))
    )
    assert last.lines.get().package_value_fen == 3334
    refused(
        "insufficient_balance",
        services.checkout,
        actor=front_a,
        data=shop.checkout_data(shop.line(package_id=shop.package.pk)),
    )


def test_a_package_cannot_pay_for_a_service_it_does_not_cover(shop: Shop, front_a: User) -> None:
    refused(
        "package_not_for_service",
        services.checkout,
        actor=front_a,
        data=shop.checkout_data(
            shop.line(shop.massage, package_id=shop.package.pk),
            payments=[],
        ),
    )


def test_an_expired_package_cannot_be_used(shop: Shop, front_a: User) -> None:
    Package.objects.filter(pk=shop.package.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    refused(
        "package_expired",
        services.checkout,
        actor=front_a,
        data=shop.checkout_data(shop.line(package_id=shop.package.pk)),
    )


def test_a_manager_extends_a_package_with_a_reason(
    shop: Shop, manager_a: User, front_a: User
) -> None:
    new_date = timezone.localdate() + dt.timedelta(days=90)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.package_extend(
            actor=front_a, package_id=shop.package.pk, expires_on=new_date, reason="顾客出差"
        )
    refused(
        "reason_required",
        services.package_extend,
        actor=manager_a,
        package_id=shop.package.pk,
        expires_on=new_date,
        reason="  ",
    )
    assert counts() == before

    services.package_extend(
        actor=manager_a, package_id=shop.package.pk, expires_on=new_date, reason="顾客出差"
    )

    shop.package.refresh_from_db()
    assert shop.package.expires_on == new_date
    entry = shop.package.entries.order_by("-seq").first()
    assert entry is not None
    assert (entry.kind, entry.sessions_delta, entry.staff) == ("extend", 0, manager_a)
    assert "顾客出差" in entry.note
    assert ledger.package_remaining(shop.package) == 3


# --- refunds ------------------------------------------------------------------------------------


def _mixed_visit(shop: Shop, actor: User):  # type: ignore[no-untyped-def]
    """A package facial, a massage and two masks (20000 + 10000 = 30000), ¥20 off (29800 due):
    20000 by card, 9800 cash."""
    return services.checkout(
        actor=actor,
        data=shop.checkout_data(
            shop.line(package_id=shop.package.pk),
            shop.line(shop.massage),
            {"product_id": shop.mask.pk, "quantity": 2},
            discount_fen=200,
            discount_reason="生日",
            payments=[
                {"method": "stored_value", "amount_fen": 20000, "card_id": shop.card.pk},
                {"method": "cash", "amount_fen": 9800},
            ],
        ),
    )


def test_a_full_refund_restores_sessions_stock_and_stored_value(
    shop: Shop, front_a: User, manager_a: User
) -> None:
    # given a mixed visit
    before_card = balances(shop.card)
    visit = _mixed_visit(shop, front_a)
    assert balances(shop.card) != before_card

    # when it is refunded in full
    refund = services.visit_refund(
        actor=manager_a, visit_id=visit.pk, reason="allergy", note="红肿"
    )

    # then the money goes back the way it came, the session and the masks come back
    assert refund.amount_fen == 29800
    assert balances(shop.card) == before_card
    assert ledger.package_remaining(shop.package) == 3
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 10
    back = dict(
        Payment.objects.filter(visit=visit, purpose=PaymentPurpose.REFUND).values_list(
            "method", "amount_fen"
        )
    )
    assert back == {"stored_value": -20000, "cash": -9800}
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REFUNDED
    assert sum(Payment.objects.filter(visit=visit).values_list("amount_fen", flat=True)) == 0


def test_a_line_refund_gives_back_the_lines_share_then_nothing_more(
    shop: Shop, front_a: User, manager_a: User
) -> None:
    visit = _mixed_visit(shop, front_a)
    massage = visit.lines.get(service=shop.massage)

    refund = services.visit_refund(
        actor=manager_a, visit_id=visit.pk, line_id=massage.pk, reason="not_satisfied"
    )

    # the massage's share of 29800 over a 30000 subtotal, out of the card first
    assert refund.amount_fen == 20000 * 29800 // 30000
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PARTLY_REFUNDED
    refused(
        "nothing_to_refund",
        services.visit_refund,
        actor=manager_a,
        visit_id=visit.pk,
        line_id=massage.pk,
        reason="not_satisfied",
    )
    # the rest, then nothing at all: never more than was paid
    services.visit_refund(actor=manager_a, visit_id=visit.pk, reason="complaint")
    refused(
        "nothing_to_refund",
        services.visit_refund,
        actor=manager_a,
        visit_id=visit.pk,
        reason="complaint",
    )
    paid = sum(
        Payment.objects.filter(visit=visit, purpose="visit").values_list("amount_fen", flat=True)
    )
    returned = -sum(
        Payment.objects.filter(visit=visit, purpose="refund").values_list("amount_fen", flat=True)
    )
    assert returned == paid == 29800


def test_a_refund_restores_the_paid_and_bonus_parts_it_took(
    shop: Shop, front_a: User, manager_a: User
) -> None:
    # given 30000 charged to the card (25000 paid + 5000 bonus)
    visit = services.checkout(
        actor=front_a,
        data=shop.checkout_data(
            shop.line(shop.massage),
            shop.line(),
            payments=[{"method": "stored_value", "amount_fen": 30000, "card_id": shop.card.pk}],
        ),
    )
    assert balances(shop.card) == (75000, 15000)
    # and more spent since, so the card's proportions have moved
    services.card_deduct(actor=front_a, card_id=shop.card.pk, amount_fen=50000)

    # when the massage (20000) is refunded
    massage = visit.lines.get(service=shop.massage)
    services.visit_refund(
        actor=manager_a, visit_id=visit.pk, line_id=massage.pk, reason="wrong_charge"
    )

    # then it comes back 5:1 as it was taken, not in today's proportion
    reverse = CardEntry.objects.filter(card=shop.card, kind="reverse").get()
    assert (reverse.paid_delta_fen, reverse.bonus_delta_fen) == (16667, 3333)


def test_front_desk_cannot_refund_a_visit(shop: Shop, front_a: User) -> None:
    visit = services.checkout(
        actor=front_a, data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}])
    )
    before = counts()
    with pytest.raises(PermissionDenied):
        services.visit_refund(actor=front_a, visit_id=visit.pk, reason="allergy")
    assert counts() == before


def test_a_refund_needs_a_reason_from_the_list(shop: Shop, manager_a: User) -> None:
    visit = services.checkout(
        actor=manager_a,
        data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
    )
    refused(
        "invalid_reason", services.visit_refund, actor=manager_a, visit_id=visit.pk, reason="meh"
    )
