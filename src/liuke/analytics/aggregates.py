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
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from liuke.core.money import FEN_PER_YUAN
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
    "postgresql": "(v.visited_on - DATE '1970-01-01')",
}
# Rows come back packed two integers to a visit (Python's cost is per value, not per bit):
# customer · 2¹⁶ + day, and total · 2²⁰ + branch (visits) or branch · 2⁴⁰ + staff · 2²⁰ +
# service (lines). Ids must stay below ID_LIMIT (checked before; docs/analytics.md).
ID_BITS = 20
ID_LIMIT = 1 << ID_BITS
VISITS_SQL = """
SELECT CAST(v.customer_id AS BIGINT) * 65536 + {day},
       CAST(v.total_fen AS BIGINT) * 1048576 + v.branch_id
FROM sales_visit v
WHERE v.business_id {scan} = %s AND v.visited_on <= %s
"""
LINES_SQL = """
SELECT CAST(v.customer_id AS BIGINT) * 65536 + {day},
       CAST(v.branch_id AS BIGINT) * 1099511627776
       + CAST(COALESCE(l.staff_id, 0) AS BIGINT) * 1048576 + COALESCE(l.service_id, 0)
FROM sales_visitline l JOIN sales_visit v ON v.id = l.visit_id
WHERE v.business_id {scan} = %s AND v.visited_on <= %s
  AND (l.staff_id IS NOT NULL OR l.service_id IS NOT NULL)
"""
LARGEST_IDS_SQL = """
SELECT (SELECT MAX(id) FROM accounts_branch), (SELECT MAX(id) FROM accounts_user),
       (SELECT MAX(id) FROM sales_service), (SELECT MAX(id) FROM sales_visit)
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
    rfm: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    worth: Array
    key_account: Array
    potential: Array
    referred_count: Array
    referred_worth: Array


def _fetch(sql: str, params: list[Any], columns: int, chunk: int = 200_000) -> Array:
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            parts.append(np.array(rows, dtype=np.int64).reshape(len(rows), columns))
    return np.concatenate(parts) if parts else np.zeros((0, columns), dtype=np.int64)


def _distinct(values: Array) -> Array:
    """Sorted distinct values. (np.unique in NumPy 2.4 hashes integers first: 30 s where a sort
    takes 0.2 s at ten million values on this machine.)"""
    if not len(values):
        return values
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _counted(values: Array) -> tuple[Array, Array]:
    """Sorted distinct values and how often each occurs."""
    distinct = _distinct(values)
    at = np.searchsorted(distinct, values)
    return distinct, np.bincount(at, minlength=len(distinct))


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
    visit_days: int = 0,
    rfm_scores: tuple[Array, Array] | None = None,
) -> Tables:
    """Every dashboard table of one business. `customer_id` (sorted), `branch_id` (home),
    `value_fen` (NaN where the model is not used) and `rule_value_fen` are the refresh's;
    `visit_days` (the summary's count) picks a table scan when the business holds most visits."""
    end_day = int(np.datetime64(observation_end, "D").astype(np.int64))
    with connection.cursor() as cursor:
        cursor.execute(LARGEST_IDS_SQL)
        largest = cursor.fetchone()
    if max(int(v or 0) for v in largest[:3]) >= ID_LIMIT:
        raise ValueError(f"branch, staff or service ids reach {ID_LIMIT}: see docs/analytics.md")
    # Most of the table: read it in order (no index lookup per row); SQLite cannot tell.
    scan = "+ 0" if visit_days * 2 > int(largest[3] or 0) else ""
    sql = {"day": _DAY.get(connection.vendor, _DAY["postgresql"]), "scan": scan}
    params = [business_id, observation_end]
    visits = _fetch(VISITS_SQL.format(**sql), params, 2)
    cust_day, money_branch = visits[:, 0].copy(), visits[:, 1].copy()
    del visits

    # Each customer's distinct visit days, with whether the next one came within REBOOK_DAYS.
    keys = _distinct(cust_day)
    same = np.zeros(len(keys), dtype=bool)
    same[:-1] = (keys[1:] >> 16) == (keys[:-1] >> 16)
    rebooked_key = np.zeros(len(keys), dtype=bool)
    rebooked_key[:-1] = same[:-1] & ((keys[1:] & 0xFFFF) - (keys[:-1] & 0xFFFF) <= REBOOK_DAYS)
    eligible_key = (keys & 0xFFFF) <= end_day - REBOOK_DAYS
    del same
    days = (keys, rebooked_key, eligible_key)

    branch = money_branch & (ID_LIMIT - 1)
    revenue = _revenue(business_id, observation_end, cust_day & 0xFFFF, branch, money_branch >> 20)
    del money_branch
    rates = _rates("branch", cust_day, branch, branch, customer_id, days)
    del cust_day, branch

    lines = _fetch(LINES_SQL.format(**sql), params, 2)
    line_day, packed = lines[:, 0].copy(), lines[:, 1].copy()
    del lines
    line_branch = packed >> 40
    staff = (packed >> 20) & (ID_LIMIT - 1)
    service = packed & (ID_LIMIT - 1)
    del packed
    has = staff > 0
    rates += _rates("staff", line_day[has], line_branch[has], staff[has], customer_id, days)
    has = service > 0
    rates += _rates("service", line_day[has], line_branch[has], service[has], customer_id, days)
    del line_day, line_branch, staff, service, has

    cohorts = _cohorts(keys, customer_id, branch_id, end_day)
    del keys, rebooked_key, eligible_key, days

    worth = np.where(np.isfinite(value_fen), value_fen, rule_value_fen)
    worth = np.rint(np.nan_to_num(worth, nan=0.0)).astype(np.int64)
    buckets = _buckets(branch_id, value_fen, rule_value_fen)
    rfm = _rfm(branch_id, worth, *rfm_scores) if rfm_scores is not None else []
    key_account, owned = _key_accounts(business_id, customer_id)
    referred_count, referred_worth, referred = _referrals(business_id, customer_id, worth)
    potential = _potential(worth, key_account)
    totals = _totals(
        branch_id, worth, key_account, owned, referred, referred_count, referred_worth, potential
    )
    return Tables(
        revenue=revenue,
        rates=rates,
        cohorts=cohorts,
        buckets=buckets,
        rfm=rfm,
        totals=totals,
        worth=worth,
        key_account=key_account,
        potential=potential,
        referred_count=referred_count,
        referred_worth=referred_worth,
    )


def _rates(
    dimension: str,
    cust_day: Array,
    branch: Array,
    group: Array,
    customer_id: Array,
    days: tuple[Array, Array, Array],
) -> list[dict[str, Any]]:
    """Repeat and rebooking counts per (branch, group): one sort of packed keys
    (group pair · 2^(customer bits + 16) + customer index · 2¹⁶ + day)."""
    if not len(cust_day) or not len(customer_id):
        return []
    keys, rebooked_key, eligible_key = days
    pair = (branch << ID_BITS) | group
    pairs = _distinct(pair)
    pair = np.searchsorted(pairs, pair)
    customer_bits = max(len(customer_id).bit_length(), 1)
    if len(pairs).bit_length() + customer_bits + 16 > 62:
        raise ValueError("too many groups to pack")
    index = np.searchsorted(customer_id, cust_day >> 16)
    packed = (pair.astype(np.int64) << (customer_bits + 16)) | (index << 16) | (cust_day & 0xFFFF)
    del pair, index
    packed = _distinct(packed)  # distinct (group, customer, day), sorted
    group_of_row = packed >> (customer_bits + 16)
    customer_of_row = (packed >> 16) & ((1 << customer_bits) - 1)
    at = np.searchsorted(keys, (customer_id[customer_of_row] << 16) | (packed & 0xFFFF))
    del packed
    eligible = eligible_key[at]
    rebooked = rebooked_key[at] & eligible
    del at
    new_customer = np.ones(len(group_of_row), dtype=bool)
    new_customer[1:] = (group_of_row[1:] != group_of_row[:-1]) | (
        customer_of_row[1:] != customer_of_row[:-1]
    )
    run_start = np.flatnonzero(new_customer)
    days_per_customer = np.diff(np.append(run_start, len(group_of_row)))
    n = len(pairs)
    customers = np.bincount(group_of_row[run_start], minlength=n)
    repeaters = np.bincount(group_of_row[run_start[days_per_customer >= 2]], minlength=n)
    visits = np.bincount(group_of_row[eligible], minlength=n)
    came_back = np.bincount(group_of_row[rebooked], minlength=n)
    return [
        {
            "branch_id": int(p >> ID_BITS),
            "dimension": dimension,
            "key_id": int(p & (ID_LIMIT - 1)),
            "customers": int(customers[i]),
            "repeat_customers": int(repeaters[i]),
            "visits": int(visits[i]),
            "rebooked": int(came_back[i]),
        }
        for i, p in enumerate(pairs.tolist())
        if customers[i]
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
        uniq = _distinct(pair)
        inverse = np.searchsorted(uniq, pair)
        amount = np.zeros(len(uniq), dtype=np.int64)
        np.add.at(amount, inverse, total[keep])  # integer fen, never float
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
    pair = _distinct((cust << 16) | month)  # distinct (customer, month), sorted
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
    uniq, n = _counted(cells)
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
    return np.array(VALUE_BANDS_YUAN, dtype=np.int64) * FEN_PER_YUAN


def _buckets(branch: Array, value_fen: Array, rule_value_fen: Array) -> list[dict[str, Any]]:
    edges = band_edges_fen()
    out = []
    for measure, values in (("model", value_fen), ("rule", rule_value_fen)):
        known = np.isfinite(values)
        if not known.any():
            continue
        band = np.searchsorted(edges, np.maximum(values[known], 0), side="right") - 1
        pair = (branch[known].astype(np.int64) << 8) | band
        uniq, n = _counted(pair)
        out += [
            {"branch_id": int(u >> 8), "measure": measure, "bucket": int(u & 0xFF), "customers": k}
            for u, k in zip(uniq.tolist(), n.tolist(), strict=True)
        ]
    return out


def _rfm(branch: Array, worth: Array, recency: Array, frequency: Array) -> list[dict[str, Any]]:
    if not len(branch):
        return []
    cell = (branch.astype(np.int64) << 8) | (np.asarray(recency) << 4) | np.asarray(frequency)
    cells, n = _counted(cell)
    total = np.zeros(len(cells), dtype=np.int64)
    np.add.at(total, np.searchsorted(cells, cell), worth)
    return [
        {
            "branch_id": int(c >> 8),
            "recency": int((c >> 4) & 0xF),
            "frequency": int(c & 0xF),
            "customers": int(k),
            "worth_fen": int(w),
        }
        for c, k, w in zip(cells.tolist(), n.tolist(), total.tolist(), strict=True)
    ]


def value_lost(
    *,
    segment: list[str],
    visits: Array,
    age_days: Array,
    total_spend_fen: Array,
    recency_days: Array,
    probability_alive: Array,
    slipping: tuple[str, ...],
) -> Array:
    """The call list's value lost (fen) per customer, 0 off the list: 20 × sales per year of
    tenure × the probability the customer no longer comes (1 − P(alive); where the model is not
    trusted, days since the last visit / 365, at most 1). Inputs as stored (rounded)."""
    on_list = np.isin(np.asarray(segment), slipping) & (visits >= 2)
    years = np.maximum(age_days, 365) / 365.0
    rate = total_spend_fen / years
    fallback = np.clip(recency_days / 365.0, 0.0, 1.0)
    gone = np.where(np.isfinite(probability_alive), 1.0 - probability_alive, fallback)
    lost = np.rint(20 * rate * gone)
    return np.where(on_list & np.isfinite(lost), lost, 0).astype(np.int64)


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


def _threshold(worth: Array) -> int:
    positive = worth[worth > 0]
    return int(np.ceil(np.quantile(positive, POTENTIAL_QUANTILE))) if len(positive) else 0


def _potential(worth: Array, key: Array) -> Array:
    """Not a key account, worth at least the business's POTENTIAL_QUANTILE and above zero."""
    return ~key & (worth >= _threshold(worth)) & (worth > 0)


def _totals(
    branch: Array,
    worth: Array,
    key: Array,
    owned: Array,
    referred: Array,
    referred_count: Array,
    referred_worth: Array,
    potential: Array,
) -> list[dict[str, Any]]:
    if not len(branch):
        return []
    threshold = _threshold(worth)
    out = []
    for b in _distinct(branch).tolist():
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
