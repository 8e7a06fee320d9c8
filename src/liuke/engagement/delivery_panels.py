"""The messages panel of a customer's profile: each message's state, channel and reason
(declared in `contrib.py`; `engagement:customer_messages` serves it alone)."""

from __future__ import annotations

from liuke.accounts.http import StaffRequest
from liuke.accounts.models import User
from liuke.core.registry import PanelContent
from liuke.customers.models import Customer
from liuke.customers.profile import CustomerProfile
from liuke.engagement.models import Message
from liuke.engagement.selectors import _audit, _scoped


def customer_messages(*, actor: User, customer: Customer, limit: int = 10) -> list[Message]:
    """The customer's latest messages as `actor` may see them (a read of the file, audited)."""
    rows = list(
        _scoped(actor, Message.objects.filter(customer=customer))
        .select_related("customer")
        .order_by("-created_at", "-id")[:limit]
    )
    _audit(actor, rows, "messages")
    return rows


def messages_panel(request: StaffRequest, profile: CustomerProfile) -> PanelContent:
    return PanelContent(
        "engagement/partials/messages_panel.html",
        {"messages": customer_messages(actor=profile.actor, customer=profile.customer)},
    )
