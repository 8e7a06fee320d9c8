"""Maximum likelihood for the models: a trust-region Newton method on the exact Hessian.

The models give their log-likelihood with its analytic gradient and Hessian in log-parameters
(so every parameter stays positive without bounds). Newton steps reach the optimum in a handful
of iterations where a quasi-Newton method needs dozens of evaluations; the trust region keeps
the steps safe far from it. A fit is trusted only when the gradient is flat, the Hessian is
negative definite there (a true maximum, the parameters identified) and the parameters are of
plausible size; otherwise the result says which and the callers fall back.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import optimize

Array = np.ndarray
Derivatives = Callable[[Array, int], tuple[float, Array, Array]]

#: Parameters outside this range mean the data cannot identify the model: reported, not used.
PARAM_BOUNDS = (1e-6, 1e7)
#: The largest gradient component (of the mean log-likelihood, in log-parameters) at a maximum.
GRADIENT_TOLERANCE = 1e-6


@dataclasses.dataclass(frozen=True)
class FitResult:
    """The outcome of a fit: parameters, the total log-likelihood, and whether to trust it."""

    params: Any
    log_likelihood: float | None
    converged: bool
    message: str
    iterations: int
    evaluations: int
    seconds: float
    customers: float


@dataclasses.dataclass(frozen=True)
class Outcome:
    phi: Array
    value: float  # total log-likelihood
    gradient: Array  # of the mean log-likelihood
    hessian: Array
    iterations: int
    evaluations: int


def maximise(derivatives: Derivatives, x0: Array, n: float) -> Outcome:
    """Maximise the total log-likelihood over log-parameters from x0."""
    cache: dict[bytes, tuple[float, Array, Array]] = {}
    evaluations = [0]

    def evaluate(phi: Array) -> tuple[float, Array, Array]:
        key = phi.tobytes()
        if key not in cache:
            evaluations[0] += 1
            if not np.isfinite(phi).all() or np.abs(phi).max() > 40:
                bad = (np.inf, np.zeros_like(phi), np.eye(len(phi)))
                cache.clear()
                cache[key] = bad
                return bad
            with np.errstate(all="ignore"):
                value, grad, hess = derivatives(phi, 2)
            if not (np.isfinite(value) and np.isfinite(grad).all() and np.isfinite(hess).all()):
                result = (np.inf, np.zeros_like(phi), np.eye(len(phi)))
            else:
                result = (-value / n, -grad / n, -hess / n)
            cache.clear()
            cache[key] = result
        return cache[key]

    def fun(phi: Array) -> tuple[float, Array]:
        value, grad, _ = evaluate(phi)
        return value, grad

    def hess(phi: Array) -> Array:
        return evaluate(phi)[2]

    iterations = 0
    phi = np.asarray(x0, dtype=float)
    for method in ("trust-exact", "BFGS", "Nelder-Mead"):
        if method == "trust-exact":
            found = optimize.minimize(
                fun, phi, jac=True, hess=hess, method=method, options={"gtol": 1e-10}
            )
        elif method == "BFGS":
            found = optimize.minimize(fun, phi, jac=True, method=method, options={"gtol": 1e-9})
        else:
            found = optimize.minimize(
                lambda p: fun(p)[0],
                phi,
                method=method,
                options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000},
            )
        iterations += int(getattr(found, "nit", 0))
        if np.isfinite(fun(found.x)[0]):
            phi = found.x
        value, grad, hessian = evaluate(phi)
        if np.isfinite(value) and np.abs(grad).max() < GRADIENT_TOLERANCE:
            break
    value, grad, hessian = evaluate(phi)
    return Outcome(phi, -value * n, grad, hessian, iterations, evaluations[0])


def result(
    outcome: Outcome, names: tuple[str, ...], n: float, started: float, kind: Callable[..., Any]
) -> FitResult:
    """Judge an outcome: converged, identified and plausible, or say what is wrong."""
    params = np.exp(outcome.phi)
    low, high = PARAM_BOUNDS
    shown = ", ".join(f"{k}={v:.3g}" for k, v in zip(names, params, strict=True))
    converged = False
    if not np.isfinite(outcome.value):
        message = "the likelihood could not be evaluated"
    elif not ((params > low) & (params < high)).all():
        message = (
            f"parameters at the edge of the plausible range ({shown}): "
            "the data cannot identify the model"
        )
    elif np.abs(outcome.gradient).max() >= GRADIENT_TOLERANCE:
        message = "the optimiser did not converge"
    elif not _positive_definite(outcome.hessian):
        message = f"not a strict maximum ({shown}): the data cannot identify the model"
    else:
        converged, message = True, "converged"
    return FitResult(
        params=kind(*map(float, params)),
        log_likelihood=float(outcome.value) if np.isfinite(outcome.value) else None,
        converged=converged,
        message=message,
        iterations=outcome.iterations,
        evaluations=outcome.evaluations,
        seconds=time.perf_counter() - started,
        customers=n,
    )


def _positive_definite(matrix: Array) -> bool:
    """The Hessian of the negative mean log-likelihood is positive definite at a maximum."""
    try:
        np.linalg.cholesky((matrix + matrix.T) / 2)
    except np.linalg.LinAlgError:
        return False
    return True
