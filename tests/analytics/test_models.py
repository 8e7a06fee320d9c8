"""BG/NBD and Gamma-Gamma: known values, recovery from simulated customers, and agreement with
`lifetimes` 0.11.3 (the reference implementation; a test-only dependency)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value

from liuke.analytics.clv import bgnbd, simulate
from liuke.analytics.clv import gamma_gamma as gg
from liuke.analytics.clv.grouping import unique_rows

TRUE = bgnbd.Params(r=0.6, alpha=40.0, a=0.8, b=3.0)
SPEND = gg.Params(p=6.0, q=4.0, gamma=15000.0)
#: x, t_x, T and mean spend of simulated customers.
Simulated = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.abs(np.asarray(b))))


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return load_cdnow_summary_data_with_monetary_value()


@pytest.fixture(scope="module")
def simulated() -> Simulated:
    """20,000 customers in whole days, acquired over two years."""
    rng = np.random.default_rng(2026)
    T = simulate.ages(20_000, rng)
    x, t_x = simulate.bgnbd_customers(TRUE, T, rng, whole_days=True)
    m = simulate.spend(SPEND, x, rng)
    return x, t_x, T, m


def test_cdnow_matches_the_paper(cdnow: pd.DataFrame) -> None:
    """Fader, Hardie and Lee (2005), CDNOW in weeks: r=0.243, α=4.414, a=0.793, b=2.426,
    LL=−9582.4."""
    fit = bgnbd.fit(bgnbd.Grouped(cdnow.frequency, cdnow.recency, cdnow["T"]))
    assert fit.converged
    got = fit.params
    assert (round(got.r, 3), round(got.alpha, 3), round(got.a, 3), round(got.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.05)


def test_cdnow_spend_matches_the_note(cdnow: pd.DataFrame) -> None:
    """Fader and Hardie's Gamma-Gamma note, CDNOW: p=6.25, q=3.74, γ=15.44."""
    repeat = cdnow[cdnow.frequency > 0]
    fit = gg.fit(gg.Data(repeat.frequency, repeat.monetary_value))
    assert fit.converged
    assert (round(fit.params.p, 2), round(fit.params.q, 2), round(fit.params.gamma, 2)) == (
        6.25,
        3.74,
        15.45,
    )


def test_recovers_simulated_parameters() -> None:
    """200,000 customers in continuous time: each parameter within 5 % of the truth."""
    rng = np.random.default_rng(7)
    T = rng.uniform(30, 730, size=200_000)
    x, t_x = simulate.bgnbd_customers(TRUE, T, rng)
    fit = bgnbd.fit(bgnbd.Grouped(x, t_x, T))
    assert fit.converged
    assert relative(fit.params.as_array(), TRUE.as_array()) < 0.05
    m = simulate.spend(SPEND, x, rng)
    repeat = x > 0
    spend = gg.fit(gg.Data(x[repeat], m[repeat]))
    assert spend.converged
    assert relative(spend.params.as_array(), SPEND.as_array()) < 0.05


def test_bgnbd_agrees_with_lifetimes(simulated: Simulated) -> None:
    x, t_x, T, _ = simulated
    ours = bgnbd.fit(bgnbd.Grouped(x, t_x, T))
    reference = BetaGeoFitter().fit(x, t_x, T)
    theirs = reference.params_[["r", "alpha", "a", "b"]].to_numpy()
    assert relative(ours.params.as_array(), theirs) < 1e-3
    # lifetimes' own likelihood function (unscaled data) at its parameters, as a total.
    their_ll = -len(x) * BetaGeoFitter._negative_log_likelihood(
        np.log(theirs), x, t_x, T, np.ones(len(x)), 0.0
    )
    assert ours.log_likelihood == pytest.approx(their_ll, abs=0.01)
    assert ours.log_likelihood >= their_ll - 1e-6


def test_gamma_gamma_agrees_with_lifetimes(simulated: Simulated) -> None:
    x, _, _, m = simulated
    repeat = x > 0
    ours = gg.fit(gg.Data(x[repeat], m[repeat]))
    reference = GammaGammaFitter().fit(x[repeat], m[repeat])
    theirs = reference.params_[["p", "q", "v"]].to_numpy()
    assert relative(ours.params.as_array(), theirs) < 1e-3
    their_ll = -repeat.sum() * GammaGammaFitter._negative_log_likelihood(
        np.log(theirs), x[repeat], m[repeat], np.ones(int(repeat.sum())), 0.0
    )
    assert ours.log_likelihood == pytest.approx(their_ll, abs=0.01)


