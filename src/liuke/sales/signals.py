"""Signals sales sends to the apps above it (which it may not import, .importlinter)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

#: Sent once a stored-value or package deduction is committed, so the engagement app can queue
#: the customer's consumption notice (消费提醒). Arguments: `customer_id`, `visit_id` (the
#: checkout's visit, or None for a card charged directly) and `card_entry_id` (the direct
#: charge's ledger entry, or None for a visit). Receivers must not raise: the money is written.
prepaid_deducted = Signal()


def prepaid_deducted_on_commit(
    *, customer_id: int, visit_id: int | None = None, card_entry_id: int | None = None
) -> None:
    """Send `prepaid_deducted` after the surrounding transaction commits (never for a checkout
    that rolls back, a replayed one creates nothing and so sends nothing)."""

    def send() -> None:
        kwargs: dict[str, Any] = {
            "customer_id": customer_id,
            "visit_id": visit_id,
            "card_entry_id": card_entry_id,
        }
        prepaid_deducted.send_robust(sender=None, **kwargs)

    transaction.on_commit(send)
