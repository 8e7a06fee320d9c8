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

from liuke.analytics.aggregates import visits as by_visits
from liuke.analytics.aggregates import worth as by_worth
from liuke.analytics.aggregates.rows import (
    DAY_SQL,
    ID_LIMIT,
    LARGEST_IDS_SQL,
    LINES_SQL,
    VISITS_SQL,
    Array,
    distinct,
    fetch,
)
from liuke.analytics.aggregates.rules import REBOOK_DAYS


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
    sql = {"day": DAY_SQL.get(connection.vendor, DAY_SQL["postgresql"]), "scan": scan}
    params = [business_id, observation_end]
    visits = fetch(VISITS_SQL.format(**sql), params, 2)
    cust_day, money_branch = visits[:, 0].copy(), visits[:, 1].copy()
    del visits

    days = _visit_days(cust_day, end_day)
    keys = days[0]

    branch = money_branch & (ID_LIMIT - 1)
    revenue = by_visits.revenue(
        business_id, observation_end, cust_day & 0xFFFF, branch, money_branch >> 20
    )
    del money_branch
    rates = by_visits.rates("branch", cust_day, branch, branch, customer_id, days)
    del cust_day, branch

    rates += _line_rates(LINES_SQL.format(**sql), params, customer_id, days)

    cohorts = by_visits.cohorts(keys, customer_id, branch_id, end_day)
    del keys, days

    worth = np.where(np.isfinite(value_fen), value_fen, rule_value_fen)
    worth = np.rint(np.nan_to_num(worth, nan=0.0)).astype(np.int64)
    buckets = by_worth.buckets(branch_id, value_fen, rule_value_fen)
    rfm = by_worth.rfm(branch_id, worth, *rfm_scores) if rfm_scores is not None else []
    key_account, owned = by_worth.key_accounts(business_id, customer_id)
    referred_count, referred_worth, referred = by_worth.referrals(business_id, customer_id, worth)
    potential = by_worth.potential(worth, key_account)
    totals = by_worth.totals(
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


def _visit_days(cust_day: Array, end_day: int) -> tuple[Array, Array, Array]:
    """Each customer's distinct visit days (customer · 2¹⁶ + day, sorted), whether the next one
    came within REBOOK_DAYS, and whether the day is early enough to tell."""
    keys = distinct(cust_day)
    same = np.zeros(len(keys), dtype=bool)
    same[:-1] = (keys[1:] >> 16) == (keys[:-1] >> 16)
    rebooked_key = np.zeros(len(keys), dtype=bool)
    rebooked_key[:-1] = same[:-1] & ((keys[1:] & 0xFFFF) - (keys[:-1] & 0xFFFF) <= REBOOK_DAYS)
    eligible_key = (keys & 0xFFFF) <= end_day - REBOOK_DAYS
    return keys, rebooked_key, eligible_key


def _line_rates(
    sql: str, params: list[Any], customer_id: Array, days: tuple[Array, Array, Array]
) -> list[dict[str, Any]]:
    """The repeat and rebooking rates by staff member and by service, from the visit lines."""
    lines = fetch(sql, params, 2)
    line_day, packed = lines[:, 0].copy(), lines[:, 1].copy()
    del lines
    line_branch = packed >> 40
    staff = (packed >> 20) & (ID_LIMIT - 1)
    service = packed & (ID_LIMIT - 1)
    del packed
    has = staff > 0
    rates = by_visits.rates("staff", line_day[has], line_branch[has], staff[has], customer_id, days)
    has = service > 0
    rates += by_visits.rates(
        "service", line_day[has], line_branch[has], service[has], customer_id, days
    )
    return rates