def test_predictions_agree_with_lifetimes(cdnow: pd.DataFrame) -> None:
    f, r, T, m = (cdnow[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))
    params = bgnbd.fit(bgnbd.Grouped(f, r, T)).params
    repeat = f > 0
    spend = gg.fit(gg.Data(f[repeat], m[repeat])).params
    bgf = BetaGeoFitter().fit(f, r, T)
    bgf.params_[["r", "alpha", "a", "b"]] = params.as_array()
    ggf = GammaGammaFitter().fit(f[repeat], m[repeat])
    ggf.params_[["p", "q", "v"]] = spend.as_array()

    np.testing.assert_allclose(
        bgnbd.probability_alive(params, f, r, T),
        bgf.conditional_probability_alive(f, r, T),
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        bgnbd.conditional_expected_visits(params, 13.0, f, r, T),
        bgf.conditional_expected_number_of_purchases_up_to_time(13.0, f, r, T),
        rtol=1e-9,
    )
    t = np.array([1.0, 13.0, 39.0, 78.0])
    np.testing.assert_allclose(
        bgnbd.expected_visits(params, t), bgf.expected_number_of_purchases_up_to_time(t)
    )
    for n in range(5):
        assert bgnbd.probability_of_visits(params, 39.0, n) == pytest.approx(
            bgf.probability_of_n_purchases_up_to_time(39.0, n), rel=1e-9
        )
    np.testing.assert_allclose(
        gg.conditional_expected_spend(spend, f, m),
        ggf.conditional_expected_average_profit(f, m),
        rtol=1e-9,
    )
    # 12 months of value, 1 % a month, months of 4.345 weeks (lifetimes' freq="W").
    ours = bgnbd.discounted_visits(
        params, f, r, T, months=12, month_length=4.345, monthly_discount=0.01
    ) * gg.conditional_expected_spend(spend, f, m)
    series = (cdnow[c] for c in ("frequency", "recency", "T", "monetary_value"))
    theirs = ggf.customer_lifetime_value(bgf, *series, time=12, discount_rate=0.01, freq="W")
    np.testing.assert_allclose(ours, theirs.to_numpy(), rtol=1e-8)


def test_gradient_and_hessian_match_finite_differences(simulated: Simulated) -> None:
    x, t_x, T, m = simulated
    g = bgnbd.Grouped(x, t_x, T)
    phi = np.log(TRUE.as_array()) + 0.1
    _, grad, hess = bgnbd.derivatives(phi, g)
    eps = 1e-6
    numeric = [
        (bgnbd.derivatives(phi + eps * e, g, 0)[0] - bgnbd.derivatives(phi - eps * e, g, 0)[0])
        / (2 * eps)
        for e in np.eye(4)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5)
    numeric_h = [
        (bgnbd.derivatives(phi + eps * e, g, 1)[1] - bgnbd.derivatives(phi - eps * e, g, 1)[1])
        / (2 * eps)
        for e in np.eye(4)
    ]
    np.testing.assert_allclose(hess, numeric_h, rtol=1e-4, atol=1e-6 * np.abs(hess).max())
    repeat = x > 0
    d = gg.Data(x[repeat], m[repeat])
    phi = np.log(SPEND.as_array()) + 0.1
    _, grad, hess = gg.derivatives(phi, d)
    numeric = [
        (gg.derivatives(phi + eps * e, d, 0)[0] - gg.derivatives(phi - eps * e, d, 0)[0])
        / (2 * eps)
        for e in np.eye(3)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5)


def test_grouping_does_not_change_the_likelihood(simulated: Simulated) -> None:
    x, t_x, T, _ = simulated
    grouped = bgnbd.Grouped(x, t_x, T)
    assert len(grouped.x) < len(x)
    assert grouped.use_table  # times looked up in a table of distinct days
    per_customer = -len(x) * BetaGeoFitter._negative_log_likelihood(
        np.log(TRUE.as_array()), x, t_x, T, np.ones(len(x)), 0.0
    )
    assert bgnbd.log_likelihood(TRUE, grouped) == pytest.approx(per_customer, rel=1e-12)


def test_unique_rows_float_and_integer_paths_agree() -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 5, 1000).astype(float)
    b = rng.integers(0, 7, 1000).astype(float)
    first, inverse = unique_rows(a, b)
    first_f, inverse_f = unique_rows(a + 0.5, b)
    assert len(first) == len(first_f)
    np.testing.assert_array_equal(a[first][inverse], a)
    np.testing.assert_array_equal(b[first_f][inverse_f], b)


# --- edge cases: the fit reports, it never raises or returns nonsense ---------------------------


def test_no_repeat_purchases_is_reported() -> None:
    fit = bgnbd.fit(bgnbd.Grouped(np.zeros(50), np.zeros(50), np.arange(50.0)))
    assert not fit.converged
    assert fit.params is None
    assert "no repeat" in fit.message


def test_everyone_still_buying_cannot_identify_dropout() -> None:
    """Every repeat buyer bought at the very end: nobody has dropped out, so b/(a) runs off."""
    x = np.array([3.0, 5.0, 2.0, 0.0] * 30)
    T = np.array([100.0, 200.0, 50.0, 80.0] * 30)
    t_x = np.where(x > 0, T, 0.0)
    fit = bgnbd.fit(bgnbd.Grouped(x, t_x, T))
    assert not fit.converged
    assert "cannot identify" in fit.message or "did not converge" in fit.message


def test_invalid_input_is_refused() -> None:
    with pytest.raises(ValueError, match="t_x ≤ T"):
        bgnbd.Grouped(np.array([1.0]), np.array([5.0]), np.array([3.0]))
    with pytest.raises(ValueError, match="t_x must be 0"):
        bgnbd.Grouped(np.array([0.0]), np.array([1.0]), np.array([3.0]))
    with pytest.raises(ValueError, match="positive"):
        gg.Data(np.array([1.0]), np.array([0.0]))
