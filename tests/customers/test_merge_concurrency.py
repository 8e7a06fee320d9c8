"""Two staff merging the same pair of customers in opposite directions at the same instant, on
PostgreSQL, each its own transaction: one merge wins, the other is told the customer is gone
(docs/money.md, "Locks and retries").

Before the lock order, each merge locked its survivor and then its duplicate: A <- B locked A
and waited for B while B <- A held B and waited for A, and PostgreSQL aborted one of them
(`deadlock detected`), which the API answered with a 500.
"""

from __future__ import annotations

import pytest
from tests.concurrency import run_at_once
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound
from liuke.customers.models import Customer, CustomerMerge
from liuke.customers.services import customer_merge

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres_only,
]

PAIRS = 15


def test_opposite_merges_of_one_pair_one_wins_the_other_is_refused(
    owner: User, manager_a: User, branch_a: Branch
) -> None:
    # given PAIRS pairs of duplicates
    pairs = [
        (customer_make(actor=owner, branch=branch_a), customer_make(actor=owner, branch=branch_a))
        for _ in range(PAIRS)
    ]

    # when, for every pair, the owner merges B into A and a manager A into B, all at once
    calls = []
    for a, b in pairs:
        calls.append(
            lambda a=a, b=b: customer_merge(actor=owner, survivor_id=a.pk, duplicate_id=b.pk)
        )
        calls.append(
            lambda a=a, b=b: customer_merge(actor=manager_a, survivor_id=b.pk, duplicate_id=a.pk)
        )
    outcomes = run_at_once(calls)

    # then per pair exactly one merge is done and the other is refused as "no such customer"
    wrong = [repr(o) for o in outcomes if not isinstance(o, CustomerMerge | NotFound)]
    assert wrong == [], f"{len(wrong)} of {len(calls)} merges failed otherwise: {wrong[:3]}"
    for index, (a, b) in enumerate(pairs):
        won = [o for o in outcomes[2 * index : 2 * index + 2] if isinstance(o, CustomerMerge)]
        assert len(won) == 1
        merged = Customer.objects.filter(pk__in=[a.pk, b.pk], merged_into__isnull=False)
        assert [c.pk for c in merged] == [won[0].merged_id]
