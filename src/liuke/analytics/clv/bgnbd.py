"""BG/NBD: Fader, Hardie and Lee (2005), "Counting your customers the easy way".

A customer buys as a Poisson process with rate λ ~ Gamma(r, α) while active, and after each
purchase drops out with probability p ~ Beta(a, b). The data per customer: x (repeat
purchases: occasions after the first), t_x (time of the last purchase, counted from the first)
and T (time from the first purchase to the end of observation).

The fit is maximum likelihood in log-parameters with the analytic gradient. It is fast because
it never evaluates a term more often than it has distinct values:

- customers with the same (x, t_x, T) are one row with a weight (`Summary.grouped`); with times
  in whole days there are far fewer distinct rows than customers;
- everything that depends on x alone (the gamma and digamma functions) is computed once per
  distinct x and summed with the number of customers at that x;
- ln(α + t) and 1 / (α + t) are computed once per distinct time value and gathered.

What remains per row and evaluation is a handful of array operations with no Python loop.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
from scipy import special

from liuke.analytics.clv.grouping import dot, table_index, unique_rows
from liuke.analytics.clv.optimise import FitResult, maximise
from liuke.analytics.clv.optimise import result as _result

Array = np.ndarray

#: Rows of the sample that gives large fits their starting point.
WARM_START_ROWS = 50_000


@dataclasses.dataclass(frozen=True)
class Params:
    """BG/NBD parameters under the paper's names."""

    r: float
    alpha: float
    a: float
    b: float

    def as_array(self) -> Array:
        return np.array([self.r, self.alpha, self.a, self.b], dtype=float)

    def as_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


class Grouped:
    """Customers collapsed to distinct (x, t_x, T) rows with a weight each.

    Also keeps the index of distinct x values and of distinct time values that the likelihood
    gathers from, so a fit pays for those once.
    """

    def __init__(self, x: Array, t_x: Array, T: Array, weights: Array | None = None) -> None:
        x = np.asarray(x, dtype=float)
        t_x = np.asarray(t_x, dtype=float)
        T = np.asarray(T, dtype=float)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        _check(x, t_x, T)
        x, t_x, T, w = _collapse(x, t_x, T, w)
        self.x, self.t_x, self.T, self.w = x, t_x, T, w
        self.n = float(w.sum())
        # Distinct x: every term of x alone is summed with these weights.
        self.x_values, x_index = table_index(x)
        self.x_weights = np.bincount(x_index, weights=w, minlength=len(self.x_values))
        # Rows without repeat purchases only need ln(α + T); they are summed per distinct T.
        zero = x == 0
        self.zero_T, zero_index = table_index(T[zero])
        self.zero_w = np.bincount(zero_index, weights=w[zero], minlength=len(self.zero_T))
        # Repeat buyers: (x, t_x, T) per row, times as indexes into one table of distinct times.
        rep = ~zero
        self.rx = x[rep]
        self.rw = w[rep]
        k = int(rep.sum())
        times, inverse = table_index(np.concatenate([T[rep], t_x[rep]]))
        self.times = times
        self.iT = inverse[:k]
        self.it = inverse[k:]
        self.use_table = len(times) * 4 < max(k, 1)
        self.rT = T[rep]
        self.rt = t_x[rep]
        self.sum_wx = float((w * x).sum())


def _check(x: Array, t_x: Array, T: Array) -> None:
    if not (x.shape == t_x.shape == T.shape) or x.ndim != 1:
        raise ValueError("x, t_x and T must be one-dimensional arrays of the same length")
    if len(x) == 0:
        raise ValueError("no customers")
    if not (np.isfinite(x).all() and np.isfinite(t_x).all() and np.isfinite(T).all()):
        raise ValueError("x, t_x and T must be finite")
    if (x < 0).any() or (t_x < 0).any() or (t_x > T).any():
        raise ValueError("need 0 ≤ x and 0 ≤ t_x ≤ T")
    if (t_x[x == 0] != 0).any():
        raise ValueError("t_x must be 0 when x is 0")


def _collapse(x: Array, t_x: Array, T: Array, w: Array) -> tuple[Array, Array, Array, Array]:
    """Merge identical (x, t_x, T) rows, adding their weights."""
    first, inverse = unique_rows(x, t_x, T)
    weights = np.bincount(inverse, weights=w, minlength=len(first))
    return x[first], t_x[first], T[first], weights


