"""Checkouts at the same instant on PostgreSQL, each its own transaction: paying from two cards
in opposite orders must not deadlock (docs/money.md, "Locks and retries").

Before the lock order, each checkout locked its cards in the order of its payments: one locked
card 1 then waited for card 2 while the other held card 2 and waited for card 1, and PostgreSQL
aborted one of them (`deadlock detected`), which the API answered with a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from tests.concurrency import run_at_once
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.accounts.policy import business_of
from liuke.core.errors import NotFound
from liuke.customers.models import CustomerMerge
from liuke.customers.services import customer_merge
from liuke.sales import ledger, services
from liuke.sales.models import Payment, Product, Refund, Service, StoredValueCard, Visit

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres_only,
]

PAIRS = 10
PRICE = 10_000  # fen: one facial, half paid from each card
TOPUP = 2 * PAIRS * PRICE  # each card pays half of 2 * PAIRS checkouts, with as much to spare


def _cards(owner: User, branch: Branch) -> tuple[int, StoredValueCard, StoredValueCard]:
    customer = customer_make(actor=owner, branch=branch)
    cards = []
    for number in ("LOCK-1", "LOCK-2"):
        card = services.card_issue(
            actor=owner, customer_id=customer.pk, branch_id=branch.pk, number=number
        )
        services.card_topup(actor=owner, card_id=card.pk, amount_fen=TOPUP, method="cash")
        cards.append(card)
    return customer.pk, cards[0], cards[1]


def _facial(owner: User) -> Service:
    return Service.objects.create(
        business_id=business_of(owner),
        category="facial",
        name="护理",
        duration_min=60,
        price_fen=PRICE,
    )


def test_checkouts_paying_from_two_cards_in_opposite_orders_all_succeed(
    owner: User, branch_a: Branch, beautician_a: User
) -> None:
    # given a customer with two cards, a facial and a mask product (stock locked too)
    customer_id, first, second = _cards(owner, branch_a)
    facial = _facial(owner)
    mask = Product.objects.create(
        business_id=business_of(owner), name="面膜", sku="LOCK", price_fen=0
    )
    services.stock_receive(
        actor=owner, product_id=mask.pk, branch_id=branch_a.pk, quantity=2 * PAIRS
    )

    def checkout(cards: tuple[StoredValueCard, StoredValueCard]) -> Callable[[], Any]:
        data = {
            "customer_id": customer_id,
            "branch_id": branch_a.pk,
            "lines": [
                {"service_id": facial.pk, "staff_id": beautician_a.pk},
                {"product_id": mask.pk},
            ],
            "payments": [
                {"method": "stored_value", "card_id": card.pk, "amount_fen": PRICE // 2}
                for card in cards
            ],
        }
        return lambda: services.checkout(actor=owner, data=data)

    # when PAIRS checkouts pay (card 1, card 2) and PAIRS others (card 2, card 1), all at once
    calls = [checkout((first, second)), checkout((second, first))] * PAIRS
    outcomes = run_at_once(calls)

    # then every one succeeds, and each card paid exactly its half of every checkout
    failed = [repr(o) for o in outcomes if not isinstance(o, Visit)]
    assert failed == [], f"{len(failed)} of {len(calls)} checkouts failed: {failed[:3]}"
    for card in (first, second):
        assert ledger.card_balances(card) == (TOPUP - len(calls) * PRICE // 2, 0)
        assert Payment.objects.filter(card=card, purpose="visit").count() == len(calls)
    assert ledger.stock_on_hand(mask, branch_a) == 0


def test_checkouts_refunds_and_a_merge_of_the_same_customer_at_once_queue(
    owner: User, branch_a: Branch, beautician_a: User
) -> None:
    # given a customer with two cards and two visits paid from both, and a survivor to merge into
    customer_id, first, second = _cards(owner, branch_a)
    survivor = customer_make(actor=owner, branch=branch_a)
    facial = _facial(owner)

    def data(cards: tuple[StoredValueCard, StoredValueCard]) -> dict[str, Any]:
        return {
            "customer_id": customer_id,
            "branch_id": branch_a.pk,
            "lines": [{"service_id": facial.pk, "staff_id": beautician_a.pk}],
            "payments": [
                {"method": "stored_value", "card_id": card.pk, "amount_fen": PRICE // 2}
                for card in cards
            ],
        }

    paid = [services.checkout(actor=owner, data=data((first, second))) for _ in range(2)]

    # when checkouts in both card orders, the two refunds and the merge all start at once
    calls: list[Callable[[], Any]] = [
        partial(services.checkout, actor=owner, data=data(cards))
        for cards in [(first, second), (second, first)] * (PAIRS // 2)
    ]
    calls += [
        partial(services.visit_refund, actor=owner, visit_id=visit.pk, reason="not_satisfied")
        for visit in paid
    ]
    calls.append(
        partial(customer_merge, actor=owner, survivor_id=survivor.pk, duplicate_id=customer_id)
    )
    outcomes = run_at_once(calls)

    # then nothing dies as a deadlock victim: a checkout after the merge finds no customer
    expected = Visit | Refund | CustomerMerge | NotFound
    assert [repr(o) for o in outcomes if not isinstance(o, expected)] == []
    assert isinstance(outcomes[-1], CustomerMerge)
    assert all(isinstance(o, Refund) for o in outcomes[-3:-1])
    sold = sum(isinstance(o, Visit) for o in outcomes)
    for card in (first, second):
        assert ledger.card_balances(card) == (TOPUP - sold * PRICE // 2, 0)
