"""The contacts-and-follow-ups panel of a customer's profile (declared in `contrib.py`, shown by
the profile; `engagement:customer_panel` serves it alone)."""

from __future__ import annotations

from liuke.accounts.http import StaffRequest
from liuke.core.registry import PanelContent
from liuke.customers.profile import CustomerProfile
from liuke.engagement import selectors


def contacts_panel(request: StaffRequest, profile: CustomerProfile) -> PanelContent:
    """The open follow-ups and tasks, and the last contacts."""
    actor, customer = profile.actor, profile.customer
    return PanelContent(
        "engagement/partials/customer_panel.html",
        {
            "open": selectors.customer_open_work(actor=actor, customer=customer),
            "rows": selectors.contacts(actor=actor, customer=customer, limit=5),
        },
    )
