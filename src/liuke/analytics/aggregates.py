"""What the dashboards read, computed once per refresh (docs/analytics.md, "The dashboards").

A dashboard request never aggregates visits: it sums a few rows per branch of the tables filled
here (`RevenueMonth`, `RepeatRate`, `CohortCell`, `ValueBucket`, `BranchTotals`) or walks an
index of the stored figures. One pass over the business's visits (customer, day, branch,
amount) and one over its visit lines (staff member, service) is read into NumPy arrays; the
rest is sorting and counting, with the same rules on SQLite and PostgreSQL.

Definitions (tested against hand-computed fixtures in tests/analytics/test_dashboards.py):

- revenue of a month: the visits' totals by their local day, plus package sales by the local
  day they were paid, less the refunds made in that month;
- a *visit day* is one customer's visits on one day (at one branch; by one staff member; of one
  service, for those rates);
- repeat rate of a group (branch, staff member within a branch, service within a branch):
  customers with visit days in the group on two or more different days / customers with any;
- rebooking rate: of the group's visit days at least REBOOK_DAYS before the end of observation,
  the share after which the same customer came back (any branch, any service) within
  REBOOK_DAYS days;
- cohort: the month of a customer's first visit (anywhere in the business), counted in the
  customer's home branch; offset k counts the cohort's customers with a visit k months later;
- value bands: fixed bands in yuan (VALUE_BANDS_YUAN), by the model value and by the 20 × rule;
- potential key account: not a key account, worth (model value, else the 20 × rule) at or above
  the business's POTENTIAL_QUANTILE of worth and above zero.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from liuke.sales.choices import PaymentPurpose

Array = np.ndarray

#: A visit is "rebooked" when the customer comes back within this many days.
REBOOK_DAYS = 90
#: How many monthly cohorts (and months after them) are kept.
COHORT_MONTHS = 24
#: Value bands (lower edges, yuan); the last band is open.
VALUE_BANDS_YUAN = (0, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
#: Potential key accounts: worth at or above this quantile of the business's customers.
POTENTIAL_QUANTILE = 0.95
#: Months of revenue kept.
REVENUE_MONTHS = 36

_DAY = {
    "sqlite": "CAST(julianday(v.visited_on) AS INTEGER) - 2440587",
    "postgresql": "v.visited_on - DATE '1970-01-01'",
}
VISITS_SQL = """
SELECT v.customer_id, {day}, v.branch_id, v.total_fen
FROM sales_visit v
WHERE v.business_id = %s AND v.visited_on <= %s
"""
LINES_SQL = """
SELECT v.customer_id, {day}, v.branch_id, COALESCE(l.staff_id, 0), COALESCE(l.service_id, 0)
FROM sales_visitline l JOIN sales_visit v ON v.id = l.visit_id
WHERE v.business_id = %s AND v.visited_on <= %s
  AND (l.staff_id IS NOT NULL OR l.service_id IS NOT NULL)
