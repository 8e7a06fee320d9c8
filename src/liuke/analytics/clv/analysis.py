"""Customer lifetime value: the summary → BG/NBD and Gamma-Gamma fits → per-customer figures.

Never shows nonsense. Each model is used only when its fit converged on enough data; otherwise
the result says why (`bgnbd_status`, `spend_status`) and the figures that depend on it are NaN
(shown as "not enough data"). Spend per visit falls back to the customer's own mean (or the
population's) when Gamma-Gamma cannot be used, and says so. The "20 × annual sales" rule of thumb
is always computed beside the model value and labelled as such.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from liuke.analytics.clv import bgnbd
from liuke.analytics.clv import gamma_gamma as gg
from liuke.analytics.clv.optimise import FitResult
from liuke.analytics.clv.summary import Summary

Array = np.ndarray

#: Below these the data are too thin for BG/NBD: say so rather than fit.
MIN_CUSTOMERS = 30
MIN_REPEAT_CUSTOMERS = 10
#: Gamma-Gamma needs this many repeat buyers with a spend.
MIN_SPEND_CUSTOMERS = 10
#: The rule of thumb shown beside the model: a customer is worth 20 × annual sales.
RULE_MULTIPLE = 20


class Status:
    OK = "ok"
    THIN = "thin"  # too few customers or repeat buyers
    NO_REPEATS = "no_repeats"
    NOT_CONVERGED = "not_converged"
    FALLBACK = "fallback"  # spend only: the customer's own mean or the population's


@dataclasses.dataclass(frozen=True)
class Options:
    """What to predict. Times in days; `unit_days` is the time unit the models see (1 or 7)."""

    horizon_months: int = 12
    monthly_discount: float = 0.01
    margin: float = 1.0
    visits_days: float = 90.0
    month_days: float = 30.0
    unit_days: float = 1.0


@dataclasses.dataclass
class Analysis:
    """The fits and one figure per customer of the summary (NaN where no model applies)."""

    summary: Summary
    options: Options
    bgnbd: FitResult | None
    gamma_gamma: FitResult | None
    bgnbd_status: str
    bgnbd_message: str
    spend_status: str
    spend_message: str
    probability_alive: Array
    expected_visits: Array  # in the next options.visits_days
    expected_spend: Array  # per visit
    value: Array  # over the horizon, discounted, times the margin
    rule_value: Array  # 20 × sales in the last 365 days
    seconds: dict[str, float]

    @property
    def customers(self) -> int:
        return len(self.summary)

    @property
    def repeat_customers(self) -> int:
        return int((self.summary.x > 0).sum())

    def as_json(self) -> dict[str, object]:
        """One object: the papers' parameter names, log-likelihoods, counts and statuses."""
        bg = self.bgnbd.params.as_dict() if self.bgnbd and self.bgnbd.params else {}
        spend = (
            self.gamma_gamma.params.as_dict()
            if self.gamma_gamma and self.gamma_gamma.params
            else {}
        )
        return {
            "customers": self.customers,
            "repeat_customers": self.repeat_customers,
            "unit": "weeks" if self.options.unit_days == 7 else "days",
            "r": bg.get("r"),
            "alpha": bg.get("alpha"),
            "a": bg.get("a"),
            "b": bg.get("b"),
            "bgnbd_log_likelihood": _float(self.bgnbd.log_likelihood if self.bgnbd else None),
            "bgnbd_status": self.bgnbd_status,
            "bgnbd_message": self.bgnbd_message,
            "p": spend.get("p"),
            "q": spend.get("q"),
            "gamma": spend.get("gamma"),
            "gamma_gamma_log_likelihood": _float(
                self.gamma_gamma.log_likelihood if self.gamma_gamma else None
            ),
            "gamma_gamma_customers": int(self.gamma_gamma.customers) if self.gamma_gamma else 0,
            "spend_status": self.spend_status,
            "spend_message": self.spend_message,
            "horizon_months": self.options.horizon_months,
            "monthly_discount": self.options.monthly_discount,
            "margin": self.options.margin,
            "total_value": _float(np.nansum(self.value)) if self.bgnbd_status == "ok" else None,
            "dropped_refunds": self.summary.dropped_refunds,
            "seconds": {k: round(v, 4) for k, v in self.seconds.items()},
        }


