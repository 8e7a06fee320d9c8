"""Reads of the stored figures, through the access policy and audited like every customer read.

Money figures need `sales.view` (the same as the profile's sales section); the business-wide
lists and the fitted parameters need `analytics.view`.
"""

from __future__ import annotations

import dataclasses

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.analytics.capabilities import AnalyticsCap
from liuke.analytics.models import CustomerFigures, ModelRun
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.customers import selectors as customer_selectors
from liuke.customers.models import Customer
from liuke.customers.profile import CustomerProfile
from liuke.sales.capabilities import SalesCap

#: Orders a figures list may be sorted by (the API's `order`).
ORDERS = {
    "value": "-value_fen",
    "rule_value": "-rule_value_fen",
    "loyalty": "-loyalty",
    "alive": "probability_alive",
    "recent": "-last_visit_on",
}


@dataclasses.dataclass(frozen=True)
class Figures:
    """A customer's stored figures (None before the first refresh or without a visit) and the
    refresh they come from."""

    customer: Customer
    figures: CustomerFigures | None
    run: ModelRun | None


def latest_run(*, actor: User) -> ModelRun | None:
    if not (
        policy.can(actor, SalesCap.SALES_VIEW) or policy.can(actor, AnalyticsCap.ANALYTICS_VIEW)
    ):
        return None
    return (
        ModelRun.objects.filter(business_id=policy.business_of(actor))
        .order_by("-computed_at")
        .first()
    )


def customer_figures(*, actor: User, customer: Customer) -> Figures | None:
    """For the profile (the profile view is audited already): None when the actor may not see
    sales figures or the customer."""
    if not policy.customer_visible(actor, customer):
        return None
    return _figures(actor, customer)


def profile_figures(*, profile: CustomerProfile) -> Figures | None:
    """`customer_figures` of a profile fetched once: already scoped and decided, so the customer
    is neither read nor checked again."""
    return _figures(profile.actor, profile.customer)


def _figures(actor: User, customer: Customer) -> Figures | None:
    if not policy.can(actor, SalesCap.SALES_VIEW):
        return None
    figures = CustomerFigures.objects.filter(customer=customer).select_related("run").first()
    run = figures.run if figures and figures.run else latest_run(actor=actor)
    return Figures(customer=customer, figures=figures, run=run)


def figures_get(*, actor: User, customer_id: int) -> Figures:
    """One customer's figures (API): scoped and audited as a read of the customer."""
    policy.require(actor, SalesCap.SALES_VIEW)
    customer = customer_selectors.customer_get(
        actor=actor, customer_id=customer_id, purpose="figures"
    )
    found = customer_figures(actor=actor, customer=customer)
    assert found is not None  # visible: customer_get() found it
    return found


def figures_list(
    *,
    actor: User,
    segment: str | None = None,
    branch_id: int | None = None,
    order: str = "value",
    limit: int = 50,
) -> list[CustomerFigures]:
    """The figures of the customers the actor may see, best first by `order` (audited)."""
    policy.require(actor, AnalyticsCap.ANALYTICS_VIEW)
    rows = policy.scope_customers(
        actor, CustomerFigures.objects.select_related("customer", "customer__branch"), "customer"
    )
    if segment:
        rows = rows.filter(segment=segment)
    if branch_id:
        rows = rows.filter(branch_id=branch_id)
    found = list(rows.order_by(ORDERS.get(order, "-value_fen"), "customer_id")[:limit])
    if found:
        audit_record(
            actor=actor,
            action=Action.LIST,
            customer_ids=[f.customer_id for f in found],
            fields=["figures"],
        )
    return found


@dataclasses.dataclass(frozen=True)
class AtRisk:
    """A customer worth calling: likely slipping away, with what that would cost."""

    figures: CustomerFigures
    value_lost_fen: int  # (1 − probability active) × 20 × the customer's yearly sales rate


#: Segments whose customers belong on the call list.
AT_RISK_SEGMENTS = ("at_risk", "cant_lose", "about_to_sleep", "hibernating")


def at_risk_list(*, actor: User, branch_id: int | None = None, limit: int = 50) -> list[AtRisk]:
    """Repeat customers in a slipping segment, the most value lost first (audited as a list).

    Value lost: 20 × the customer's sales per year of tenure (the rule of thumb applied to the
    customer's own rate, not to a last year in which a lapsed customer bought nothing), times
    the probability that the customer is no longer active (1 − P(alive); where the model is not
    trusted, days since the last visit / 365, at most 1). Computed by the refresh
    (`aggregates.worth.value_lost`, stored as `value_lost_fen`), so the list is an index walk.
    """
    policy.require(actor, AnalyticsCap.ANALYTICS_VIEW)
    rows = policy.scope_customers(
        actor,
        CustomerFigures.objects.select_related("customer", "customer__owner", "run"),
        "customer",
        for_search=True,  # walk the figures' value-lost index, check the scope on each row
    ).filter(business_id=policy.business_of(actor), value_lost_fen__gt=0)
    if branch_id:
        rows = rows.filter(branch_id=branch_id)
    found = [
        AtRisk(figures=f, value_lost_fen=f.value_lost_fen)
        for f in rows.order_by("-value_lost_fen", "customer_id")[:limit]
    ]
    if found:
        audit_record(
            actor=actor,
            action=Action.LIST,
            customer_ids=[a.figures.customer_id for a in found],
            fields=["at_risk"],
        )
    return found


@dataclasses.dataclass(frozen=True)
class GridCell:
    recency: int
    frequency: int
    customers: int
    value_fen: int  # model value where trusted, else the 20 × rule
    segment: str


def rfm_grid(*, actor: User, branch_id: int | None = None) -> list[GridCell]:
    """Customers and value per (recency, frequency) score: counts only, no personal data. Sums
    of the refresh's per-branch cells (`RfmCell`) over the actor's branches."""
    policy.require(actor, AnalyticsCap.ANALYTICS_VIEW)
    from django.db.models import Sum

    from liuke.accounts.models import Branch
    from liuke.analytics.models import RfmCell
    from liuke.analytics.rfm import GRID

    branches = policy.scope_branches(actor, Branch.objects.all())
    if branch_id:
        branches = branches.filter(pk=branch_id)
    cells = (
        RfmCell.objects.filter(branch__in=branches)
        .values("recency", "frequency")
        .annotate(n=Sum("customers"), value=Sum("worth_fen"))
        .order_by()
    )
    return [
        GridCell(
            recency=c["recency"],
            frequency=c["frequency"],
            customers=int(c["n"]),
            value_fen=int(c["value"] or 0),
            segment=GRID[(c["recency"], c["frequency"])],
        )
        for c in cells
    ]
