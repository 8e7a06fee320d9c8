"""The stored customer figures over HTTP (/api/v1/analytics/…). Thin: call a selector, shape."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from liuke.accounts.models import User
from liuke.analytics import selectors
from liuke.analytics.choices import Segment
from liuke.analytics.models import CustomerFigures, ModelRun
from liuke.core.api import READ_ERRORS
from liuke.core.errors import NotFound

router = Router(tags=["analytics"])

Id = Annotated[int, Field(ge=1, le=2**62)]


class RunOut(Schema):
    """A refresh: the models' parameters under the papers' names (time in days, money in fen)."""

    computed_at: dt.datetime
    observation_end: dt.date
    customers: int
    repeat_customers: int
    visits: int
    bgnbd_status: str
    bgnbd_message: str
    spend_status: str
    spend_message: str
    params: dict[str, float | None]
    bgnbd_log_likelihood: float | None
    gamma_gamma_log_likelihood: float | None
    total_value_fen: int | None


class FiguresOut(Schema):
    customer_id: int
    branch_id: int
    visits: int
    first_visit_on: dt.date
    last_visit_on: dt.date
    spend_mean_fen: int
    total_spend_fen: int
    year_spend_fen: int
    probability_alive: float | None
    expected_visits_90: float | None
    expected_spend_fen: int | None
    value_fen: int | None = Field(description="model value, 12 months, discounted")
    rule_value_fen: int = Field(description="rule of thumb: 20 × sales of the last 365 days")
    recency_score: int
    frequency_score: int
    monetary_score: int
    segment: str
    loyalty: int


class CustomerFiguresOut(Schema):
    customer_id: int
    figures: FiguresOut | None
    run: RunOut | None


class ListFilters(Schema):
    segment: Segment | None = None
    branch_id: Id | None = None
    order: Literal["value", "rule_value", "loyalty", "alive", "recent"] = "value"
    limit: Annotated[int, Field(ge=1, le=500)] = 50


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _figures(row: CustomerFigures | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {name: getattr(row, name) for name in FiguresOut.model_fields}


def _run(run: ModelRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {name: getattr(run, name) for name in RunOut.model_fields}


@router.get(
    "/analytics/run",
    response={200: RunOut, **READ_ERRORS},
    summary="The latest refresh: fitted parameters and statuses",
)
def run_latest(request: HttpRequest) -> dict[str, Any]:
    found = _run(selectors.latest_run(actor=_actor(request)))
    if found is None:
        raise NotFound("No refresh yet.")
    return found


@router.get(
    "/analytics/customers/{customer_id}",
    response={200: CustomerFiguresOut, **READ_ERRORS},
    summary="A customer's figures: value, probability active, expected visits, RFM, loyalty",
)
def customer_figures(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    found = selectors.figures_get(actor=_actor(request), customer_id=customer_id)
    return {
        "customer_id": found.customer.pk,
        "figures": _figures(found.figures),
        "run": _run(found.run),
    }


@router.get(
    "/analytics/figures",
    response={200: list[FiguresOut], **READ_ERRORS},
    summary="Customers' figures, best first (by value, 20 × rule, loyalty, activity, recency)",
)
def figures_list(request: HttpRequest, filters: Query[ListFilters]) -> list[dict[str, Any]]:
    rows = selectors.figures_list(
        actor=_actor(request),
        segment=filters.segment,
        branch_id=filters.branch_id,
        order=filters.order,
        limit=filters.limit,
    )
    return [f for f in (_figures(r) for r in rows) if f is not None]
