"""The per-customer summary by SQL aggregates in the database, on SQLite and PostgreSQL.

One ordered pass over the `visit_analytics` covering index (business, customer, visited_on,
total_fen, status): no table lookups and no sort on SQLite; the rules are those of
`clv/summary.py` (docs/analytics.md):

- a visit's amount is its total (what was charged, stored value included) less its refunds, so
  never below zero; only a refunded visit looks up its refunds;
- visits of one customer on one day (`visited_on`, the business's day) are one occasion, counted
  with COUNT(DISTINCT visited_on); an occasion has a spend when one of its visits has one;
- the first occasion's amount, left out of the mean spend, is summed with one index probe per
  customer.

Package sales (paid before the sessions, which are visits with no amount) count in the
customer's sales (total and last 365 days: the 20 × rule) on the day they were paid.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from liuke.analytics.clv.summary import YEAR_DAYS, Summary, from_columns
from liuke.sales.choices import CardStatus, PaymentPurpose, VisitStatus

Array = np.ndarray

#: A visit's amount: its total less its refunds (looked up only for a refunded visit).
_VALUE = (
    "(f.total_fen - CASE WHEN f.status = %s THEN 0 ELSE COALESCE("
    "(SELECT SUM(r.amount_fen) FROM sales_refund r WHERE r.visit_id = f.id), 0) END)"
)

# Constant fragments only: every value is a query parameter. The pass over the visits reads
# plain columns (refunds are rare: subtracted per customer by REFUNDS_SQL); a visit without an
# amount (free, a package session, fully refunded) is counted, and only the customers that have
# one get their days with a spend counted exactly by SPEND_DAYS_SQL. Days come back as whole
# days since 1970-01-01, so that every column is an integer.
_SUMMARY_SQL = """
SELECT a.customer_id, a.days, a.total_and_zero, {first_day}, {last_day}, a.year,
       (SELECT SUM{value} FROM sales_visit f
         WHERE f.business_id = %s AND f.customer_id = a.customer_id AND f.visited_on = a.first_on)
FROM (
    SELECT v.customer_id,
           COUNT(DISTINCT v.visited_on) AS days,
           {total_and_zero} AS total_and_zero,
           MIN(v.visited_on) AS first_on,
           MAX(v.visited_on) AS last_on,
           {year} AS year
    FROM sales_visit v
    WHERE v.business_id = %s AND v.visited_on <= %s
    GROUP BY v.customer_id
) a
"""

#: Per database, the cheapest spelling of the same aggregates (SQLite sums booleans). The
#: customer's total and number of visits without an amount share one SUM: total · 2²⁰ + count
#: (each aggregate costs about as much as the scan; a total stays far below 2⁴³ fen).
ZERO_BITS = 20
_DIALECT = {
    "sqlite": {
        "first_day": "CAST(julianday(a.first_on) AS INTEGER) - 2440587",
        "last_day": "CAST(julianday(a.last_on) AS INTEGER) - 2440587",
        "total_and_zero": "SUM(v.total_fen * 1048576 + (v.total_fen = 0))",
        "year": "SUM((v.visited_on > %s) * v.total_fen)",
    },
    "postgresql": {
        "first_day": "a.first_on - DATE '1970-01-01'",
        "last_day": "a.last_on - DATE '1970-01-01'",
        "total_and_zero": "SUM(v.total_fen::bigint * 1048576 + (v.total_fen = 0)::int)",
        "year": "COALESCE(SUM(v.total_fen) FILTER (WHERE v.visited_on > %s), 0)",
    },
}


def summary_sql(vendor: str) -> str:
    return _SUMMARY_SQL.format(value=_VALUE, **_DIALECT.get(vendor, _DIALECT["postgresql"]))


SPEND_DAYS_SQL = """
SELECT v.customer_id, COUNT(DISTINCT v.visited_on)
FROM sales_visit v
WHERE v.business_id = %s AND v.customer_id IN ({ids}) AND v.visited_on <= %s
  AND v.total_fen > 0 AND v.status <> %s
GROUP BY v.customer_id
"""

REFUNDS_SQL = """
SELECT v.customer_id, SUM(r.amount_fen),
       SUM(CASE WHEN v.visited_on > %s THEN r.amount_fen ELSE 0 END),
       SUM(CASE WHEN v.status = %s THEN 1 ELSE 0 END)
FROM sales_refund r JOIN sales_visit v ON v.id = r.visit_id
WHERE v.business_id = %s AND v.visited_on <= %s
GROUP BY v.customer_id
"""

BRANCHES_SQL = "SELECT id, branch_id FROM customers_customer WHERE business_id = %s ORDER BY id"

PACKAGE_SALES_SQL = """
SELECT customer_id, SUM(amount_fen),
       SUM(CASE WHEN created_at >= %s THEN amount_fen ELSE 0 END)
