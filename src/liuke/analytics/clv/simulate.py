"""Customers drawn from known BG/NBD and Gamma-Gamma parameters: for tests (recover the
parameters) and for the model benchmarks (a million customers without a database)."""

from __future__ import annotations

import numpy as np

from liuke.analytics.clv.bgnbd import Params
from liuke.analytics.clv.gamma_gamma import Params as SpendParams

Array = np.ndarray


def bgnbd_customers(
    params: Params, T: Array, rng: np.random.Generator, *, whole_days: bool = False
) -> tuple[Array, Array]:
    """(x, t_x) for customers observed for T after their first purchase.

    Each has a purchase rate λ ~ Gamma(r, α) and a drop-out probability p ~ Beta(a, b); after
    every repeat purchase it drops out with probability p. With `whole_days` purchase times are
    rounded down to whole days and purchases on one day count once (the summary's rule).
    """
    T = np.asarray(T, dtype=float)
    n = len(T)
    lam = rng.gamma(params.r, 1.0 / params.alpha, size=n)
    p = rng.beta(params.a, params.b, size=n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    last_day = np.zeros(n)
    active = np.flatnonzero(lam > 0)
    while len(active):
        now[active] += rng.exponential(1.0, size=len(active)) / lam[active]
        inside = now[active] <= T[active]
        active = active[inside]
        if whole_days:
            day = np.floor(now[active])
            new = day > last_day[active]
            counted = active[new]
            x[counted] += 1
            t_x[counted] = day[new]
            last_day[counted] = day[new]
        else:
            x[active] += 1
            t_x[active] = now[active]
        # The customer may drop out after the purchase.
        stays = rng.random(len(active)) >= p[active]
        active = active[stays]
    return x, t_x


def spend(params: SpendParams, x: Array, rng: np.random.Generator) -> Array:
    """The mean of x purchases' spends (Gamma-Gamma); 0 where x is 0."""
    x = np.asarray(x, dtype=float)
    nu = rng.gamma(params.q, 1.0 / params.gamma, size=len(x))
    shape = np.where(x > 0, params.p * x, 1.0)
    total = rng.gamma(shape, 1.0 / nu)
    return np.where(x > 0, total / np.maximum(x, 1.0), 0.0)


def ages(n: int, rng: np.random.Generator, *, days: int = 730) -> Array:
    """Whole-day ages T of customers acquired evenly over the last `days` days."""
    return rng.integers(0, days, size=n).astype(float)


def transactions(
    params: Params,
    spend_params: SpendParams,
    first_day: Array,
    end_day: int,
    rng: np.random.Generator,
) -> tuple[Array, Array, Array]:
    """(customer, day, amount) transactions of BG/NBD customers with Gamma-Gamma spends: a first
    purchase on `first_day`, then repeat purchases until the customer drops out or `end_day`."""
    first_day = np.asarray(first_day, dtype=float)
    n = len(first_day)
    lam = rng.gamma(params.r, 1.0 / params.alpha, size=n)
    p = rng.beta(params.a, params.b, size=n)
    nu = rng.gamma(spend_params.q, 1.0 / spend_params.gamma, size=n)
    customers = [np.arange(n)]
    days = [first_day.astype(np.int64)]
    now = first_day.copy()
    active = np.flatnonzero(lam > 0)
    while len(active):
        now[active] += rng.exponential(1.0, size=len(active)) / lam[active]
        active = active[now[active] <= end_day]
        customers.append(active)
        days.append(np.floor(now[active]).astype(np.int64))
        active = active[rng.random(len(active)) >= p[active]]
    customer = np.concatenate(customers)
    amount = rng.gamma(spend_params.p, 1.0 / nu[customer])
    return customer, np.concatenate(days), amount
