"""Reads of the stored figures, through the access policy and audited like every customer read.

Money figures need `sales.view` (the same as the profile's sales section); the business-wide
lists and the fitted parameters need `analytics.view`.
"""

from __future__ import annotations

import dataclasses

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.accounts.policy import Cap
from liuke.analytics.models import CustomerFigures, ModelRun
from liuke.audit.choices import Action
from liuke.audit.services import audit_record
from liuke.core.errors import PermissionDenied
from liuke.customers import selectors as customer_selectors
from liuke.customers.models import Customer

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
    if not (policy.can(actor, Cap.SALES_VIEW) or policy.can(actor, Cap.ANALYTICS_VIEW)):
        return None
    return (
        ModelRun.objects.filter(business_id=policy.business_of(actor))
        .order_by("-computed_at")
        .first()
    )


def customer_figures(*, actor: User, customer: Customer) -> Figures | None:
    """For the profile (the profile view is audited already): None when the actor may not see
    sales figures or the customer."""
    if not policy.can(actor, Cap.SALES_VIEW) or not policy.customer_visible(actor, customer):
        return None
    figures = CustomerFigures.objects.filter(customer=customer).select_related("run").first()
    run = figures.run if figures and figures.run else latest_run(actor=actor)
    return Figures(customer=customer, figures=figures, run=run)


def figures_get(*, actor: User, customer_id: int) -> Figures:
    """One customer's figures (API): scoped and audited as a read of the customer."""
    if not policy.can(actor, Cap.SALES_VIEW):
        raise PermissionDenied()
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
    if not policy.can(actor, Cap.ANALYTICS_VIEW):
        raise PermissionDenied()
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
