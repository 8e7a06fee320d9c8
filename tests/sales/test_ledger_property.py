"""Property: whatever sequence of top-ups, deductions (some too large), checkouts paid partly by
stored value, visit refunds and card refunds happens to a card, its ledger stays consistent.

- the entries are numbered 1..n, each balance after is the previous one plus the movement, and
  the last entry's balance equals the sum of all movements (paid and bonus parts apart);
- neither part is ever negative;
- balance = top-ups + bonuses − deductions + reversals − card refunds (by entry kind);
- the Payment rows agree: top-up payments = top-up entries, the card's stored-value payments =
  what the card's visit entries moved, each visit's payments = its total less its refunds;
- a refused operation writes nothing.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories import customer_make
from tests.sales.shop import Shop, counts, shop_make

from liuke.accounts.models import Branch, User
from liuke.core.errors import ServiceError
from liuke.sales import services
from liuke.sales.choices import CardEntryKind, PaymentMethod, PaymentPurpose
from liuke.sales.models import CardEntry, Payment, Refund, StoredValueCard, Visit

_numbers = itertools.count(1)

topup = st.tuples(
    st.just("topup"),
    st.sampled_from([1, 5000, 99999, 100000, 123457, 300000]),
    st.sampled_from(["cash", "wechat", "alipay", "bank_card"]),
)
deduct = st.tuples(st.just("deduct"), st.integers(min_value=1, max_value=250000))
checkout = st.tuples(
    st.just("checkout"),
    st.integers(min_value=1, max_value=3),  # massages of 20000 fen
    st.integers(min_value=0, max_value=60000),  # of which by card; the rest cash
    st.booleans(),  # with a 10% discount
)
refund = st.tuples(
    st.just("refund"),
    st.integers(min_value=0, max_value=10),  # which visit
    st.booleans(),  # one line only
)
card_refund = st.tuples(st.just("card_refund"))
operations = st.lists(
    st.one_of(topup, topup, deduct, deduct, checkout, checkout, refund, card_refund),
    min_size=1,
    max_size=8,
)


def _apply(shop: Shop, manager: User, card: StoredValueCard, visits: list[Visit], op: Any) -> None:
    kind = op[0]
    if kind == "topup":
        services.card_topup(actor=manager, card_id=card.pk, amount_fen=op[1], method=op[2])
    elif kind == "deduct":
        services.card_deduct(actor=manager, card_id=card.pk, amount_fen=op[1])
    elif kind == "checkout":
        _, quantity, by_card, discounted = op
        subtotal = 20000 * quantity
        total = subtotal - (subtotal // 10 if discounted else 0)
        by_card = min(by_card, total)
        payments: list[dict[str, Any]] = []
        if by_card:
            payments.append({"method": "stored_value", "amount_fen": by_card, "card_id": card.pk})
        if total - by_card:
            payments.append({"method": "cash", "amount_fen": total - by_card})
        data = shop.checkout_data(
            shop.line(shop.massage, quantity=quantity),
            shop.line(),
            payments=payments,
        )
        data["lines"] = data["lines"][:1]
        if discounted:
            data.update(discount_pct=10, discount_reason="活动")
        visits.append(services.checkout(actor=manager, data=data))
    elif kind == "refund":
        if not visits:
            return
        visit = visits[op[1] % len(visits)]
        line_id = visit.lines.order_by("id").values_list("id", flat=True).first() if op[2] else None
        services.visit_refund(actor=manager, visit_id=visit.pk, line_id=line_id, reason="other")
    elif kind == "card_refund":
        services.card_refund(actor=manager, card_id=card.pk, method="cash")


def _check(card: StoredValueCard, visits: list[Visit]) -> None:
    entries = list(CardEntry.objects.filter(card=card).order_by("seq"))
    paid = bonus = 0
    for n, e in enumerate(entries, start=1):
        assert e.seq == n
        paid += e.paid_delta_fen
        bonus += e.bonus_delta_fen
        assert (e.paid_after_fen, e.bonus_after_fen) == (paid, bonus)
        assert paid >= 0
        assert bonus >= 0
    by_kind: dict[str, int] = {}
    for e in entries:
        by_kind[e.kind] = by_kind.get(e.kind, 0) + e.paid_delta_fen + e.bonus_delta_fen
    assert by_kind.get(CardEntryKind.DEDUCT, 0) <= 0
    assert by_kind.get(CardEntryKind.REFUND, 0) <= 0
    assert by_kind.get(CardEntryKind.REVERSE, 0) >= 0
    assert paid + bonus == sum(by_kind.values())

    # Payments agree with the ledger.
    topups = Payment.objects.filter(card=card, purpose=PaymentPurpose.TOPUP)
    assert (topups.aggregate(t=Sum("amount_fen"))["t"] or 0) == sum(
        e.paid_delta_fen for e in entries if e.kind == CardEntryKind.TOPUP
    )
    stored_value = Payment.objects.filter(card=card, method=PaymentMethod.STORED_VALUE)
    assert -(stored_value.aggregate(t=Sum("amount_fen"))["t"] or 0) == sum(
        e.paid_delta_fen + e.bonus_delta_fen for e in entries if e.visit_id is not None
    )
    card_refunds = Payment.objects.filter(card=card, purpose=PaymentPurpose.CARD_REFUND)
    assert (card_refunds.aggregate(t=Sum("amount_fen"))["t"] or 0) == sum(
        e.paid_delta_fen for e in entries if e.kind == CardEntryKind.REFUND
    )
    for visit in visits:
        visit.refresh_from_db()
        payments = Payment.objects.filter(visit=visit)
        received = payments.filter(purpose=PaymentPurpose.VISIT).aggregate(t=Sum("amount_fen"))
        returned = payments.filter(purpose=PaymentPurpose.REFUND).aggregate(t=Sum("amount_fen"))
        refunded = Refund.objects.filter(visit=visit).aggregate(t=Sum("amount_fen"))["t"] or 0
        assert received["t"] == visit.total_fen
        assert -(returned["t"] or 0) == refunded <= visit.total_fen
        for method, net in (
            payments.values_list("method").annotate(t=Sum("amount_fen")).values_list("method", "t")
        ):
            assert net >= 0, (method, net)


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_random_money_movements_keep_the_ledger_consistent(
    ops: list[Any], shop: Shop, manager_a: User
) -> None:
    # given a fresh customer and card for this example
    customer = customer_make(actor=shop.owner, branch=shop.branch)
    shop.customer = customer
    card = services.card_issue(
        actor=manager_a,
        customer_id=customer.pk,
        branch_id=shop.branch.pk,
        number=f"P{next(_numbers)}",
    )
    visits: list[Visit] = []

    # when the operations run, some refused
    for op in ops:
        before = counts()
        try:
            _apply(shop, manager_a, card, visits, op)
        except (ServiceError, ValidationError):
            assert counts() == before, op  # a refusal writes nothing
        card.refresh_from_db()
        # then after every step the ledger and the payments agree
        _check(card, visits)
