"""The stored customer figures over HTTP (/api/v1/analytics/…). Thin: call a selector, shape."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from liuke.accounts import policy
from liuke.accounts.http import api_actor
from liuke.accounts.models import User
from liuke.analytics import dashboards, selectors, services
from liuke.analytics.aggregates.rules import REBOOK_DAYS, VALUE_BANDS_YUAN
from liuke.analytics.choices import Segment
from liuke.analytics.models import CustomerFigures, ModelRun, RefreshJob
from liuke.core.api import READ_ERRORS
from liuke.core.errors import NotFound
from liuke.core.money import MoneyOut

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
    spend_mean_fen: MoneyOut
    total_spend_fen: MoneyOut
    year_spend_fen: MoneyOut
    probability_alive: float | None
    expected_visits_90: float | None
    expected_spend_fen: MoneyOut
    value_fen: MoneyOut = Field(
        description="model value, 12 months, discounted; null without finance.view"
    )
    rule_value_fen: MoneyOut = Field(
        description="rule of thumb: 20 × sales of the last 365 days; null without finance.view"
    )
    recency_score: int
    frequency_score: int
    monetary_score: int
    segment: str
    loyalty: int = Field(description="0–100: behaviour and the latest recommend answer")
    satisfaction: int | None = Field(
        description="0–100 from the mean 1–5 survey answer; null without an answer"
    )
    recommend: int | None = Field(description="latest 'would you recommend us' answer, 0–10")


class CustomerFiguresOut(Schema):
    customer_id: int
    figures: FiguresOut | None
    run: RunOut | None


class ListFilters(Schema):
    segment: Segment | None = None
    branch_id: Id | None = None
    order: Literal["value", "rule_value", "loyalty", "alive", "recent"] = "value"
    limit: Annotated[int, Field(ge=1, le=500)] = 50


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
    found = _run(selectors.latest_run(actor=api_actor(request)))
    if found is None:
        raise NotFound("No refresh yet.")
    return found


@router.get(
    "/analytics/customers/{customer_id}",
    response={200: CustomerFiguresOut, **READ_ERRORS},
    summary="A customer's figures: value, probability active, expected visits, RFM, loyalty",
)
def customer_figures(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    actor = api_actor(request)
    found = selectors.figures_get(actor=actor, customer_id=customer_id)
    answer = {
        "customer_id": found.customer.pk,
        "figures": _figures(found.figures),
        "run": _run(found.run),
    }
    return policy.without_money(actor, answer)


@router.get(
    "/analytics/figures",
    response={200: list[FiguresOut], **READ_ERRORS},
    summary="Customers' figures, best first (by value, 20 × rule, loyalty, activity, recency)",
)
def figures_list(request: HttpRequest, filters: Query[ListFilters]) -> list[dict[str, Any]]:
    rows = selectors.figures_list(
        actor=api_actor(request),
        segment=filters.segment,
        branch_id=filters.branch_id,
        order=filters.order,
        limit=filters.limit,
    )
    return [f for f in (_figures(r) for r in rows) if f is not None]


# --- the dashboards' figures (the same stored tables as the pages) ----------------------------


class DashboardFilter(Schema):
    branch_id: Id | None = Field(None, description="one of your branches; all of them if empty")


def _where(request: HttpRequest, filters: DashboardFilter) -> dashboards.Scope:
    return dashboards.scope(api_actor(request), filters.branch_id)


class RevenueMonthOut(Schema):
    month: dt.date = Field(description="the first day of the month")
    visits: int
    sales_fen: int = Field(description="visits charged at checkout and package sales")
    refunds_fen: int
    net_fen: int = Field(description="sales less refunds")


class RepeatRateOut(Schema):
    key_id: int = Field(description="the branch, staff member (user) or service")
    label: str
    customers: int
    repeat_customers: int = Field(description="customers with visits on two or more days")
    repeat_rate: float | None = Field(description="percent")
    visits: int = Field(description="visit days old enough to tell (rebooking window past)")
    rebooked: int = Field(description="of those, followed by a visit within rebook_days")
    rebooking_rate: float | None = Field(description="percent")


class RepeatRatesOut(Schema):
    rebook_days: int
    branch: list[RepeatRateOut]
    staff: list[RepeatRateOut]
    service: list[RepeatRateOut]


class CohortOut(Schema):
    cohort: dt.date = Field(description="the month of the first visit")
    customers: int
    retained: list[int] = Field(description="customers who came back 1, 2, … months later")


class ValueBandOut(Schema):
    lower_yuan: int
    upper_yuan: int | None
    model_customers: int = Field(description="by the model value (12 months)")
    rule_customers: int = Field(description="by the 20 × rule")


class DashboardTotalsOut(Schema):
    customers: int
    worth_fen: int
    key_accounts: int
    key_accounts_unowned: int
    key_worth_fen: int
    potential_key_accounts: int
    potential_threshold_fen: int
    referred_customers: int
    referred_worth_fen: int
    referrers: int


class RankedCustomerOut(Schema):
    customer_id: int
    name: str
    mobile: str = Field(description="as the access policy shows it (masked or full)")
    owner_id: int | None = Field(description="the responsible staff member, None: nobody")
    is_key_account: bool = Field(description="now")
    visits: int
    last_visit_on: dt.date
    worth_fen: int = Field(description="model value (12 months), else the 20 × rule")
    referred_count: int
    referred_worth_fen: int


class KeyAccountsOut(Schema):
    totals: DashboardTotalsOut
    key_accounts: list[RankedCustomerOut]
    unowned: list[RankedCustomerOut]
    potential: list[RankedCustomerOut]


class ReferralLinkOut(Schema):
    referrer_id: int
    customer_id: int


class ReferralsOut(Schema):
    totals: DashboardTotalsOut
    top_referrers: list[RankedCustomerOut]
    links: list[ReferralLinkOut]


class RefreshJobOut(Schema):
    id: int
    status: str = Field(description="queued, running, done or failed")
    percent: int
    step: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str


def _ranked(actor: User, rows: list[CustomerFigures]) -> list[dict[str, Any]]:
    return [
        {
            "customer_id": f.customer_id,
            "name": f.customer.name,
            "mobile": policy.present_listed_mobile(actor, f.customer),
            "owner_id": f.customer.owner_id,
            "is_key_account": f.customer.is_key_account,
            "visits": f.visits,
            "last_visit_on": f.last_visit_on,
            "worth_fen": f.worth_fen,
            "referred_count": f.referred_count,
            "referred_worth_fen": f.referred_worth_fen,
        }
        for f in rows
    ]


@router.get(
    "/analytics/dashboards/revenue",
    response={200: list[RevenueMonthOut], **READ_ERRORS},
    summary="Revenue month by month: sales, refunds, sales less refunds (fen)",
)
def dashboard_revenue(
    request: HttpRequest, filters: Query[DashboardFilter]
) -> list[dict[str, Any]]:
    return [
        {
            "month": m.month,
            "visits": m.visits,
            "sales_fen": m.sales_fen,
            "refunds_fen": m.refunds_fen,
            "net_fen": m.net_fen,
        }
        for m in dashboards.revenue(_where(request, filters))
    ]


@router.get(
    "/analytics/dashboards/rates",
    response={200: RepeatRatesOut, **READ_ERRORS},
    summary="Repeat purchase and rebooking rates by branch, staff member and service",
)
def dashboard_rates(request: HttpRequest, filters: Query[DashboardFilter]) -> dict[str, Any]:
    found = dashboards.rates(_where(request, filters))
    out: dict[str, Any] = {"rebook_days": REBOOK_DAYS}
    for dimension, rows in found.items():
        out[dimension] = [
            {
                "key_id": r.key_id,
                "label": r.label,
                "customers": r.customers,
                "repeat_customers": r.repeat_customers,
                "repeat_rate": r.repeat_pct,
                "visits": r.visits,
                "rebooked": r.rebooked,
                "rebooking_rate": r.rebooking_pct,
            }
            for r in rows
        ]
    return out


@router.get(
    "/analytics/dashboards/cohorts",
    response={200: list[CohortOut], **READ_ERRORS},
    summary="Monthly cohorts: customers first seen in a month and how many came back later",
)
def dashboard_cohorts(
    request: HttpRequest, filters: Query[DashboardFilter]
) -> list[dict[str, Any]]:
    found = dashboards.cohorts(_where(request, filters))
    retained: dict[int, dict[int, int]] = {}
    for offset, index, _pct, n in found.cells:
        retained.setdefault(int(index), {})[int(offset)] = int(n)
    return [
        {
            "cohort": month,
            "customers": found.sizes[i],
            "retained": [
                retained.get(i, {}).get(k, 0)
                for k in range(1, 1 + max(retained.get(i, {0: 0}), default=0))
            ],
        }
        for i, month in enumerate(found.months)
    ]


@router.get(
    "/analytics/dashboards/value",
    response={200: list[ValueBandOut], **READ_ERRORS},
    summary="Customers per value band, by the model value and by the 20 × rule",
)
def dashboard_value(request: HttpRequest, filters: Query[DashboardFilter]) -> list[dict[str, Any]]:
    bands = dashboards.value_bands(_where(request, filters))
    edges = VALUE_BANDS_YUAN
    return [
        {
            "lower_yuan": lo,
            "upper_yuan": edges[i + 1] if i + 1 < len(edges) else None,
            "model_customers": bands.model[i],
            "rule_customers": bands.rule[i],
        }
        for i, lo in enumerate(edges)
    ]


@router.get(
    "/analytics/dashboards/key-accounts",
    response={200: KeyAccountsOut, **READ_ERRORS},
    summary="Key accounts ranked by worth, those nobody looks after, potential key accounts",
)
def dashboard_key_accounts(request: HttpRequest, filters: Query[DashboardFilter]) -> dict[str, Any]:
    actor = api_actor(request)
    where = _where(request, filters)
    found = dashboards.key_accounts(actor, where)
    return {
        "totals": dashboards.totals(where),
        "key_accounts": _ranked(actor, found.key),
        "unowned": _ranked(actor, found.unowned),
        "potential": _ranked(actor, found.potential),
    }


@router.get(
    "/analytics/dashboards/referrals",
    response={200: ReferralsOut, **READ_ERRORS},
    summary="Referrals: the top referrers and who brought whom",
)
def dashboard_referrals(request: HttpRequest, filters: Query[DashboardFilter]) -> dict[str, Any]:
    actor = api_actor(request)
    where = _where(request, filters)
    found = dashboards.referrals(actor, where)
    return {
        "totals": dashboards.totals(where),
        "top_referrers": _ranked(actor, found.top),
        "links": [
            {"referrer_id": int(link["source"]), "customer_id": int(link["target"])}
            for link in found.links
        ],
    }


def _job(job: RefreshJob) -> dict[str, Any]:
    return {name: getattr(job, name) for name in RefreshJobOut.model_fields}


@router.post(
    "/analytics/refresh",
    response={202: RefreshJobOut, 200: RefreshJobOut, **READ_ERRORS},
    summary="Refresh the figures now (a queued job; 200 with the running one if there is one)",
)
def refresh_start(request: HttpRequest) -> Status[Any]:
    job, started = services.refresh_request(actor=api_actor(request))
    return Status(202 if started else 200, _job(job))


@router.get(
    "/analytics/refresh",
    response={200: RefreshJobOut, **READ_ERRORS},
    summary="The latest refresh asked for: status and progress",
)
def refresh_latest(request: HttpRequest) -> dict[str, Any]:
    job = services.refresh_status(actor=api_actor(request))
    if job is None:
        raise NotFound("No refresh asked for yet.")
    return _job(job)
