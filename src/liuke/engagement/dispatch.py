"""Hand queued messages to their channels (the dispatch job, every few minutes)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from liuke.engagement.channels import get_channel
from liuke.engagement.choices import MessageStatus
from liuke.engagement.models import Message, MessageTemplate
from liuke.engagement.rendering import render
from liuke.engagement.services import withdrawn_consent_cancel

BATCH = 2000


def dispatch(*, batch: int = BATCH) -> dict[str, int]:
    """Cancel marketing for customers who withdrew consent, then render and hand over up to
    `batch` queued messages. Safe to stop at any point: a message leaves QUEUED only in the
    transaction that hands it over."""
    cancelled = withdrawn_consent_cancel()
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
                message.status, message.status_note = MessageStatus.CANCELLED, "consent withdrawn"
            else:
                message.body = render(message, templates.get((message.business_id, message.kind)))
                message.status, message.status_note = get_channel(message.channel).send(message)
            message.updated_at = now
            handed += 1
        Message.objects.bulk_update(messages, ["body", "status", "status_note", "updated_at"])
    return {"cancelled": cancelled, "handed": handed}
