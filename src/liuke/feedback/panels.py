"""The feedback panel of a customer's profile (declared in `contrib.py`, shown by the profile;
`feedback:customer_panel` serves it alone)."""

from __future__ import annotations

from liuke.accounts.http import StaffRequest
from liuke.core.registry import PanelContent
from liuke.customers.profile import CustomerProfile
from liuke.feedback import selectors


def feedback_panel(request: StaffRequest, profile: CustomerProfile) -> PanelContent:
    """The customer's survey answers and conversations."""
    found = selectors.file_feedback(actor=profile.actor, file=profile.file)
    return PanelContent("feedback/partials/customer_panel.html", {"feedback": found})