def _float(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def analyse(summary: Summary, options: Options | None = None) -> Analysis:
    """Fit both models on `summary` and compute every customer's figures."""
    options = options or Options()
    n = len(summary)
    seconds: dict[str, float] = {}
    nan = np.full(n, np.nan)
    x, t_x, T = summary.in_units(options.unit_days)

    bg_fit, bg_status, bg_message = _repeat_buying(x, t_x, T, seconds)
    gg_fit, spend_status, spend_message, expected_spend = _spend_per_visit(summary, seconds)

    started = time.perf_counter()
    if bg_status == Status.OK and bg_fit is not None and isinstance(bg_fit.params, bgnbd.Params):
        params = bg_fit.params
        with np.errstate(all="ignore"):
            alive, visits, discounted = bgnbd.predict(
                params,
                x,
                t_x,
                T,
                visits_t=options.visits_days / options.unit_days,
                months=options.horizon_months,
                month_length=options.month_days / options.unit_days,
                monthly_discount=options.monthly_discount,
            )
        value = options.margin * expected_spend * discounted
        alive = _sane(alive, 0.0, 1.0)
        visits = _sane(visits, 0.0, np.inf)
        value = _sane(value, 0.0, np.inf)
    else:
        alive, visits, value = nan.copy(), nan.copy(), nan.copy()
    seconds["predict"] = time.perf_counter() - started
    return Analysis(
        summary=summary,
        options=options,
        bgnbd=bg_fit,
        gamma_gamma=gg_fit,
        bgnbd_status=bg_status,
        bgnbd_message=bg_message,
        spend_status=spend_status,
        spend_message=spend_message,
        probability_alive=alive,
        expected_visits=visits,
        expected_spend=expected_spend,
        value=value,
        rule_value=RULE_MULTIPLE * summary.year_spend,
        seconds=seconds,
    )


def _repeat_buying(
    x: Array, t_x: Array, T: Array, seconds: dict[str, float]
) -> tuple[FitResult | None, str, str]:
    """The BG/NBD fit when the data can carry it, with its status and message."""
    n = len(x)
    repeaters = int((x > 0).sum())
    bg_fit: FitResult | None = None
    if n == 0 or repeaters == 0:
        bg_status = Status.NO_REPEATS
        bg_message = "no customer has bought more than once: nothing to learn repeat buying from"
    elif n < MIN_CUSTOMERS or repeaters < MIN_REPEAT_CUSTOMERS:
        bg_status = Status.THIN
        bg_message = (
            f"too little data for the model: {n} customers, {repeaters} repeat customers "
            f"(needs {MIN_CUSTOMERS} and {MIN_REPEAT_CUSTOMERS})"
        )
    else:
        started = time.perf_counter()
        bg_fit = bgnbd.fit(bgnbd.Grouped(x, t_x, T))
        seconds["bgnbd_fit"] = time.perf_counter() - started
        bg_status = Status.OK if bg_fit.converged else Status.NOT_CONVERGED
        bg_message = bg_fit.message
    return bg_fit, bg_status, bg_message


def _spend_per_visit(
    summary: Summary, seconds: dict[str, float]
) -> tuple[FitResult | None, str, str, Array]:
    """The Gamma-Gamma fit (or each customer's own mean spend), its status, message and the
    expected spend per visit."""
    spenders = summary.spend_x > 0
    gg_fit: FitResult | None = None
    spend_params: gg.Params | None = None
    if int(spenders.sum()) >= MIN_SPEND_CUSTOMERS:
        started = time.perf_counter()
        gg_fit = gg.fit(gg.Data(summary.spend_x[spenders], summary.spend_mean[spenders]))
        seconds["gamma_gamma_fit"] = time.perf_counter() - started
        if gg_fit.converged and isinstance(gg_fit.params, gg.Params):
            if gg_fit.params.q > 1.0:
                spend_params = gg_fit.params
            else:
                gg_fit = dataclasses.replace(
                    gg_fit, converged=False, message="q ≤ 1: the mean spend is not finite"
                )
    if spend_params is not None:
        spend_status, spend_message = Status.OK, "Gamma-Gamma"
        expected_spend = gg.conditional_expected_spend(
            spend_params, summary.spend_x, summary.spend_mean
        )
    else:
        spend_status = Status.FALLBACK
        why = gg_fit.message if gg_fit else f"fewer than {MIN_SPEND_CUSTOMERS} repeat buyers"
        spend_message = f"Gamma-Gamma not used ({why}): each customer's own mean spend"
        expected_spend = _fallback_spend(summary)
    return gg_fit, spend_status, spend_message, expected_spend


def _fallback_spend(summary: Summary) -> Array:
    """The customer's own mean repeat spend; for one-visit customers the mean spend per
    occasion over all customers (first occasions included)."""
    occasions = summary.x + 1
    population = float(summary.total_spend.sum() / occasions.sum()) if len(summary) else 0.0
    return np.where(summary.spend_x > 0, summary.spend_mean, population)


def _sane(values: Array, low: float, high: float) -> Array:
    """NaN wherever a figure is not finite or outside its range (beyond rounding)."""
    ok = np.isfinite(values) & (values >= low - 1e-9) & (values <= high + 1e-9)
    return np.where(ok, np.clip(values, low, high), np.nan)
