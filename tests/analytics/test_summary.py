"""The per-customer summary from transactions, its rules, and the pipeline's fallbacks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from lifetimes.utils import summary_data_from_transaction_data

from liuke.analytics import clv
from liuke.analytics.clv import bgnbd, simulate
from liuke.analytics.clv import gamma_gamma as gg
from liuke.analytics.clv.summary import summarise


def day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def test_matches_lifetimes_summary() -> None:
    """Random positive transactions, several on some days, some after the observation end."""
    rng = np.random.default_rng(5)
    n = 5000
    customer = rng.integers(0, 800, n)
    days = rng.integers(0, 400, n) + day("2025-01-01")
    amount = rng.gamma(2.0, 150.0, n).round(2) + 1
    end = day("2025-12-01")
    ours = summarise(customer, days, amount, observation_end=end)
    frame = pd.DataFrame(
        {
            "c": customer,
            "d": pd.to_datetime([dt.date.fromordinal(int(d)) for d in days]),
            "a": amount,
        }
    )
    theirs = summary_data_from_transaction_data(
        frame, "c", "d", monetary_value_col="a", observation_period_end="2025-12-01"
    ).sort_index()
    assert list(ours.customer) == list(theirs.index)
    np.testing.assert_array_equal(ours.x, theirs.frequency)
    np.testing.assert_array_equal(ours.t_x, theirs.recency)
    np.testing.assert_array_equal(ours.T, theirs["T"])
    np.testing.assert_allclose(ours.spend_mean, theirs.monetary_value, rtol=1e-12)
    np.testing.assert_array_equal(ours.spend_x, ours.x)  # every occasion has a spend


def test_same_day_purchases_are_one_occasion() -> None:
    s = summarise(
        [0, 0, 0, 0],
        [day("2025-01-01"), day("2025-01-01"), day("2025-01-10"), day("2025-01-10")],
        [100, 50, 30, 20],
        observation_end=day("2025-01-31"),
    )
    assert (s.x[0], s.t_x[0], s.T[0]) == (1, 9, 30)
    assert s.spend_mean[0] == 50  # the repeat occasion: 30 + 20
    assert s.total_spend[0] == 200


def test_refund_rules() -> None:
    """Same-day refund nets out; a later refund comes off the latest earlier occasion and is not
    an occasion; a refund with no earlier purchase is dropped and counted."""
    s = summarise(
        [0, 0, 0, 0, 1, 2, 2],
        [
            day("2025-01-01"),
            day("2025-01-01"),
            day("2025-02-01"),
            day("2025-02-05"),
            day("2025-01-03"),
            day("2025-01-02"),
            day("2025-01-05"),
        ],
        [100, -40, 80, -30, -10, 0, 60],
        observation_end=day("2025-03-01"),
    )
    # Customer 0: occasions 01-01 (60) and 02-01 (80 − 30 = 50); 02-05 is no occasion.
    assert list(s.customer) == [0, 2]
    assert (s.x[0], s.t_x[0]) == (1, 31)
    assert s.total_spend[0] == 110
    assert s.spend_mean[0] == 50
    assert s.dropped_refunds == 1  # customer 1's refund with nothing before it
    # Customer 2: a zero-amount first visit counts as a visit; the repeat's spend is its own.
    assert (s.x[1], s.spend_x[1], s.spend_mean[1]) == (1, 1, 60)


def test_zero_amount_repeat_is_a_visit_without_spend() -> None:
    s = summarise([0, 0, 0], [1, 5, 9], [100, 0, 40], observation_end=10)
    assert (s.x[0], s.spend_x[0], s.spend_mean[0]) == (2, 1, 40)


def test_transactions_after_the_observation_end_are_ignored() -> None:
    s = summarise([0, 0, 1], [1, 20, 30], [10, 10, 10], observation_end=10)
    assert list(s.customer) == [0]
    assert (s.x[0], s.T[0]) == (0, 9)


def test_year_spend_is_the_last_365_days() -> None:
    s = summarise([0, 0, 0], [0, 200, 500], [10, 20, 30], observation_end=500)
    assert s.year_spend[0] == 50  # days 136 … 500


# --- the pipeline never shows nonsense ----------------------------------------------------------


def test_one_customer_is_too_thin() -> None:
    a = clv.analyse(summarise([0, 0], [1, 30], [100, 80], observation_end=60))
    assert a.bgnbd_status == clv.Status.THIN
    assert np.isnan(a.value).all()
    assert np.isnan(a.probability_alive).all()
    assert a.rule_value[0] == 20 * 180
    assert a.as_json()["r"] is None


def test_no_repeat_customers() -> None:
    n = 100
    a = clv.analyse(summarise(np.arange(n), np.arange(n), np.full(n, 50.0), observation_end=200))
    assert a.bgnbd_status == clv.Status.NO_REPEATS
    assert a.spend_status == clv.Status.FALLBACK
    np.testing.assert_allclose(a.expected_spend, 50.0)  # the population's mean spend
    assert np.isnan(a.value).all()


def test_all_customers_on_one_day() -> None:
    n = 200
    a = clv.analyse(summarise(np.arange(n), np.full(n, 7), np.full(n, 30.0), observation_end=7))
    assert a.bgnbd_status == clv.Status.NO_REPEATS
    assert a.summary.T.max() == 0


def churning_transactions(
    rng: np.random.Generator, customers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BG/NBD customers with Gamma-Gamma spends over 700 days."""
    first = rng.integers(0, 700, customers)
    return simulate.transactions(
        bgnbd.Params(0.6, 40.0, 0.8, 3.0), gg.Params(6.0, 4.0, 15000.0), first, 700, rng
    )


def test_healthy_data_gives_finite_figures() -> None:
    rng = np.random.default_rng(3)
    customer, days, amount = churning_transactions(rng, 600)
    a = clv.analyse(summarise(customer, days, amount, observation_end=700))
    assert a.bgnbd_status == clv.Status.OK, a.bgnbd_message
    assert a.spend_status == clv.Status.OK, a.spend_message
    assert np.isfinite(a.value).all()
    assert (a.value >= 0).all()
    assert ((a.probability_alive >= 0) & (a.probability_alive <= 1)).all()
    assert np.isfinite(a.expected_visits).all()
    result: dict[str, Any] = a.as_json()
    for key in ("r", "alpha", "a", "b", "p", "q", "gamma"):
        assert result[key] > 0
    assert result["customers"] == len(a.summary)


def test_unfittable_repeat_data_is_reported_not_shown() -> None:
    """Every repeat buyer is still buying at the end: dropout cannot be estimated."""
    n = 60
    customer = np.repeat(np.arange(n), 2)
    days = np.tile([0, 100], n)
    a = clv.analyse(summarise(customer, days, np.full(2 * n, 10.0), observation_end=100))
    assert a.bgnbd_status == clv.Status.NOT_CONVERGED
    assert np.isnan(a.value).all()


@pytest.mark.parametrize("unit_days", [1.0, 7.0])
def test_weeks_are_days_over_seven(unit_days: float) -> None:
    rng = np.random.default_rng(9)
    customer, days, amount = churning_transactions(rng, 500)
    s = summarise(customer, days, amount, observation_end=700)
    _x, _t_x, T = s.in_units(unit_days)
    np.testing.assert_allclose(T * unit_days, s.T)
    a = clv.analyse(s, clv.Options(unit_days=unit_days))
    assert a.bgnbd_status == clv.Status.OK
    # The prediction for 90 days does not depend on the unit.
    b = clv.analyse(s, clv.Options(unit_days=1.0))
    np.testing.assert_allclose(a.expected_visits, b.expected_visits, rtol=1e-4)
