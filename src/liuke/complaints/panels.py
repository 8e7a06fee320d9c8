"""The complaints panel of a customer's profile (declared in `contrib.py`, shown by the profile;
`complaints:customer_panel` serves it alone)."""

from __future__ import annotations

from liuke.accounts.http import StaffRequest
from liuke.complaints import selectors
from liuke.core.registry import PanelContent
from liuke.customers.profile import CustomerProfile


def complaints_panel(request: StaffRequest, profile: CustomerProfile) -> PanelContent:
    """Every complaint of the customer, newest first."""
    rows = selectors.complaint_list(
        actor=profile.actor,
        filters=selectors.ComplaintFilters(status="all", customer=profile.customer.pk),
    )
    return PanelContent("complaints/partials/customer_panel.html", {"rows": rows})