def log_likelihood(params: Params, g: Grouped) -> float:
    """The total log-likelihood of the grouped data (the sum over customers)."""
    value, _, _ = derivatives(np.log(params.as_array()), g, order=0)
    return value


def _softplus_sigmoid(D: Array) -> tuple[Array, Array]:
    """ln(1 + e^D) and 1/(1 + e^−D) from one exponential, stable for any D."""
    e = np.exp(-np.abs(D))
    softplus = np.maximum(D, 0.0) + np.log1p(e)
    inv = 1.0 / (1.0 + e)
    sigmoid = np.where(D >= 0, inv, e * inv)
    return softplus, sigmoid


# long: the analytic gradient and Hessian are one derivation, read best in one piece
def derivatives(phi: Array, g: Grouped, order: int = 2) -> tuple[float, Array, Array]:
    """Total log-likelihood, and (order ≥ 1) its gradient and (order 2) Hessian with respect to
    the log-parameters φ = ln(r, α, a, b).

    Per repeat-buyer row: −c·ln(α+T) + softplus(D) with c = r + x and
    D = ln a − ln(b+x−1) + c·(ln(α+T) − ln(α+t_x)); every derivative is a weighted sum of a few
    per-row products.
    """
    r, alpha, a, b = np.exp(phi)
    xv, xw, n = g.x_values, g.x_weights, g.n
    lg = special.gammaln
    per_x = lg(r + xv) - lg(r) + lg(a + b) + lg(b + xv) - lg(b) - lg(a + b + xv)
    value = dot(xw, per_x) + n * r * math.log(alpha)
    # Customers without repeat purchases: −r·ln(α + T), per distinct T.
    z_inv = 1.0 / (alpha + g.zero_T)
    zl = np.log(alpha + g.zero_T)
    value -= r * dot(g.zero_w, zl)
    # Repeat buyers.
    if g.use_table:
        lt_tab = np.log(alpha + g.times)
        LT, Lt = lt_tab[g.iT], lt_tab[g.it]
    else:
        LT, Lt = np.log(alpha + g.rT), np.log(alpha + g.rt)
    c = r + g.rx
    u = 1.0 / (b + g.rx - 1.0)
    delta_log = LT - Lt
    D = math.log(a) + np.log(u) + c * delta_log
    softplus, s = _softplus_sigmoid(D)
    w = g.rw
    value += dot(w, softplus) - dot(w, (c * LT))
    if order == 0:
        return value, np.zeros(4), np.zeros((4, 4))

    dg = special.digamma
    if g.use_table:
        inv_tab = 1.0 / (alpha + g.times)
        iT, it = inv_tab[g.iT], inv_tab[g.it]
    else:
        iT, it = 1.0 / (alpha + g.rT), 1.0 / (alpha + g.rt)
    dinv = iT - it  # ∂D/∂α = c·dinv
    ws = w * s
    c_dinv = c * dinv
    grad = np.array(
        [
            dot(xw, (dg(r + xv) - dg(r)))
            + n * math.log(alpha)
            - dot(g.zero_w, zl)
            + dot(ws, delta_log)
            - dot(w, LT),
            n * r / alpha - r * dot(g.zero_w, z_inv) - dot(w, (c * iT)) + dot(ws, c_dinv),
            dot(xw, (dg(a + b) - dg(a + b + xv))) + float(ws.sum()) / a,
            dot(xw, (dg(a + b) + dg(b + xv) - dg(b) - dg(a + b + xv))) - dot(ws, u),
        ]
    )
    theta = np.array([r, alpha, a, b])
    if order == 1:
        return value, grad * theta, np.zeros((4, 4))

    tg = special.polygamma
    H = np.zeros((4, 4))
    # Terms of x alone and the r·ln α term.
    H[0, 0] = dot(xw, (tg(1, r + xv) - tg(1, r)))
    H[0, 1] = n / alpha
    H[1, 1] = -n * r / alpha**2
    t_ab = dot(xw, (tg(1, a + b) - tg(1, a + b + xv)))
    H[2, 2] = t_ab
    H[2, 3] = t_ab
    H[3, 3] = dot(xw, (tg(1, a + b) + tg(1, b + xv) - tg(1, b) - tg(1, a + b + xv)))
    # Zero-repeat rows.
    H[0, 1] -= dot(g.zero_w, z_inv)
    H[1, 1] += r * dot(g.zero_w, (z_inv * z_inv))
    # Repeat rows: −c·ln(α+T) …
    H[0, 1] -= dot(w, iT)
    H[1, 1] += dot(w, (c * iT * iT))
    # … + softplus(D): s(1−s)·∇D∇Dᵀ + s·∇²D.
    k = ws * (1.0 - s)
    H[0, 0] += dot(k, (delta_log * delta_log))
    H[0, 1] += dot(k, (delta_log * c_dinv)) + dot(ws, dinv)
    H[1, 1] += dot(k, (c_dinv * c_dinv)) + dot(ws, (c * (it * it - iT * iT)))
    sum_k = float(k.sum())
    k_u = k * u
    H[0, 2] += dot(k, delta_log) / a
    H[1, 2] += dot(k, c_dinv) / a
    H[2, 2] += sum_k / a**2 - float(ws.sum()) / a**2
    H[0, 3] -= dot(k_u, delta_log)
    H[1, 3] -= dot(k_u, c_dinv)
    H[2, 3] -= float(k_u.sum()) / a
    H[3, 3] += dot(k_u, u) + dot(ws, (u * u))
    H = np.triu(H) + np.triu(H, 1).T
    # To log-parameters: H_φ = diag(θ)·H_θ·diag(θ) + diag(θ ⊙ ∇_θ).
    H_phi = H * np.outer(theta, theta) + np.diag(theta * grad)
    return value, grad * theta, H_phi


