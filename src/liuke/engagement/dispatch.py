"""Hand queued messages to their channels (the dispatch job, every few minutes).

Each queued message due now is judged by the rules (`delivery_rules`: erasure, consent,
opt-outs, quiet hours, the weekly cap), rendered, and routed to its business's channel
(`DeliverySettings.channel`): the outbox makes it READY for a person; a provider's channel
makes it SENDING, and the delivery workers (`delivery.deliver`, queued after commit) send it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from liuke.core.stored_text import stored_message
from liuke.engagement import delivery
from liuke.engagement.channels.config import OUTBOX
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.delivery_models import DeliverySettings
from liuke.engagement.delivery_rules import Rules
from liuke.engagement.models import Message, MessageTemplate
from liuke.engagement.rendering import render
from liuke.engagement.services.codes import hand_over_codes
from liuke.engagement.services.outbox import withdrawn_consent_cancel

BATCH = 2000
#: One dispatch run hands over batches until the queue is empty or this many seconds passed
#: (the next run, five minutes later, goes on).
BUDGET_SECONDS = 120.0
#: messages per delivery job
CHUNK = 200


def dispatch(
    *,
    batch: int = BATCH,
    budget_seconds: float = BUDGET_SECONDS,
    enqueue: Callable[[Sequence[int]], object] | None = None,
) -> dict[str, int]:
    """Cancel marketing for customers who withdrew consent, then judge, render and hand over
    queued messages, `batch` per transaction, until none is left or the time budget is spent;
    settle stalled attempts and queue delivery jobs for the messages waiting to be sent. Safe to
    stop at any point: a message leaves QUEUED only in the transaction that hands it over.
    One-time codes (`services.codes`) go first: someone is waiting for them."""
    codes = hand_over_codes()
    cancelled = withdrawn_consent_cancel()
    handed = 0
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        selected, done = _hand_over(batch)
        handed += done
        if selected < batch:
            break
    settled = delivery.stalled_settle()
    due = delivery.due_ids()
    send = enqueue or _enqueue
    for start in range(0, len(due), CHUNK):
        send(due[start : start + CHUNK])
    return {
        "cancelled": cancelled,
        "handed": handed,
        "queued_to_send": len(due),
        **settled,
        **codes,
    }


def _enqueue(ids: Sequence[int]) -> object:
    from liuke.engagement.tasks import engagement_deliver

    return engagement_deliver(list(ids))


def _hand_over(batch: int) -> tuple[int, int]:
    """Judge and hand over one batch; (messages looked at, messages that left QUEUED)."""
    now = timezone.now()
    with transaction.atomic():
        messages = list(
            Message.objects.filter(status=MessageStatus.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .select_related("customer", "branch")
            .order_by("id")[:batch]
        )
        businesses = {m.business_id for m in messages}
        templates = {
            (t.business_id, t.kind): t
            for t in MessageTemplate.objects.filter(business_id__in=businesses)
        }
        routes = {b: DeliverySettings.for_business(b).channel for b in businesses}
        rules = Rules(messages, now)
        for message in messages:
            channel = message.channel
            if channel == OUTBOX:
                channel = routes[message.business_id]
            verdict = rules.verdict(message, channel)
            message.updated_at = now
            if not message.reason:
                message.reason = reason_of(message.kind)
            if verdict.action == "wait":
                message.status_note, message.next_attempt_at = verdict.note, verdict.until
                continue
            if verdict.action != "go":
                message.status, message.status_note = verdict.action, verdict.note
                continue
            message.body = render(message, templates.get((message.business_id, message.kind)))
            message.channel, message.next_attempt_at = channel, None
            message.status = MessageStatus.READY if channel == OUTBOX else MessageStatus.SENDING
            message.status_note = ""
        Message.objects.bulk_update(
            messages,
            ["body", "status", "status_note", "updated_at", "channel", "reason", "next_attempt_at"],
            batch_size=500,
        )
    return len(messages), sum(1 for m in messages if m.status != MessageStatus.QUEUED)


#: why a message of each kind is sent (the kinds' own labels, so the catalogues have them);
#: stored so that it reads in the reader's language. A campaign stores its own reason.
REASONS = {
    MessageKind.BIRTHDAY: gettext_noop("Birthday greeting"),
    MessageKind.CARD_EXPIRY: gettext_noop("Stored-value card expiring"),
    MessageKind.PACKAGE_EXPIRY: gettext_noop("Package expiring"),
    MessageKind.REBOOKING: gettext_noop("Rebooking reminder"),
    MessageKind.WIN_BACK: gettext_noop("We miss you"),
    MessageKind.SURVEY: gettext_noop("Satisfaction survey"),
    MessageKind.YOU_SAID: gettext_noop("You said, we did"),
    MessageKind.CONSUMPTION: gettext_noop("Consumption notice"),
}


def reason_of(kind: str) -> str:
    return stored_message(REASONS[MessageKind(kind)]) if kind in REASONS else ""
