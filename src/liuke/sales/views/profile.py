"""The customer profile's sales section (`sales.panels.sales_panel` renders it)."""

from __future__ import annotations

from typing import Any

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest
from liuke.customers.profile import CustomerProfile
from liuke.sales import selectors
from liuke.sales.capabilities import SalesCap
from liuke.sales.forms import (
    CardIssueForm,
    PackageSellForm,
    TopupForm,
)
from liuke.sales.views.common import (
    bonus_rules,
    staff_branches,
    tier_choices,
)
from liuke.sales.views.packages import sell_form_choices


def customer_sales_context(request: StaffRequest, profile: CustomerProfile) -> dict[str, Any]:
    """What the profile's "Sales" panel needs (`sales.panels.sales_panel`)."""
    actor, customer = request.user, profile.customer
    summary = selectors.profile_sales_summary(profile=profile)
    context: dict[str, Any] = {
        "sales": summary,
        "visits": selectors.customer_visits(actor=actor, customer=customer, limit=10),
    }
    if summary is None:
        return context
    branches = staff_branches(actor)
    branch = next((b for b in branches if b.pk == customer.branch_id), None)
    branch = branch or (branches[0] if branches else None)
    initial_branch = {"branch_id": branch.pk if branch else None}
    branch_choices = [(b.pk, b.name) for b in branches]
    if policy.can(actor, SalesCap.CARD_MANAGE):
        issue = CardIssueForm(initial=initial_branch, auto_id="issue_%s")
        issue.fields["tier_id"].choices = tier_choices(actor, blank="—")  # type: ignore[attr-defined]
        issue.fields["branch_id"].choices = branch_choices  # type: ignore[attr-defined]
        context["card_issue_form"] = issue
        context["topup_form"] = TopupForm(auto_id="topup_%s")
        context["bonus_rules"] = bonus_rules(actor)
    if policy.can(actor, SalesCap.PACKAGE_SELL):
        sell = PackageSellForm(initial=initial_branch, auto_id="sell_%s")
        sell_form_choices(sell, actor, branches)
        context["package_sell_form"] = sell
        context["may_override_price"] = policy.can(actor, SalesCap.PACKAGE_PRICE_OVERRIDE)
    return context