def _start(g: Grouped) -> Array:
    """A starting point from the data's scale: α near the mean time between purchases."""
    mean_T = float((g.w * g.T).sum() / g.n) if g.n else 1.0
    rate = (g.sum_wx / g.n) / max(mean_T, 1e-9)
    alpha0 = min(max(1.0 / max(rate, 1e-6), 1e-3), 1e6)
    start: Array = np.log(np.array([1.0, alpha0, 1.0, 1.0]))
    return start


def fit(g: Grouped, *, start: Params | None = None) -> FitResult:
    """Maximum likelihood. Never raises for bad data: the result says whether it converged."""
    started = time.perf_counter()
    if g.sum_wx == 0:
        return FitResult(None, None, False, "no repeat purchases", 0, 0, 0.0, g.n)
    x0 = np.log(start.as_array()) if start is not None else _start(g)
    if start is None and len(g.x) > 4 * WARM_START_ROWS:
        # Most Newton steps happen far from the optimum: take them on a sample of the rows,
        # then finish on all of them (two or three steps from there).
        rng = np.random.default_rng(0)
        pick = rng.choice(len(g.x), size=WARM_START_ROWS, replace=False)
        sample = Grouped(g.x[pick], g.t_x[pick], g.T[pick], g.w[pick])
        if sample.sum_wx > 0:
            warm = maximise(lambda phi, order: derivatives(phi, sample, order), x0, sample.n)
            if np.isfinite(warm.value) and np.abs(warm.phi).max() < 20:
                x0 = warm.phi
    outcome = maximise(lambda phi, order: derivatives(phi, g, order), x0, g.n)
    return _result(outcome, ("r", "alpha", "a", "b"), g.n, started, Params)


# --- predictions ---------------------------------------------------------------------------------


def probability_alive(params: Params, x: Array, t_x: Array, T: Array) -> Array:
    """P(still active | x, t_x, T): 1 / (1 + [x>0]·a/(b+x−1)·((α+T)/(α+t_x))^(r+x))."""
    r, alpha, a, b = params.as_array()
    x = np.asarray(x, dtype=float)
    log_d = (r + x) * (
        np.log(alpha + np.asarray(T, float)) - np.log(alpha + np.asarray(t_x, float))
    )
    log_d = log_d + np.log(a) - np.log(b + np.maximum(x, 1.0) - 1.0)
    return np.where(x > 0, special.expit(-log_d), 1.0)


def expected_visits(params: Params, t: Array | float) -> Array:
    """E[X(t)]: expected purchases in (0, t] of a customer just acquired (paper, eq. 9)."""
    r, alpha, a, b = params.as_array()
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    hyp = special.hyp2f1(r, b, a + b - 1.0, z)
    visits: Array = (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp)
    return visits