FROM sales_payment
WHERE business_id = %s AND purpose = %s AND created_at < %s
GROUP BY customer_id
"""


@dataclasses.dataclass
class DatabaseSummary:
    """The summary with what the stored figures also need, one element per customer."""

    summary: Summary
    customer_id: Array
    branch_id: Array
    first_on: Array  # datetime64[D]
    last_on: Array
    visits: int  # visit days (occasions) read


def customer_summary(
    *,
    business_id: int,
    observation_end: dt.date,
    chunk: int = 100_000,
    progress: Callable[[int], None] | None = None,
) -> DatabaseSummary:
    """Every customer of the business with a visit on or before `observation_end` (a local day).

    Day numbers in the summary are days since 1970-01-01.
    """
    year_start = observation_end - dt.timedelta(days=YEAR_DAYS)
    completed, refunded = str(VisitStatus.COMPLETED), str(VisitStatus.REFUNDED)
    params: list[Any] = [completed, business_id, year_start, business_id, observation_end]
    chunks: list[Array] = []
    with connection.cursor() as cursor:
        cursor.execute(summary_sql(connection.vendor), params)
        while rows := cursor.fetchmany(chunk):
            chunks.append(np.array(rows, dtype=np.int64).reshape(len(rows), 7))
            if progress:
                progress(len(rows))
        cursor.execute(BRANCHES_SQL, [business_id])
        homes = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
    data = np.concatenate(chunks) if chunks else np.zeros((0, 7), dtype=np.int64)
    data = data[np.argsort(data[:, 0], kind="stable")]
    cid, days, total_and_zero, first_day, last_day, year, first_spend = data.T
    total = total_and_zero >> ZERO_BITS
    zero_visits = total_and_zero & ((1 << ZERO_BITS) - 1)
    branch = homes[np.searchsorted(homes[:, 0], cid), 1] if len(cid) else cid.copy()
    refunds, refunds_year, refunded_visits = _per_customer(
        REFUNDS_SQL, [year_start, refunded, business_id, observation_end], cid, columns=3
    )
    spend_days = days.copy()
    some_free = np.flatnonzero((zero_visits > 0) | (refunded_visits > 0))
    for lo in range(0, len(some_free), 5_000):
        part = cid[some_free[lo : lo + 5_000]]
        found = _per_customer(
            SPEND_DAYS_SQL.format(ids=", ".join(["%s"] * len(part))),
            [business_id, *part.tolist(), observation_end, refunded],
            cid,
            columns=1,
        )
        spend_days[some_free[lo : lo + 5_000]] = found[0][some_free[lo : lo + 5_000]]
    package_total, package_year = _per_customer(
        PACKAGE_SALES_SQL, _package_params(business_id, observation_end, year_start), cid, 2
    )
    total_f = total - refunds + package_total
    year_f = year - refunds_year + package_year
    end_day = (np.datetime64(observation_end, "D")).astype(np.int64)
    spend_x = spend_days - (first_spend > 0)
    repeat_total = (total - refunds) - first_spend
    with np.errstate(invalid="ignore", divide="ignore"):
        spend_mean = np.where(spend_x > 0, repeat_total / np.maximum(spend_x, 1), 0.0)
    summary = from_columns(
        customer=np.arange(len(cid)),
        x=days - 1,
        t_x=last_day - first_day,
        T=end_day - first_day,
        spend_x=spend_x,
        spend_mean=spend_mean,
        total_spend=total_f,
        year_spend=year_f,
        first_day=first_day,
    )
    epoch = np.datetime64("1970-01-01", "D")
    return DatabaseSummary(
        summary=summary,
        customer_id=cid,
        branch_id=branch,
        first_on=epoch + first_day,
        last_on=epoch + last_day,
        visits=int(days.sum()),
    )


def _package_params(business_id: int, observation_end: dt.date, year_start: dt.date) -> list[Any]:
    """Package sales are payments (a moment, not a day): the same days in the local zone."""
    zone = timezone.get_default_timezone()
    end = dt.datetime.combine(observation_end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    start = dt.datetime.combine(year_start + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return [start, business_id, str(PaymentPurpose.PACKAGE_SALE), end]


def _per_customer(sql: str, params: list[Any], customers: Array, columns: int) -> list[Array]:
    """Rows (customer_id, value, …) of a small query, as arrays aligned with `customers`
    (sorted ids); customers without a row get 0."""
    out = [np.zeros(len(customers), dtype=np.int64) for _ in range(columns)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows or not len(customers):
        return out
    data = np.array(rows, dtype=np.int64).reshape(len(rows), columns + 1)
    index = np.minimum(np.searchsorted(customers, data[:, 0]), len(customers) - 1)
    found = customers[index] == data[:, 0]
    for i in range(columns):
        np.add.at(out[i], index[found], data[found, i + 1])
    return out


def prepaid_holders(business_id: int, today: dt.date) -> set[int]:
    """Customers holding stored value or unexpired package sessions."""
    cards = """
        SELECT c.customer_id FROM sales_storedvaluecard c
        JOIN sales_cardentry e ON e.card_id = c.id
        WHERE c.business_id = %s AND c.status = %s
          AND e.seq = (SELECT MAX(e2.seq) FROM sales_cardentry e2 WHERE e2.card_id = c.id)
          AND e.paid_after_fen + e.bonus_after_fen > 0
    """
    packages = """
        SELECT p.customer_id FROM sales_package p
        JOIN sales_packageentry e ON e.package_id = p.id
        WHERE p.business_id = %s AND (p.expires_on IS NULL OR p.expires_on >= %s)
          AND e.seq = (SELECT MAX(e2.seq) FROM sales_packageentry e2 WHERE e2.package_id = p.id)
          AND e.sessions_after > 0
    """
    with connection.cursor() as cursor:
        cursor.execute(cards, [business_id, str(CardStatus.ACTIVE)])
        held = {row[0] for row in cursor.fetchall()}
        cursor.execute(packages, [business_id, today])
        held.update(row[0] for row in cursor.fetchall())
    return held


def referral_counts(business_id: int) -> dict[int, int]:
    """How many customers each customer brought (by the archive's "referred by")."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT referrer_id, COUNT(*) FROM customers_customer "
            "WHERE business_id = %s AND referrer_id IS NOT NULL GROUP BY referrer_id",
            [business_id],
        )
        return {int(who): int(n) for who, n in cursor.fetchall()}
