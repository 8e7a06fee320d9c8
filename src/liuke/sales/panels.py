"""The sales panel of a customer's profile (declared in `contrib.py`, shown by the profile)."""

from __future__ import annotations

from liuke.accounts.http import StaffRequest
from liuke.core.registry import PanelContent
from liuke.customers.profile import CustomerProfile
from liuke.sales.views.profile import customer_sales_context


def sales_panel(request: StaffRequest, profile: CustomerProfile) -> PanelContent | None:
    """Spend, balances, packages and recent visits (money only for those who see it)."""
    context = customer_sales_context(request, profile)
    if not context["sales"] and not context["visits"]:
        return None
    return PanelContent("sales/partials/customer_sales.html", context)
