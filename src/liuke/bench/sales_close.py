"""The daily-close benchmark, run in child processes of `liuke.bench.sales`.

The daily close (`sales.selectors.daily_close`) of the busiest day of branch 静安店 when the
branch has over 1,000,000 visits, on SQLite: `liuke demo --customers 410000` plus, added with
set-based INSERT … SELECT (`augment`), one payment per visit, 5,000 stored-value cards with ledger
entries and 3,000 packages with session entries. Median of several runs (`close`).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

CLOSE_RUNS = 5
#: A daily close slower than this prints the query plans of its three slowest queries.
SLOW_CLOSE_MS = 1000.0


def augment(owner: Any) -> dict[str, Any]:
    """Payments for every visit, cards and packages with ledger entries, set-based (SQLite)."""
    from django.db import connection, transaction

    from liuke.accounts.models import Branch

    business = owner.business_id
    branches = list(Branch.objects.filter(business_id=business).values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cur:
        _visit_payments(cur, owner.pk, business)
        for branch in branches:
            _cards_and_packages(cur, owner.pk, business, branch)
        _card_ledger(cur, owner.pk, business)
        _package_ledger(cur, owner.pk, business)
        counts = {}
        for key, table in (("payments", "sales_payment"), ("cards", "sales_storedvaluecard"),
                           ("card_entries", "sales_cardentry"), ("packages", "sales_package"),
                           ("package_entries", "sales_packageentry")):  # fmt: skip
            cur.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (fixed table names)
            counts[key] = cur.fetchone()[0]
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return counts


def _visit_payments(cur: Any, owner_pk: int, business: int) -> None:
    # One payment per visit, at the visit's time; a customer with a card (below) pays one
    # visit in three from it.
    cur.execute(
        """
        INSERT INTO sales_payment (business_id, branch_id, customer_id, visit_id, purpose,
            method, amount_fen, card_id, staff_id, created_at, updated_at)
        SELECT business_id, branch_id, customer_id, id, 'visit',
            CASE id % 4 WHEN 0 THEN 'cash' WHEN 1 THEN 'wechat' WHEN 2 THEN 'alipay'
                ELSE 'bank_card' END,
            CASE WHEN total_fen > 0 THEN total_fen ELSE 100 END, NULL, %s,
            visited_at, visited_at
        FROM sales_visit WHERE business_id = %s
        """,
        [owner_pk, business],
    )


def _cards_and_packages(cur: Any, owner_pk: int, business: int, branch: int) -> None:
    # 2,500 cards per branch for the customers with the most visits, topped up at their
    # first visit; 1,500 packages per branch.
    cur.execute(
        """
        INSERT INTO sales_storedvaluecard (business_id, branch_id, customer_id, number,
            tier_id, expires_on, status, created_by_id, created_at, updated_at)
        SELECT %s, %s, customer_id, 'C' || customer_id, NULL, NULL, 'active', %s,
            MIN(visited_at), MIN(visited_at)
        FROM sales_visit WHERE branch_id = %s
        GROUP BY customer_id ORDER BY COUNT(*) DESC LIMIT 2500
        """,
        [business, branch, owner_pk, branch],
    )
    cur.execute(
        """
        INSERT INTO sales_package (business_id, branch_id, customer_id, name,
            sessions_total, price_fen, expires_on, created_by_id, created_at, updated_at)
        SELECT %s, %s, customer_id, '护理10次卡', 10, 98000, NULL, %s,
            MIN(visited_at), MIN(visited_at)
        FROM sales_visit WHERE branch_id = %s
        GROUP BY customer_id ORDER BY COUNT(*) ASC LIMIT 1500
        """,
        [business, branch, owner_pk, branch],
    )


def _card_ledger(cur: Any, owner_pk: int, business: int) -> None:
    """The cards' ledger entries and the visits' stored-value payments."""
    # Card ledger: a top-up, then a deduction for each of the card holder's visits.
    cur.execute(
        """
        INSERT INTO sales_cardentry (card_id, seq, kind, paid_delta_fen, bonus_delta_fen,
            paid_after_fen, bonus_after_fen, visit_id, staff_id, idempotency_key, note,
            created_at)
        SELECT id, 1, 'topup', 10000000, 0, 10000000, 0, NULL, %s, NULL, '', created_at
        FROM sales_storedvaluecard WHERE business_id = %s
        """,
        [owner_pk, business],
    )
    cur.execute(
        """
        INSERT INTO sales_cardentry (card_id, seq, kind, paid_delta_fen, bonus_delta_fen,
            paid_after_fen, bonus_after_fen, visit_id, staff_id, idempotency_key, note,
            created_at)
        SELECT c.id, 1 + ROW_NUMBER() OVER (PARTITION BY c.id ORDER BY v.visited_at, v.id),
            'deduct', -1000, 0,
            10000000 - 1000 * ROW_NUMBER() OVER (PARTITION BY c.id ORDER BY v.visited_at, v.id),
            0, v.id, %s, NULL, '', v.visited_at
        FROM sales_storedvaluecard c
        JOIN sales_visit v ON v.customer_id = c.customer_id AND v.branch_id = c.branch_id
        WHERE c.business_id = %s
        """,
        [owner_pk, business],
    )
    cur.execute(
        """
        INSERT INTO sales_payment (business_id, branch_id, customer_id, visit_id, purpose,
            method, amount_fen, card_id, staff_id, created_at, updated_at)
        SELECT c.business_id, c.branch_id, c.customer_id, e.visit_id, 'visit',
            'stored_value', 1000, c.id, %s, e.created_at, e.created_at
        FROM sales_cardentry e JOIN sales_storedvaluecard c ON c.id = e.card_id
        WHERE e.kind = 'deduct' AND c.business_id = %s
        """,
        [owner_pk, business],
    )


def _package_ledger(cur: Any, owner_pk: int, business: int) -> None:
    """The packages' ledger entries."""
    # Package ledger: the sale, then one session used per visit while sessions remain.
    cur.execute(
        """
        INSERT INTO sales_packageentry (package_id, seq, kind, sessions_delta,
            sessions_after, line_id, staff_id, note, created_at)
        SELECT id, 1, 'sale', 10, 10, NULL, %s, '', created_at
        FROM sales_package WHERE business_id = %s
        """,
        [owner_pk, business],
    )
    cur.execute(
        """
        INSERT INTO sales_packageentry (package_id, seq, kind, sessions_delta,
            sessions_after, line_id, staff_id, note, created_at)
        SELECT package_id, 1 + n, 'use', -1, 10 - n, NULL, %s, '', visited_at FROM (
            SELECT p.id AS package_id, v.visited_at,
                ROW_NUMBER() OVER (PARTITION BY p.id ORDER BY v.visited_at, v.id) AS n
            FROM sales_package p
            JOIN sales_visit v ON v.customer_id = p.customer_id AND v.branch_id = p.branch_id
            WHERE p.business_id = %s
        ) WHERE n <= 10
        """,
        [owner_pk, business],
    )


