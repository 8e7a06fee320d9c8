"""The outbox: a message marked sent, messages cancelled when consent is withdrawn."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one
from liuke.core.stored_text import stored_message
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.choices import MessageStatus
from liuke.engagement.errors import EngagementErrorCode
from liuke.engagement.models import Message

#: why a message was cancelled, read in the language of whoever opens the outbox
CONSENT_WITHDRAWN = stored_message(gettext_noop("consent withdrawn"))

# --- the outbox ---------------------------------------------------------------------------------


def message_mark_sent(*, actor: User, message_id: Any) -> Message:
    """A staff member sent an outbox message by hand (copied to WeChat or SMS). A marketing
    message for a customer who has withdrawn consent is cancelled instead (and that is kept)."""
    policy.require(actor, EngagementCap.OUTBOX_SEND)
    try:
        pk = int(message_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    with transaction.atomic():
        message = lock_one(
            policy.scope_customers(actor, Message.objects.select_related("customer"), "customer"),
            pk,
        )
        if message is None:
            raise NotFound()
        if message.status != MessageStatus.READY:
            raise ServiceError(
                EngagementErrorCode.MESSAGE_NOT_READY,
                _("Only a message in the outbox can be sent."),
            )
        withdrawn = message.is_marketing and not message.customer.marketing_consent
        if withdrawn:
            message.status = MessageStatus.CANCELLED
            message.status_note = CONSENT_WITHDRAWN
            message.save(update_fields=["status", "status_note", "updated_at"])
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.sent_by = actor
            message.save(update_fields=["status", "sent_at", "sent_by", "updated_at"])
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                customer_ids=[message.customer_id],
                fields=["message"],
            )
    if withdrawn:
        raise ServiceError(
            EngagementErrorCode.NO_MARKETING_CONSENT,
            _("The customer has withdrawn marketing consent; the message was cancelled."),
        )
    return message


def withdrawn_consent_cancel(*, business_id: int | None = None) -> int:
    """Cancel every marketing message still waiting for a customer without marketing consent
    (one UPDATE). Run by the dispatch job and the daily job, so a withdrawal stops what was
    queued before it."""
    qs = Message.objects.filter(
        is_marketing=True,
        status__in=[MessageStatus.QUEUED, MessageStatus.READY],
    ).filter(Q(customer__marketing_consent=False) | Q(customer__merged_into__isnull=False))
    if business_id is not None:
        qs = qs.filter(business_id=business_id)
    # One statement (Django turns the join into UPDATE … WHERE id IN (SELECT …)).
    return qs.update(
        status=MessageStatus.CANCELLED, status_note=CONSENT_WITHDRAWN, updated_at=timezone.now()
    )