"""
PACKAGE_SALES_SQL = """
SELECT branch_id, created_at, amount_fen FROM sales_payment
WHERE business_id = %s AND purpose = %s AND created_at < %s
"""
REFUNDS_SQL = """
SELECT v.branch_id, r.created_at, r.amount_fen
FROM sales_refund r JOIN sales_visit v ON v.id = r.visit_id
WHERE r.business_id = %s AND r.created_at < %s
"""
KEY_ACCOUNTS_SQL = """
SELECT id, COALESCE(owner_id, 0) FROM customers_customer
WHERE business_id = %s AND is_key_account AND merged_into_id IS NULL
"""
REFERRALS_SQL = """
SELECT id, referrer_id FROM customers_customer
WHERE business_id = %s AND referrer_id IS NOT NULL AND merged_into_id IS NULL
"""


@dataclasses.dataclass
class Tables:
    """Rows for the aggregate tables (plain dicts of column → value) and per-customer columns
    for the figures (aligned with the refresh's customer ids)."""

    revenue: list[dict[str, Any]]
    rates: list[dict[str, Any]]
    cohorts: list[dict[str, Any]]
    buckets: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    worth: Array
    key_account: Array
    referred_count: Array
    referred_worth: Array


def _fetch(sql: str, params: list[Any], columns: int, chunk: int = 200_000) -> Array:
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            parts.append(np.array(rows, dtype=np.int64).reshape(len(rows), columns))
    return np.concatenate(parts) if parts else np.zeros((0, columns), dtype=np.int64)


def _months(days: Array) -> Array:
    """Days since 1970-01-01 → months since 1970-01."""
    return (days.astype("datetime64[D]").astype("datetime64[M]")).astype(np.int64)


def _month_date(month: int) -> dt.date:
    return dt.date(1970 + month // 12, month % 12 + 1, 1)


def _local_month(moment: Any) -> int:
    if isinstance(moment, str):  # SQLite without converters
        moment = dt.datetime.fromisoformat(moment)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    local = timezone.localtime(moment)
    return (local.year - 1970) * 12 + local.month - 1


def compute(
    *,
    business_id: int,
    observation_end: dt.date,
    customer_id: Array,
    branch_id: Array,
    value_fen: Array,
    rule_value_fen: Array,
    progress: Callable[[str], None] | None = None,
) -> Tables:
    """Every dashboard table of one business. `customer_id` (sorted), `branch_id` (home),
    `value_fen` (NaN where the model is not used) and `rule_value_fen` are the refresh's."""
    report = progress or (lambda step: None)
    end_day = int(np.datetime64(observation_end, "D").astype(np.int64))
    day_sql = _DAY.get(connection.vendor, _DAY["postgresql"])
    visits = _fetch(VISITS_SQL.format(day=day_sql), [business_id, observation_end], 4)
    report("visits")
    lines = _fetch(LINES_SQL.format(day=day_sql), [business_id, observation_end], 5)
    report("lines")

    # Each customer's distinct visit days, with the next one (for rebooking).
    cust, day, branch = visits[:, 0], visits[:, 1], visits[:, 2]
    keys = np.unique((cust << 16) | day)
    nxt = np.empty_like(keys)
    nxt[:-1] = keys[1:]
    nxt[-1:] = -1
    same = (nxt >> 16) == (keys >> 16)
    rebooked_key = same & ((nxt & 0xFFFF) - (keys & 0xFFFF) <= REBOOK_DAYS)
    eligible_key = (keys & 0xFFFF) <= end_day - REBOOK_DAYS

    rates = _rates("branch", cust, day, branch, branch, keys, rebooked_key, eligible_key)
    staff = lines[:, 3] > 0
    rates += _rates(
        "staff",
        lines[staff, 0],
        lines[staff, 1],
        lines[staff, 2],
        lines[staff, 3],
        keys,
        rebooked_key,
        eligible_key,
    )
    service = lines[:, 4] > 0
    rates += _rates(
        "service",
        lines[service, 0],
        lines[service, 1],
        lines[service, 2],
        lines[service, 4],
        keys,
        rebooked_key,
        eligible_key,
    )
    report("rates")

    revenue = _revenue(business_id, observation_end, day, branch, visits[:, 3])
    del visits, lines, cust, day, branch
    report("revenue")
    cohorts = _cohorts(keys, customer_id, branch_id, end_day)
    del keys, nxt, same, rebooked_key, eligible_key
    report("cohorts")

    worth = np.where(np.isfinite(value_fen), value_fen, rule_value_fen)
    worth = np.rint(np.nan_to_num(worth, nan=0.0)).astype(np.int64)
    buckets = _buckets(branch_id, value_fen, rule_value_fen)
    key_account, owned = _key_accounts(business_id, customer_id)
    referred_count, referred_worth, referred = _referrals(business_id, customer_id, worth)
    totals = _totals(branch_id, worth, key_account, owned, referred, referred_count, referred_worth)
    report("totals")
    return Tables(
        revenue=revenue,
        rates=rates,
        cohorts=cohorts,
        buckets=buckets,
        totals=totals,
        worth=worth,
        key_account=key_account,
        referred_count=referred_count,
        referred_worth=referred_worth,
    )


def _rates(
    dimension: str,
    cust: Array,
    day: Array,
    branch: Array,
    group: Array,
    keys: Array,
    rebooked_key: Array,
    eligible_key: Array,
) -> list[dict[str, Any]]:
    if not len(cust):
        return []
    # Distinct (branch, group, customer, day): one visit day of the group.
    order = np.lexsort((day, cust, group, branch))
    b, g, c, d = branch[order], group[order], cust[order], day[order]
    first = np.ones(len(b), dtype=bool)
    first[1:] = (b[1:] != b[:-1]) | (g[1:] != g[:-1]) | (c[1:] != c[:-1]) | (d[1:] != d[:-1])
    b, g, c, d = b[first], g[first], c[first], d[first]
    at = np.searchsorted(keys, (c << 16) | d)
    eligible = eligible_key[at]
    rebooked = rebooked_key[at] & eligible
    # Customers of the group: runs of (branch, group, customer); repeat = two days or more.
    new_customer = np.ones(len(b), dtype=bool)
    new_customer[1:] = (b[1:] != b[:-1]) | (g[1:] != g[:-1]) | (c[1:] != c[:-1])
    run_start = np.flatnonzero(new_customer)
    days_per_customer = np.diff(np.append(run_start, len(b)))
    new_group = np.ones(len(b), dtype=bool)
    new_group[1:] = (b[1:] != b[:-1]) | (g[1:] != g[:-1])
    group_start = np.flatnonzero(new_group)
    group_of_row = np.cumsum(new_group) - 1
    group_of_customer = group_of_row[run_start]
    n_groups = len(group_start)
    customers = np.bincount(group_of_customer, minlength=n_groups)
    repeaters = np.bincount(group_of_customer, weights=days_per_customer >= 2, minlength=n_groups)
    visits = np.bincount(group_of_row, weights=eligible, minlength=n_groups)
    came_back = np.bincount(group_of_row, weights=rebooked, minlength=n_groups)
    return [
        {
            "branch_id": int(b[s]),
            "dimension": dimension,
            "key_id": int(g[s]),
            "customers": int(customers[i]),
            "repeat_customers": int(repeaters[i]),
            "visits": int(visits[i]),
            "rebooked": int(came_back[i]),
        }
        for i, s in enumerate(group_start.tolist())
    ]


def _revenue(
    business_id: int, observation_end: dt.date, day: Array, branch: Array, total: Array
) -> list[dict[str, Any]]:
    end_month = _months(np.array([np.datetime64(observation_end, "D").astype(np.int64)]))[0]
    first_month = end_month - REVENUE_MONTHS + 1
    sales: dict[tuple[int, int], int] = {}
    refunds: dict[tuple[int, int], int] = {}
    counts: dict[tuple[int, int], int] = {}
    if len(day):
        month = _months(day)
        keep = month >= first_month
        pair = (branch[keep] << 16) | (month[keep] - first_month)
        uniq, inverse = np.unique(pair, return_inverse=True)
        amount = np.zeros(len(uniq), dtype=np.int64)
        np.add.at(amount, inverse, total[keep])
        n = np.bincount(inverse, minlength=len(uniq))
        for p, a, k in zip(uniq.tolist(), amount.tolist(), n.tolist(), strict=True):
            key = (p >> 16, (p & 0xFFFF) + first_month)
            sales[key], counts[key] = a, k
    zone = timezone.get_default_timezone()
    end = dt.datetime.combine(observation_end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    with connection.cursor() as cursor:
        cursor.execute(PACKAGE_SALES_SQL, [business_id, str(PaymentPurpose.PACKAGE_SALE), end])
        for branch_id, at, amount_fen in cursor.fetchall():
            key = (branch_id, _local_month(at))
            if key[1] >= first_month:
                sales[key] = sales.get(key, 0) + amount_fen
        cursor.execute(REFUNDS_SQL, [business_id, end])
        for branch_id, at, amount_fen in cursor.fetchall():
            key = (branch_id, _local_month(at))
            if key[1] >= first_month:
                refunds[key] = refunds.get(key, 0) + amount_fen
    return [
        {
            "branch_id": b,
            "month": _month_date(m),
            "sales_fen": sales.get((b, m), 0),
            "refunds_fen": refunds.get((b, m), 0),
            "visits": counts.get((b, m), 0),
        }
        for b, m in sorted(set(sales) | set(refunds))
    ]


def _cohorts(
    keys: Array, customer_id: Array, home_branch: Array, end_day: int
) -> list[dict[str, Any]]:
    if not len(keys) or not len(customer_id):
        return []
    cust = keys >> 16
    month = _months(keys & 0xFFFF)
    pair = np.unique((cust << 16) | month)  # distinct (customer, month), sorted
    cust, month = pair >> 16, pair & 0xFFFF
    first = np.ones(len(cust), dtype=bool)
    first[1:] = cust[1:] != cust[:-1]
    cohort = np.maximum.accumulate(np.where(first, np.arange(len(cust)), 0))
    cohort_month = month[cohort]
    offset = month - cohort_month
    end_month = int(_months(np.array([end_day]))[0])
    keep = cohort_month > end_month - COHORT_MONTHS
    at = np.minimum(np.searchsorted(customer_id, cust[keep]), len(customer_id) - 1)
    known = customer_id[at] == cust[keep]
    branch = home_branch[at][known]
    cells = (branch << 24) | ((cohort_month[keep][known] - (end_month - COHORT_MONTHS)) << 8)
    cells |= offset[keep][known]
    uniq, n = np.unique(cells, return_counts=True)
    base = end_month - COHORT_MONTHS
    return [
        {
            "branch_id": int(u >> 24),
            "cohort": _month_date(int(((u >> 8) & 0xFFFF) + base)),
            "offset": int(u & 0xFF),
            "customers": int(k),
        }
        for u, k in zip(uniq.tolist(), n.tolist(), strict=True)
    ]


def band_edges_fen() -> Array:
    return np.array(VALUE_BANDS_YUAN, dtype=np.int64) * 100


def _buckets(branch: Array, value_fen: Array, rule_value_fen: Array) -> list[dict[str, Any]]:
    edges = band_edges_fen()
    out = []
    for measure, values in (("model", value_fen), ("rule", rule_value_fen)):
        known = np.isfinite(values)
        if not known.any():
            continue
        band = np.searchsorted(edges, np.maximum(values[known], 0), side="right") - 1
        pair = (branch[known].astype(np.int64) << 8) | band
        uniq, n = np.unique(pair, return_counts=True)
        out += [
            {"branch_id": int(u >> 8), "measure": measure, "bucket": int(u & 0xFF), "customers": k}
            for u, k in zip(uniq.tolist(), n.tolist(), strict=True)
        ]
    return out


def _key_accounts(business_id: int, customer_id: Array) -> tuple[Array, Array]:
    """(is a key account, has a responsible staff member) per customer."""
    key = np.zeros(len(customer_id), dtype=bool)
    owned = np.zeros(len(customer_id), dtype=bool)
    found = _fetch(KEY_ACCOUNTS_SQL, [business_id], 2)
    if len(found) and len(customer_id):
        at = np.minimum(np.searchsorted(customer_id, found[:, 0]), len(customer_id) - 1)
        hit = customer_id[at] == found[:, 0]
        key[at[hit]] = True
        owned[at[hit]] = found[hit, 1] > 0
    return key, owned


def _referrals(business_id: int, customer_id: Array, worth: Array) -> tuple[Array, Array, Array]:
    """Per customer: customers brought, their worth, and whether the customer was referred."""
    count = np.zeros(len(customer_id), dtype=np.int64)
    brought_worth = np.zeros(len(customer_id), dtype=np.int64)
    referred = np.zeros(len(customer_id), dtype=bool)
    edges = _fetch(REFERRALS_SQL, [business_id], 2)
    if not len(edges) or not len(customer_id):
        return count, brought_worth, referred
    last = len(customer_id) - 1
    who = np.minimum(np.searchsorted(customer_id, edges[:, 0]), last)
    who_known = customer_id[who] == edges[:, 0]
    referred[who[who_known]] = True
    by = np.minimum(np.searchsorted(customer_id, edges[:, 1]), last)
    by_known = customer_id[by] == edges[:, 1]
    np.add.at(count, by[by_known], 1)
    both = by_known & who_known
    np.add.at(brought_worth, by[both], worth[who[both]])
    return count, brought_worth, referred


def _totals(
    branch: Array,
    worth: Array,
    key: Array,
    owned: Array,
    referred: Array,
    referred_count: Array,
    referred_worth: Array,
) -> list[dict[str, Any]]:
    if not len(branch):
        return []
    positive = worth[worth > 0]
    threshold = int(np.ceil(np.quantile(positive, POTENTIAL_QUANTILE))) if len(positive) else 0
    potential = ~key & (worth >= threshold) & (worth > 0)
    out = []
    for b in np.unique(branch).tolist():
        here = branch == b
        out.append(
            {
                "branch_id": int(b),
                "customers": int(here.sum()),
                "worth_fen": int(worth[here].sum()),
                "key_accounts": int((key & here).sum()),
                "key_accounts_unowned": int((key & ~owned & here).sum()),
                "key_worth_fen": int(worth[key & here].sum()),
                "potential_key_accounts": int((potential & here).sum()),
                "potential_threshold_fen": threshold,
                "referred_customers": int((referred & here).sum()),
                "referred_worth_fen": int(worth[referred & here].sum()),
                "referrers": int(((referred_count > 0) & here).sum()),
            }
        )
    return out