def close(owner: Any) -> dict[str, Any]:
    """Time `daily_close` for the busiest day of 静安店; explain its queries if it is slow."""
    import datetime as dt

    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.test.utils import CaptureQueriesContext

    from liuke.accounts.models import Branch
    from liuke.sales.models import Visit
    from liuke.sales.selectors import daily_close

    branch = Branch.objects.get(business=owner.business, code="B01")
    branch_visits = Visit.objects.filter(branch=branch).count()
    busiest = (
        Visit.objects.filter(branch=branch)
        .annotate(day=TruncDate("visited_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    day: dt.date = busiest["day"]
    daily_close(actor=owner, branch_id=branch.pk, day=day)  # warm the page cache
    timings = []
    for _i in range(CLOSE_RUNS):
        t0 = time.perf_counter()
        result = daily_close(actor=owner, branch_id=branch.pk, day=day)
        timings.append((time.perf_counter() - t0) * 1000)
    slow_plans: list[tuple[str, list[str]]] = []
    if statistics.median(timings) < SLOW_CLOSE_MS:
        per_query: list[dict[str, Any]] = []
    else:
        with CaptureQueriesContext(connection) as ctx:
            daily_close(actor=owner, branch_id=branch.pk, day=day)
        per_query = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
    with connection.cursor() as cur:
        for q in per_query[:3]:
            cur.execute("EXPLAIN QUERY PLAN " + q["sql"])
            plan = [" ".join(str(p) for p in row) for row in cur.fetchall()]
            slow_plans.append((f"[{float(q['time']) * 1000:.0f} ms] {q['sql'][:400]}", plan))
    return {
        "branch_visits": branch_visits,
        "day": day.isoformat(),
        "day_visits": result.visits,
        "median_ms": statistics.median(timings),
        "min_ms": min(timings),
        "max_ms": max(timings),
        "runs": CLOSE_RUNS,
        "slow_plans": slow_plans,
    }
