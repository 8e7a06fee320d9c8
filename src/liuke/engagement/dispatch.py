"""Hand queued messages to their channels (the dispatch job, every few minutes)."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from liuke.engagement.channels import get_channel
from liuke.engagement.choices import MessageStatus
from liuke.engagement.models import Message, MessageTemplate
from liuke.engagement.rendering import render
from liuke.engagement.services.codes import hand_over_codes
from liuke.engagement.services.outbox import CONSENT_WITHDRAWN, withdrawn_consent_cancel

BATCH = 2000
#: One dispatch run hands over batches until the queue is empty or this many seconds passed
#: (the next run, five minutes later, goes on).
BUDGET_SECONDS = 120.0


def dispatch(*, batch: int = BATCH, budget_seconds: float = BUDGET_SECONDS) -> dict[str, int]:
    """Cancel marketing for customers who withdrew consent, then render and hand over queued
    messages, `batch` per transaction, until none is left or the time budget is spent. Safe to
    stop at any point: a message leaves QUEUED only in the transaction that hands it over.
    One-time codes (`services.codes`) go first: a customer is waiting for them."""
    codes = hand_over_codes()
    cancelled = withdrawn_consent_cancel()
    handed = 0
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        done = _hand_over(batch)
        handed += done
        if done < batch:
            break
    return {"cancelled": cancelled, "handed": handed, **codes}


def _hand_over(batch: int) -> int:
    handed = 0
    with transaction.atomic():
        messages = list(
            Message.objects.filter(status=MessageStatus.QUEUED)
            .select_related("customer", "branch")
            .order_by("id")[:batch]
        )
        templates = {
            (t.business_id, t.kind): t
            for t in MessageTemplate.objects.filter(
                business_id__in={m.business_id for m in messages}
            )
        }
        now = timezone.now()
        for message in messages:
            if message.is_marketing and not message.customer.marketing_consent:
                message.status, message.status_note = MessageStatus.CANCELLED, CONSENT_WITHDRAWN
            else:
                message.body = render(message, templates.get((message.business_id, message.kind)))
                message.status, message.status_note = get_channel(message.channel).send(message)
            message.updated_at = now
            handed += 1
        Message.objects.bulk_update(messages, ["body", "status", "status_note", "updated_at"])
    return handed
