"""The tables counted from visits: revenue by month, repeat and rebooking rates, cohorts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from liuke.analytics.aggregates.rows import (
    ID_BITS,
    ID_LIMIT,
    PACKAGE_SALES_SQL,
    REFUNDS_SQL,
    Array,
    counted,
    distinct,
    local_month,
    month_date,
    months,
)
from liuke.analytics.aggregates.rules import COHORT_MONTHS, REVENUE_MONTHS
from liuke.sales.choices import PaymentPurpose


def rates(
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
    pairs = distinct(pair)
    pair = np.searchsorted(pairs, pair)
    customer_bits = max(len(customer_id).bit_length(), 1)
    if len(pairs).bit_length() + customer_bits + 16 > 62:
        raise ValueError("too many groups to pack")
    index = np.searchsorted(customer_id, cust_day >> 16)
    packed = (pair.astype(np.int64) << (customer_bits + 16)) | (index << 16) | (cust_day & 0xFFFF)
    del pair, index
    packed = distinct(packed)  # distinct (group, customer, day), sorted
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


def revenue(
    business_id: int, observation_end: dt.date, day: Array, branch: Array, total: Array
) -> list[dict[str, Any]]:
    end_month = months(np.array([np.datetime64(observation_end, "D").astype(np.int64)]))[0]
    first_month = end_month - REVENUE_MONTHS + 1
    sales: dict[tuple[int, int], int] = {}
    refunds: dict[tuple[int, int], int] = {}
    counts: dict[tuple[int, int], int] = {}
    if len(day):
        month = months(day)
        keep = month >= first_month
        pair = (branch[keep] << 16) | (month[keep] - first_month)
        uniq = distinct(pair)
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
            key = (branch_id, local_month(at))
            if key[1] >= first_month:
                sales[key] = sales.get(key, 0) + amount_fen
        cursor.execute(REFUNDS_SQL, [business_id, end])
        for branch_id, at, amount_fen in cursor.fetchall():
            key = (branch_id, local_month(at))
            if key[1] >= first_month:
                refunds[key] = refunds.get(key, 0) + amount_fen
    return [
        {
            "branch_id": b,
            "month": month_date(m),
            "sales_fen": sales.get((b, m), 0),
            "refunds_fen": refunds.get((b, m), 0),
            "visits": counts.get((b, m), 0),
        }
        for b, m in sorted(set(sales) | set(refunds))
    ]


def cohorts(
    keys: Array, customer_id: Array, home_branch: Array, end_day: int
) -> list[dict[str, Any]]:
    if not len(keys) or not len(customer_id):
        return []
    cust = keys >> 16
    month = months(keys & 0xFFFF)
    pair = distinct((cust << 16) | month)  # distinct (customer, month), sorted
    cust, month = pair >> 16, pair & 0xFFFF
    first = np.ones(len(cust), dtype=bool)
    first[1:] = cust[1:] != cust[:-1]
    cohort = np.maximum.accumulate(np.where(first, np.arange(len(cust)), 0))
    cohort_month = month[cohort]
    offset = month - cohort_month
    end_month = int(months(np.array([end_day]))[0])
    keep = cohort_month > end_month - COHORT_MONTHS
    at = np.minimum(np.searchsorted(customer_id, cust[keep]), len(customer_id) - 1)
    known = customer_id[at] == cust[keep]
    branch = home_branch[at][known]
    cells = (branch << 24) | ((cohort_month[keep][known] - (end_month - COHORT_MONTHS)) << 8)
    cells |= offset[keep][known]
    uniq, n = counted(cells)
    base = end_month - COHORT_MONTHS
    return [
        {
            "branch_id": int(u >> 24),
            "cohort": month_date(int(((u >> 8) & 0xFFFF) + base)),
            "offset": int(u & 0xFF),
            "customers": int(k),
        }
        for u, k in zip(uniq.tolist(), n.tolist(), strict=True)
    ]
