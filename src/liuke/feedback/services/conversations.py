"""Conversations with customers (interviews, panels) recorded by staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.customers.models import Customer
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import ConversationKind
from liuke.feedback.errors import FeedbackErrorCode
from liuke.feedback.models import Conversation, ConversationParticipant
from liuke.feedback.schemas import MAX_PARTICIPANTS
from liuke.feedback.services.common import _branch, _id, _required

# --- conversations ------------------------------------------------------------------------------


@transaction.atomic
def conversation_record(
    *,
    actor: User,
    branch_id: Any,
    kind: str,
    held_on: Any,
    topic: Any,
    notes: Any,
    customer_ids: list[Any],
) -> Conversation:
    """Notes of a focus group or a face-to-face conversation, against every customer who took
    part (each must be a customer the actor may see)."""
    policy.require(actor, FeedbackCap.FEEDBACK_RECORD)
    branch = _branch(actor, branch_id)
    if kind not in ConversationKind.values:
        message = _("Choose one of the listed values.")
        raise ServiceError(FeedbackErrorCode.INVALID_KIND, message, fields={"kind": [message]})
    if isinstance(held_on, str):
        try:
            held_on = dt.date.fromisoformat(held_on)
        except ValueError:
            held_on = None
    if not isinstance(held_on, dt.date) or not (
        dt.date(2000, 1, 1) <= held_on <= timezone.localdate() + dt.timedelta(days=1)
    ):
        message = _("Enter the day it took place (not in the future).")
        raise ServiceError(FeedbackErrorCode.INVALID_DATE, message, fields={"held_on": [message]})
    ids = {i for i in (_id(c) for c in customer_ids) if i}
    if not ids:
        message = _("Add at least one customer who took part.")
        raise ServiceError(
            FeedbackErrorCode.NO_PARTICIPANTS, message, fields={"customer_ids": [message]}
        )
    if len(ids) > MAX_PARTICIPANTS:
        message = _("At most %(n)d customers.") % {"n": MAX_PARTICIPANTS}
        raise ServiceError(FeedbackErrorCode.TOO_MANY, message, fields={"customer_ids": [message]})
    found = set(
        policy.scope_customers(actor, Customer.objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    if found != ids:
        raise NotFound(_("No such customer."))
    conversation = Conversation.objects.create(
        business_id=branch.business_id,
        branch=branch,
        kind=kind,
        held_on=held_on,
        topic=_required(topic, "topic", 200, multiline=False),
        notes=_required(notes, "notes", 4000),
        recorded_by=actor,
    )
    ConversationParticipant.objects.bulk_create(
        [ConversationParticipant(conversation=conversation, customer_id=i) for i in sorted(ids)]
    )
    audit_record(actor=actor, action=Action.CREATE, customer_ids=ids, fields=["conversation"])
    return conversation
