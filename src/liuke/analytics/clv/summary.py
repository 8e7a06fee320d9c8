"""The per-customer summary the models read, and the rules that make it from transactions.

The rules (docs/analytics.md), the papers' conventions:

- Purchases of one customer on the same calendar day are one occasion; its amount is their sum.
- Frequency x counts repeat occasions (all occasions but the first); recency t_x is the time from
  the first occasion to the last, age T from the first occasion to the end of observation. Times
  are in days (or weeks = days / 7).
- Transactions after the observation end are ignored.
- Refunds: a negative amount nets against the same day's purchases. A day whose amounts add up
  to less than zero is a refund of an earlier purchase, not an occasion: it is taken off the
  customer's latest earlier occasion (never below zero) and otherwise ignored (a refund with no
  earlier purchase in the data is dropped and counted).
- An occasion with a zero amount (a free service, a prepaid treatment session) is a visit: it
  counts for x, t_x and T. Spend per occasion is the mean over repeat occasions with a positive
  amount (Gamma-Gamma needs positive spends), with their number `spend_x`; when every occasion
  has a positive amount this is exactly `lifetimes`' "monetary_value".
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike

Array = np.ndarray

#: Days in the year used for the "20 × annual sales" rule.
YEAR_DAYS = 365


@dataclasses.dataclass
class Summary:
    """Per-customer arrays, one element per customer (index `customer` into the caller's ids).

    Times are in days: `x`, `t_x`, `T` as the models want them; `first_day` is the day number of
    the first occasion. Money in the caller's unit (fen in the app).
    """

    customer: Array  # int64 index into the caller's customer ids
    x: Array  # repeat occasions
    t_x: Array  # days from the first occasion to the last
    T: Array  # days from the first occasion to the observation end
    spend_x: Array  # repeat occasions with a positive amount
    spend_mean: Array  # their mean amount (0 when spend_x is 0)
    total_spend: Array  # all occasions
    year_spend: Array  # occasions in the last 365 days up to the observation end
    first_day: Array
    dropped_refunds: int = 0

    def __len__(self) -> int:
        return len(self.x)

    def in_units(self, unit_days: float) -> tuple[Array, Array, Array]:
        """(x, t_x, T) with times in units of `unit_days` days (7 for weeks)."""
        return self.x, self.t_x / unit_days, self.T / unit_days


def summarise(
    customer: ArrayLike, day: ArrayLike, amount: ArrayLike, *, observation_end: int
) -> Summary:
    """The summary from transactions: customer index (0..n−1), day number, amount (any unit).

    Vectorised: one sort of (customer, day) keys, the rest `bincount` and `ufunc.at`.
    """
    customer = np.asarray(customer, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    amount = np.asarray(amount, dtype=float)
    keep = day <= observation_end
    customer, day, amount = customer[keep], day[keep], amount[keep]
    if len(customer) == 0:
        return _empty()
    low = int(day.min())
    span = int(observation_end) - low + 1
    key = customer * span + (day - low)
    occasions, inverse = np.unique(key, return_inverse=True)
    net = np.bincount(inverse.reshape(-1), weights=amount, minlength=len(occasions))
    occ_customer = occasions // span
    occ_day = occasions % span + low

    # Refund days: take them off the customer's latest earlier occasion.
    refund = net < 0
    dropped = 0
    if refund.any():
        index = np.arange(len(net))
        last_valid = np.maximum.accumulate(np.where(~refund, index, -1))
        target = last_valid[refund]
        same = (target >= 0) & (occ_customer[np.maximum(target, 0)] == occ_customer[refund])
        np.add.at(net, target[same], net[refund][same])
        dropped = int((~same).sum())
        keep_occ = ~refund
        net = np.maximum(net[keep_occ], 0.0)
        occ_customer, occ_day = occ_customer[keep_occ], occ_day[keep_occ]
    if len(net) == 0:
        return dataclasses.replace(_empty(), dropped_refunds=dropped)

    # Occasions are sorted by (customer, day): a customer's first occasion starts its run.
    start = np.ones(len(net), dtype=bool)
    start[1:] = occ_customer[1:] != occ_customer[:-1]
    run = np.cumsum(start) - 1
    customers = occ_customer[start]
    n = len(customers)
    count = np.bincount(run, minlength=n)
    first_day = occ_day[start]
    starts = np.flatnonzero(start)
    ends = np.append(starts[1:] - 1, len(net) - 1)
    last_day = occ_day[ends]  # occasions are in day order within a customer
    positive = net > 0
    first_amount = net[start]
    pos_count = np.bincount(run, weights=positive, minlength=n)
    total = np.bincount(run, weights=net, minlength=n)
    recent = occ_day > observation_end - YEAR_DAYS
    year = np.bincount(run, weights=np.where(recent, net, 0.0), minlength=n)
    spend_x = pos_count - (first_amount > 0)
    repeat_total = total - first_amount
    with np.errstate(invalid="ignore", divide="ignore"):
        spend_mean = np.where(spend_x > 0, repeat_total / np.maximum(spend_x, 1), 0.0)
    return Summary(
        customer=customers,
        x=(count - 1).astype(float),
        t_x=(last_day - first_day).astype(float),
        T=(observation_end - first_day).astype(float),
        spend_x=spend_x.astype(float),
        spend_mean=spend_mean,
        total_spend=total,
        year_spend=year,
        first_day=first_day,
        dropped_refunds=dropped,
    )


def from_columns(
    *,
    customer: Array,
    x: Array,
    t_x: Array,
    T: Array,
    spend_x: Array,
    spend_mean: Array,
    total_spend: Array,
    year_spend: Array,
    first_day: Array,
) -> Summary:
    """A summary from per-customer columns computed elsewhere (the database's aggregates)."""
    return Summary(
        customer=np.asarray(customer, dtype=np.int64),
        x=np.asarray(x, dtype=float),
        t_x=np.asarray(t_x, dtype=float),
        T=np.asarray(T, dtype=float),
        spend_x=np.asarray(spend_x, dtype=float),
        spend_mean=np.asarray(spend_mean, dtype=float),
        total_spend=np.asarray(total_spend, dtype=float),
        year_spend=np.asarray(year_spend, dtype=float),
        first_day=np.asarray(first_day, dtype=np.int64),
    )


def _empty() -> Summary:
    f, i = np.zeros(0), np.zeros(0, dtype=np.int64)
    return Summary(i, f, f, f, f, f, f, f, i)
