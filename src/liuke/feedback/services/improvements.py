""" "You said, we did": an improvement made from feedback, and telling the customers who asked."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.models import Message
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import SuggestionStatus
from liuke.feedback.errors import FeedbackErrorCode
from liuke.feedback.models import Improvement, Suggestion, SurveyResponse
from liuke.feedback.schemas import MAX_LINKS
from liuke.feedback.services.common import _branch, _id, _required

# --- "you said, we did" -------------------------------------------------------------------------


@transaction.atomic
def improvement_create(
    *,
    actor: User,
    you_said: Any,
    we_did: Any,
    branch_id: Any = None,
    response_ids: list[Any] | tuple[Any, ...] = (),
    suggestion_ids: list[Any] | tuple[Any, ...] = (),
) -> Improvement:
    """Record what changed because of feedback, linked to the answers and suggestions that
    asked for it (those suggestions are marked acted on)."""
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    business_id = policy.business_of(actor)
    branch = _branch(actor, branch_id) if branch_id not in (None, "") else None
    r_ids = {i for i in (_id(x) for x in response_ids) if i}
    s_ids = {i for i in (_id(x) for x in suggestion_ids) if i}
    if len(r_ids) + len(s_ids) > MAX_LINKS:
        raise ServiceError(
            FeedbackErrorCode.TOO_MANY, _("Too many answers and suggestions for one notice.")
        )
    responses = list(
        policy.scope_customers(
            actor, SurveyResponse.objects.filter(pk__in=r_ids), prefix="customer"
        )
    )
    branches = policy.scope_branches(actor, Branch.objects.all())
    suggestions = list(Suggestion.objects.filter(pk__in=s_ids, branch__in=branches))
    if len(responses) != len(r_ids) or len(suggestions) != len(s_ids):
        raise NotFound()
    improvement = Improvement.objects.create(
        business_id=business_id,
        branch=branch,
        you_said=_required(you_said, "you_said", 300),
        we_did=_required(we_did, "we_did", 100, multiline=False),
        created_by=actor,
    )
    improvement.responses.set(responses)
    improvement.suggestions.set(suggestions)
    now = timezone.now()
    Suggestion.objects.filter(pk__in=s_ids).exclude(status=SuggestionStatus.ACTED).update(
        status=SuggestionStatus.ACTED, handled_by=actor, handled_at=now, updated_at=now
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        customer_ids={r.customer_id for r in responses},
        fields=["improvement"],
    )
    return improvement


@transaction.atomic
def improvement_notify(*, actor: User, improvement_id: Any) -> int:
    """Queue a "you said, we did" message to each customer whose answer the notice links, in
    the engagement outbox (marketing consent honoured there: withdrawn consent cancels it).
    Idempotent: a customer is told about one notice once. Returns the messages queued."""
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    pk = _id(improvement_id)
    improvement = (
        lock_one(Improvement.objects.filter(business_id=policy.business_of(actor)), pk)
        if pk
        else None
    )
    if improvement is None:
        raise NotFound()
    rows = policy.scope_customers(
        actor,
        SurveyResponse.objects.filter(improvements=improvement, customer__marketing_consent=True),
        prefix="customer",
    ).values_list("customer_id", "customer__branch_id")
    today = timezone.localdate()
    now = timezone.now()
    messages = [
        Message(
            business_id=improvement.business_id,
            branch_id=branch_id,
            customer_id=customer_id,
            kind=MessageKind.YOU_SAID,
            key=f"improvement:{improvement.pk}",
            is_marketing=True,
            occasion_on=today,
            detail=improvement.we_did[:100],
            status=MessageStatus.QUEUED,
        )
        for customer_id, branch_id in set(rows)
    ]
    key = f"improvement:{improvement.pk}"
    already = Message.objects.filter(kind=MessageKind.YOU_SAID, key=key).count()
    Message.objects.bulk_create(messages, ignore_conflicts=True)
    queued = Message.objects.filter(kind=MessageKind.YOU_SAID, key=key).count()
    improvement.notified_at = now
    improvement.notified_count = queued
    improvement.save(update_fields=["notified_at", "notified_count", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        customer_ids={m.customer_id for m in messages},
        fields=["improvement_notice"],
    )
    return queued - already
