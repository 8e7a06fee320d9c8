"""When each demo customer came: acquisition over two years and the repeat-buying process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from liuke.demo.simulate.columns import DAY, HISTORY_DAYS, NO_TIME, SHANGHAI


@dataclass
class Timeline:
    """Every visit's customer and time, sorted by customer, then time; per customer figures."""

    t0: np.ndarray  # day offset of the first visit (float), per customer in id order
    first: np.ndarray  # seconds of the first visit, per customer
    v_customer: np.ndarray
    v_at: np.ndarray
    v_first: np.ndarray  # is this the customer's first visit
    visit_count: np.ndarray  # per customer
    last_visit: np.ndarray  # seconds, per customer


def timeline(rng: np.random.Generator, n: int, start: int) -> Timeline:
    start_weekday = dt.datetime.fromtimestamp(start, SHANGHAI).weekday()
    # density ∝ 1 + g·t/H on [0, H): a salon that grows; inverse of the quadratic CDF.
    growth, horizon = 1.0, float(HISTORY_DAYS)
    t0 = np.sort(
        (np.sqrt(1 + 2 * growth * rng.random(n) * (1 + growth / 2)) - 1) * horizon / growth
    )
    first = visit_seconds(rng, t0, start, start_weekday)
    order = np.argsort(first, kind="stable")
    t0, first = t0[order], first[order]

    rate = rng.gamma(2.0, (1 / 35) / 2.0, n)  # visits per day while active
    dropout = rng.beta(1.3, 7.5, n)
    alive_for = rng.geometric(dropout) - 1  # repeat visits before dropping out
    window = horizon - t0
    arrivals = rng.poisson(rate * window)
    repeats = np.minimum(arrivals, alive_for)

    owner_of = np.repeat(np.arange(n), arrivals)
    days = t0[owner_of] + rng.random(len(owner_of)) * window[owner_of]
    # Sort within each customer: owner_of is sorted, so one sort of (owner, day) keys does it.
    days = np.sort(owner_of * 1024.0 + days) - owner_of * 1024.0
    starts = np.cumsum(arrivals) - arrivals
    rank = np.arange(len(owner_of)) - starts[owner_of]
    keep = rank < repeats[owner_of]
    rep_customer, rep_days = owner_of[keep], days[keep]
    rep_at = visit_seconds(rng, rep_days, start, start_weekday)

    v_customer = np.concatenate([np.arange(n), rep_customer])
    v_at = np.concatenate([first, rep_at])
    v_first = np.concatenate([np.ones(n, bool), np.zeros(len(rep_at), bool)])
    by_customer = np.argsort(v_customer * (1 << 32) + (v_at - start), kind="stable")
    v_customer, v_at, v_first = v_customer[by_customer], v_at[by_customer], v_first[by_customer]
    # Never before the first visit (a weekend shift can move the first visit later), and one
    # visit per customer per day: drop the rare clashes.
    day_of = (v_at - start) // DAY
    first_day = (first - start) // DAY
    ok = v_first | ((v_at > first[v_customer]) & (day_of != first_day[v_customer]))
    v_customer, v_at, v_first, day_of = v_customer[ok], v_at[ok], v_first[ok], day_of[ok]
    same_day = np.zeros(len(v_at), bool)
    same_day[1:] = (v_customer[1:] == v_customer[:-1]) & (day_of[1:] == day_of[:-1])
    v_customer, v_at, v_first = v_customer[~same_day], v_at[~same_day], v_first[~same_day]
    visit_count = np.bincount(v_customer, minlength=n)
    last_visit = np.full(n, NO_TIME, np.int64)
    np.maximum.at(last_visit, v_customer, v_at)
    return Timeline(t0, first, v_customer, v_at, v_first, visit_count, last_visit)


def visit_seconds(
    rng: np.random.Generator, days: np.ndarray, start: int, start_weekday: int
) -> np.ndarray:
    """Epoch seconds for visits on (fractional) day offsets, inside the opening hours."""
    m = len(days)
    day = np.floor(days).astype(np.int64)
    weekday = (start_weekday + day) % 7
    # Weekends are busier: some Monday–Thursday visits move to the Saturday or Sunday.
    weekend = 5 - weekday + (rng.random(m) < 0.45)
    shift = np.where((weekday <= 3) & (rng.random(m) < 0.3), weekend, 0)
    day = np.where(day + shift < HISTORY_DAYS, day + shift, day)
    kind = rng.random(m)
    minutes = np.where(
        kind < 0.45,
        rng.normal(15 * 60, 90, m),
        np.where(kind < 0.8, rng.normal(19 * 60, 50, m), rng.uniform(600, 1230, m)),
    )
    minutes = np.clip(minutes, 600, 1230).astype(np.int64)  # 10:00–20:30 local
    moments: np.ndarray = start + day * DAY + minutes * 60 + rng.integers(0, 60, m)
    return moments


def random_visit(rng: np.random.Generator, t: Timeline, n: int) -> np.ndarray:
    """For each customer, the time of one of their repeat visits (NO_TIME if none)."""
    count = t.visit_count
    out = np.full(n, NO_TIME, np.int64)
    starts = np.cumsum(count) - count
    repeat = count > 1
    offset = 1 + (rng.random(n) * np.maximum(count - 1, 1)).astype(np.int64)
    out[repeat] = t.v_at[(starts + offset)[repeat]]
    return out
