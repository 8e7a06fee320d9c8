"""The value panel of a customer's profile (declared in `contrib.py`, shown by the profile)."""

from __future__ import annotations

from liuke.accounts.http import StaffRequest
from liuke.analytics.views import customer_figures_context
from liuke.core.registry import PanelContent
from liuke.customers.profile import CustomerProfile


def value_panel(request: StaffRequest, profile: CustomerProfile) -> PanelContent | None:
    """The customer's stored figures: value, activity, segment, loyalty."""
    context = customer_figures_context(request, profile)
    if not context:
        return None
    return PanelContent("analytics/partials/customer_figures.html", context)
