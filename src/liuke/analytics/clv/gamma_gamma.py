"""Gamma-Gamma spend model: Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves
for customer base analysis", and Fader and Hardie's note "The Gamma-Gamma model of monetary value".

Each purchase's spend is Gamma(p, ν) with ν ~ Gamma(q, γ) across customers. The data per repeat
buyer: x (the number of repeat purchases with a spend) and m (their mean spend). Fitted by
maximum likelihood of the mean spend's density in log-parameters with the analytic gradient;
terms of x alone are computed once per distinct x, and per customer only ln(γ + x·m) and its
reciprocal remain.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
from scipy import special

from liuke.analytics.clv.grouping import dot, table_index
from liuke.analytics.clv.optimise import FitResult, maximise, result

Array = np.ndarray


@dataclasses.dataclass(frozen=True)
class Params:
    """Gamma-Gamma parameters under the paper's names (`lifetimes` calls γ "v")."""

    p: float
    q: float
    gamma: float

    def as_array(self) -> Array:
        return np.array([self.p, self.q, self.gamma], dtype=float)

    def as_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)

    @property
    def mean_spend(self) -> float | None:
        """The population's expected spend per purchase, pγ/(q−1); none when q ≤ 1."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else None


class Data:
    """Repeat buyers' (x, m), with the sums that do not depend on the parameters."""

    def __init__(self, x: Array, m: Array, weights: Array | None = None) -> None:
        x = np.asarray(x, dtype=float)
        m = np.asarray(m, dtype=float)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        if x.shape != m.shape or x.ndim != 1:
            raise ValueError("x and m must be one-dimensional arrays of the same length")
        if len(x) and ((x <= 0).any() or (m <= 0).any() or not np.isfinite(m).all()):
            raise ValueError("Gamma-Gamma needs x > 0 and a positive, finite mean spend")
        self.x, self.m, self.w = x, m, w
        self.n = float(w.sum())
        self.x_values, index = table_index(x)
        self.x_weights = np.bincount(index, weights=w, minlength=len(self.x_values))
        self.xm = x * m
        self.wx = w * x
        self.sum_wx = float(self.wx.sum())
        log_m = np.log(m) if len(m) else m
        self.sum_wx_log_m = dot(self.wx, log_m)
        self.sum_w_log_m = dot(w, log_m)
        self.sum_x_log_x = dot(self.x_weights, (self.x_values * np.log(self.x_values)))


def derivatives(phi: Array, d: Data, order: int = 2) -> tuple[float, Array, Array]:
    """Total log-likelihood with its gradient and Hessian in log-parameters ln(p, q, γ)."""
    p, q, v = np.exp(phi)
    xv, xw, n = d.x_values, d.x_weights, d.n
    lg = special.gammaln
    value = dot(xw, (lg(p * xv + q) - lg(p * xv))) - n * (lg(q) - q * math.log(v))
    value += p * d.sum_wx_log_m - d.sum_w_log_m + p * d.sum_x_log_x
    L = np.log(d.xm + v)
    s_wxL = dot(d.wx, L)
    s_wL = dot(d.w, L)
    value -= p * s_wxL + q * s_wL
    if order == 0:
        return value, np.zeros(3), np.zeros((3, 3))
    dg = special.digamma
    inv = 1.0 / (d.xm + v)
    s_wx_inv = dot(d.wx, inv)
    s_w_inv = dot(d.w, inv)
    grad = np.array(
        [
            dot(xw, xv * (dg(p * xv + q) - dg(p * xv))) + d.sum_wx_log_m + d.sum_x_log_x - s_wxL,
            dot(xw, dg(p * xv + q)) - n * (dg(q) - math.log(v)) - s_wL,
            n * q / v - p * s_wx_inv - q * s_w_inv,
        ]
    )
    theta = np.array([p, q, v])
    if order == 1:
        return value, grad * theta, np.zeros((3, 3))
    tg = special.polygamma
    inv2 = inv * inv
    H = np.empty((3, 3))
    H[0, 0] = dot(xw, xv * xv * (tg(1, p * xv + q) - tg(1, p * xv)))
    H[0, 1] = H[1, 0] = dot(xw, (xv * tg(1, p * xv + q)))
    H[1, 1] = dot(xw, tg(1, p * xv + q)) - n * tg(1, q)
    H[0, 2] = H[2, 0] = -s_wx_inv
    H[1, 2] = H[2, 1] = n / v - s_w_inv
    H[2, 2] = -n * q / v**2 + p * dot(d.wx, inv2) + q * dot(d.w, inv2)
    H_phi = H * np.outer(theta, theta) + np.diag(theta * grad)
    return value, grad * theta, H_phi


def log_likelihood(params: Params, d: Data) -> float:
    value, _, _ = derivatives(np.log(params.as_array()), d, order=0)
    return value


def fit(d: Data, *, start: Params | None = None) -> FitResult:
    """Maximum likelihood; the result says whether to trust it (never raises for bad data)."""
    started = time.perf_counter()
    if d.n == 0:
        return FitResult(None, None, False, "no repeat buyers with a spend", 0, 0, 0.0, 0.0)
    if start is not None:
        x0 = np.log(start.as_array())
    else:
        # p = 2, q = 3 and γ so that the population mean pγ/(q−1) is the data's mean spend.
        mean = dot(d.w, d.m) / d.n
        x0 = np.log(np.array([2.0, 3.0, max(mean, 1e-9)]))
    outcome = maximise(lambda phi, order: derivatives(phi, d, order), x0, d.n)
    return result(outcome, ("p", "q", "gamma"), d.n, started, Params)


def conditional_expected_spend(params: Params, x: Array, m: Array) -> Array:
    """E[spend per purchase | x, m] = p(γ + x·m)/(p·x + q − 1): the customer's own mean shrunk
    toward the population mean, more so the fewer purchases it rests on. For x = 0 it is the
    population mean pγ/(q−1)."""
    p, q, v = params.as_array()
    x = np.asarray(x, dtype=float)
    m = np.where(x > 0, np.asarray(m, dtype=float), 0.0)
    spend: Array = p * (v + x * m) / (p * x + q - 1.0)
    return spend
