"""The analytics benchmark's simulated salon and its models step (`liuke.bench.analytics`, step 1):
ours and lifetimes fitted and predicting on the same simulated summary, no database."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

import numpy as np

SEED = 2026
#: BG/NBD and Gamma-Gamma parameters of the simulated salon (days, yuan): about ten visits a
#: customer over two years, a few dropping out after each, ¥150 a visit on average. (Spend in
#: yuan: lifetimes' Gamma-Gamma, started at γ ≈ 1, does not converge on amounts in fen.)
TRUE = {"r": 0.9, "alpha": 20.0, "a": 0.9, "b": 12.0}
SPEND = {"p": 5.0, "q": 4.0, "gamma": 90.0}
HISTORY_DAYS = 730
END = dt.date(2026, 11, 22)


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _simulated(customers: int) -> dict[str, np.ndarray]:
    from liuke.analytics.clv import bgnbd, simulate
    from liuke.analytics.clv import gamma_gamma as gg

    rng = np.random.default_rng(SEED)
    T = simulate.ages(customers, rng, days=HISTORY_DAYS)
    x, t_x = simulate.bgnbd_customers(bgnbd.Params(**TRUE), T, rng, whole_days=True)
    m = simulate.spend(gg.Params(**SPEND), x, rng)
    return {"x": x, "t_x": t_x, "T": T, "m": m}


def bench_models(customers: int) -> dict[str, Any]:
    """Ours and lifetimes on the same simulated summary."""
    import warnings

    from lifetimes import BetaGeoFitter

    warnings.simplefilter("ignore")
    d = _simulated(customers)
    x, t_x, T, m = d["x"], d["t_x"], d["T"], d["m"]
    ours, ours_cpu, grouped, fit, analysis = _ours(customers, x, t_x, T, m)
    theirs, their_cpu, bgf, ggf, value = _theirs(x, t_x, T, m)
    cpu = {"ours_pipeline": ours_cpu, "lifetimes_pipeline": their_cpu}

    names = ("r", "alpha", "a", "b")
    their_params = bgf.params_[list(names)].to_numpy()
    our_params = fit.params.as_array()
    their_ll = -customers * BetaGeoFitter._negative_log_likelihood(
        np.log(their_params), x, t_x, T, np.ones(customers), 0.0
    )
    spend = analysis.gamma_gamma.params.as_array() if analysis.gamma_gamma else np.full(3, np.nan)
    their_spend = ggf.params_[["p", "q", "v"]].to_numpy()
    valid = np.isfinite(analysis.value) & (value.to_numpy() > 0)
    return {
        "customers": customers,
        "grouped_rows": len(grouped.x),
        "ours": ours,
        "lifetimes": theirs,
        "cpu": cpu,
        "params_ours": [round(float(v), 6) for v in our_params],
        "params_lifetimes": [round(float(v), 6) for v in their_params],
        "max_param_rel_diff": float(np.max(np.abs(our_params / their_params - 1))),
        "ll_ours": float(fit.log_likelihood or np.nan),
        "ll_lifetimes": float(their_ll),
        "gg_max_rel_diff": float(np.max(np.abs(spend / their_spend - 1))),
        "value_rel_diff": float(
            np.max(np.abs(analysis.value[valid] / value.to_numpy()[valid] - 1))
        ),
        "load": load(),
    }


def _ours(
    customers: int, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, m: np.ndarray
) -> tuple[dict[str, float], float, Any, Any, Any]:
    """Our fit and pipeline: seconds per step, the pipeline's CPU seconds, the grouped data, the
    BG/NBD fit and the analysis."""
    from liuke.analytics import clv
    from liuke.analytics.clv import bgnbd
    from liuke.analytics.clv.summary import from_columns

    # Ours: the median of three runs each (a run takes a second or less, so one run is at the
    # mercy of whatever else the shared machine does in that second); lifetimes: one run.
    ours: dict[str, float] = {}
    fit_runs = []
    for _ in range(3):
        started = time.perf_counter()
        grouped = bgnbd.Grouped(x, t_x, T)
        fit = bgnbd.fit(grouped)
        fit_runs.append(time.perf_counter() - started)
    ours["bgnbd_fit"] = float(np.median(fit_runs))
    summary = from_columns(
        customer=np.arange(customers),
        x=x,
        t_x=t_x,
        T=T,
        spend_x=x,
        spend_mean=m,
        total_spend=m * (x + 1),
        year_spend=m,
        first_day=np.zeros(customers),
    )
    runs: list[tuple[float, float, clv.Analysis]] = []
    for _ in range(3):
        started, cpu_started = time.perf_counter(), time.process_time()
        analysis = clv.analyse(summary, clv.Options())
        runs.append((time.perf_counter() - started, time.process_time() - cpu_started, analysis))
    runs.sort(key=lambda run: run[0])
    ours["pipeline"], cpu, analysis = runs[1]
    ours["gamma_gamma_fit"] = analysis.seconds["gamma_gamma_fit"]
    ours["predictions"] = analysis.seconds["predict"]
    return ours, cpu, grouped, fit, analysis


def _theirs(
    x: np.ndarray, t_x: np.ndarray, T: np.ndarray, m: np.ndarray
) -> tuple[dict[str, float], float, Any, Any, Any]:
    """lifetimes' fits and predictions, one run: seconds per step, the pipeline's CPU seconds,
    the two fitters and the 12-month values."""
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    theirs: dict[str, float] = {}
    frame = pd.DataFrame({"frequency": x, "recency": t_x, "T": T, "monetary_value": m})
    cpu_started = time.process_time()
    started = time.perf_counter()
    bgf = BetaGeoFitter().fit(frame.frequency, frame.recency, frame["T"])
    theirs["bgnbd_fit"] = time.perf_counter() - started
    repeat = frame[frame.frequency > 0]
    started = time.perf_counter()
    ggf = GammaGammaFitter().fit(repeat.frequency, repeat.monetary_value)
    theirs["gamma_gamma_fit"] = time.perf_counter() - started
    started = time.perf_counter()
    bgf.conditional_probability_alive(frame.frequency, frame.recency, frame["T"])
    bgf.conditional_expected_number_of_purchases_up_to_time(
        90, frame.frequency, frame.recency, frame["T"]
    )
    value = ggf.customer_lifetime_value(
        bgf,
        frame.frequency,
        frame.recency,
        frame["T"],
        frame.monetary_value,
        time=12,
        discount_rate=0.01,
        freq="D",
    )
    theirs["predictions"] = time.perf_counter() - started
    theirs["pipeline"] = theirs["bgnbd_fit"] + theirs["gamma_gamma_fit"] + theirs["predictions"]
    return theirs, time.process_time() - cpu_started, bgf, ggf, value