def probability_of_visits(params: Params, t: float, n: int) -> float:
    """P(X(t) = n): the probability of exactly n purchases in (0, t] (paper, eq. 8)."""
    r, alpha, a, b = params.as_array()
    lbeta = special.betaln
    log_first = (
        lbeta(a, b + n)
        - lbeta(a, b)
        + special.gammaln(r + n)
        - special.gammaln(r)
        - special.gammaln(n + 1)
        + r * math.log(alpha / (alpha + t))
        + n * math.log(t / (alpha + t))
    )
    value = math.exp(log_first)
    if n > 0:
        j = np.arange(n)
        terms = np.exp(
            special.gammaln(r + j)
            - special.gammaln(r)
            - special.gammaln(j + 1)
            + j * math.log(t / (alpha + t))
        )
        value += math.exp(lbeta(a + 1, b + n - 1) - lbeta(a, b)) * (
            1.0 - (alpha / (alpha + t)) ** r * float(terms.sum())
        )
    return value


def _conditional_numerator(params: Params, x: Array, T: Array, t: Array | float) -> Array:
    """(a+b+x−1)/(a−1)·[1 − ((α+T)/(α+T+t))^(r+x)·₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]."""
    r, alpha, a, b = params.as_array()
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)
    t = np.asarray(t, dtype=float)
    z = t / (alpha + T + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1.0, z)
    log_ratio = (r + x) * (np.log(alpha + T) - np.log(alpha + T + t))
    numerator: Array = (a + b + x - 1.0) / (a - 1.0) * (1.0 - np.exp(log_ratio) * hyp)
    return numerator


def conditional_expected_visits(params: Params, t: float, x: Array, t_x: Array, T: Array) -> Array:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t of a customer with this history
    (paper, eq. 10). Computed once per distinct (x, T) for the hypergeometric part."""
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)
    pairs, inverse = _pairs(x, T)
    numerator = _conditional_numerator(params, pairs[:, 0], pairs[:, 1], t)[inverse]
    visits: Array = numerator * probability_alive(params, x, t_x, T)
    return visits


def _pairs(x: Array, T: Array) -> tuple[Array, Array]:
    """Distinct (x, T) pairs (as two columns) and each customer's index into them."""
    first, inverse = unique_rows(x, T)
    return np.stack([x[first], T[first]], axis=1), inverse


def discounted_visits(
    params: Params,
    x: Array,
    t_x: Array,
    T: Array,
    *,
    months: int,
    month_length: float,
    monthly_discount: float,
) -> Array:
    """Σ over the next `months` months of that month's expected purchases / (1 + d)^k.

    Multiplied by the expected spend per purchase and the margin this is the lifetime value over
    the horizon (the same convention as `lifetimes`: months of `month_length` time units, the
    expected purchases of month k discounted by k months).
    """
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)
    pairs, inverse = _pairs(x, T)
    px, pT = pairs[:, 0], pairs[:, 1]
    total = np.zeros(len(pairs))
    previous = np.zeros(len(pairs))
    for k in range(1, months + 1):
        current = _conditional_numerator(params, px, pT, k * month_length)
        total += (current - previous) / (1.0 + monthly_discount) ** k
        previous = current
    discounted: Array = total[inverse] * probability_alive(params, x, t_x, T)
    return discounted


def predict(
    params: Params,
    x: Array,
    t_x: Array,
    T: Array,
    *,
    visits_t: float,
    months: int,
    month_length: float,
    monthly_discount: float,
) -> tuple[Array, Array, Array]:
    """(probability alive, expected visits in the next `visits_t`, discounted visits over the
    horizon) for every customer, sharing one pass over the distinct (x, T) pairs."""
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)
    alive = probability_alive(params, x, t_x, T)
    pairs, inverse = _pairs(x, T)
    px, pT = pairs[:, 0], pairs[:, 1]
    visits = _conditional_numerator(params, px, pT, visits_t)[inverse] * alive
    total = np.zeros(len(pairs))
    previous = np.zeros(len(pairs))
    for k in range(1, months + 1):
        current = _conditional_numerator(params, px, pT, k * month_length)
        total += (current - previous) / (1.0 + monthly_discount) ** k
        previous = current
    return alive, visits, total[inverse] * alive
