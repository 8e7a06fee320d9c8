"""Reads of the feedback app, scoped by the access policy and audited when they show
customers (answers and conversation notes name the customer).

`results` and `manager_activity` are aggregates over the branches the actor works in: no
customer is named in them. `customer_scores` is the per-customer rating the analytics app
reads; it takes a business id, not a user, and its caller scopes what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.journal import id_fields
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, PermissionDenied
from liuke.customers import selectors as customer_selectors
from liuke.customers.selectors import CustomerFile
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import SuggestionStatus
from liuke.feedback.models import (
    Conversation,
    Improvement,
    Suggestion,
    SuggestionBox,
    SurveyResponse,
)

LIST_LIMIT = 200


def branches_in_scope(actor: User, branch_id: int | None = None) -> QuerySet[Branch]:
    qs = policy.scope_branches(actor, Branch.objects.all())
    return qs.filter(pk=branch_id) if branch_id else qs


def _audit(actor: User, customer_ids: set[int], what: str, action: str = Action.LIST) -> None:
    if customer_ids:
        audit_record(actor=actor, action=action, customer_ids=customer_ids, fields=[what])


# --- answers ------------------------------------------------------------------------------------


def _mine_to_read(actor: User, customer: Any, *, listed: bool) -> bool:
    """Whether the customer's own words (a survey comment) are for this actor: a key account's
    are for those who read its full file (in lists: its owner, managers and owners; a borrowed
    grant opens the single answer, as it opens the profile, not the lists)."""
    if not customer.is_key_account:
        return True
    if policy.always_reads_file(actor, customer):
        return True
    return not listed and customer_selectors.has_full_file(actor, customer)


def responses(
    *,
    actor: User,
    branch_id: int | None = None,
    detractors_only: bool = False,
    customer_id: int | None = None,
    limit: int = LIST_LIMIT,
) -> list[SurveyResponse]:
    """The latest answers the actor may see (customers in their scope), newest first."""
    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    qs = policy.scope_customers(actor, SurveyResponse.objects.all(), prefix="customer")
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if detractors_only:
        qs = qs.filter(is_detractor=True)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    rows = list(
        qs.select_related("customer", "branch", "staff", "followup_task").order_by(
            "-answered_at", "-id"
        )[: max(1, min(limit, LIST_LIMIT))]
    )
    for r in rows:
        if not _mine_to_read(actor, r.customer, listed=True):
            r.comment = ""  # in memory only: a key account's words stay with its file
    _audit(actor, {r.customer_id for r in rows}, "survey_responses")
    return rows


def response_detail(*, actor: User, response_id: int) -> SurveyResponse:
    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    row = (
        policy.scope_customers(actor, SurveyResponse.objects.all(), prefix="customer")
        .select_related("customer", "branch", "staff", "visit", "followup_task")
        .filter(pk=response_id)
        .first()
    )
    if row is None:
        raise NotFound()
    if not _mine_to_read(actor, row.customer, listed=False):
        row.comment = ""  # in memory only: a key account's words stay with its file
    _audit(actor, {row.customer_id}, "survey_response", Action.VIEW)
    return row


@dataclass(frozen=True)
class CustomerFeedback:
    """What one customer told us, for their profile: survey answers and the conversations they
    took part in, newest first."""

    responses: list[SurveyResponse]
    conversations: list[Conversation]


def customer_feedback(*, actor: User, customer_id: int, limit: int = 10) -> CustomerFeedback:
    """The profile's feedback section. The customer is read through the customer selectors
    (scope, key-account card; audited there): on a key account's card the customer's own words
    (comments, conversation notes) are left out."""
    from liuke.customers.selectors import customer_file

    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    file = customer_file(actor=actor, customer_id=customer_id, purpose="feedback")
    return file_feedback(actor=actor, file=file, limit=limit)


def file_feedback(*, actor: User, file: CustomerFile, limit: int = 10) -> CustomerFeedback:
    """`customer_feedback` of a file already fetched (the profile's panel)."""
    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    responses = list(
        SurveyResponse.objects.filter(customer_id=file.customer.pk)
        .select_related("branch", "staff", "complaint")
        .order_by("-answered_at", "-pk")[:limit]
    )
    conversations = list(
        Conversation.objects.filter(participants__customer_id=file.customer.pk)
        .select_related("branch")
        .order_by("-held_on", "-pk")[:limit]
    )
    if not file.full:
        for r in responses:
            r.comment = ""
        for c in conversations:
            c.notes = ""
    return CustomerFeedback(responses=responses, conversations=conversations)


# --- suggestions, conversations, notices --------------------------------------------------------


#: The audit event's field naming the suggestions whose contact details were shown.
SUGGESTION_CONTACTS = "suggestion_contacts:"


def suggestions(
    *, actor: User, status: str | None = None, limit: int = LIST_LIMIT
) -> list[Suggestion]:
    """Suggestions left in the boxes of the actor's branches. The name and phone someone chose
    to leave are shown to managers only (those who handle suggestions); showing them is
    audited (`suggestion_contacts_read`)."""
    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    qs = Suggestion.objects.filter(branch__in=branches_in_scope(actor))
    if status in SuggestionStatus.values:
        qs = qs.filter(status=status)
    rows = list(
        qs.select_related("branch", "handled_by").order_by("-created_at", "-id")[
            : max(1, min(limit, LIST_LIMIT))
        ]
    )
    suggestion_contacts_read(actor, rows)
    return rows


def sees_suggestion_contacts(actor: User) -> bool:
    """The name and phone someone chose to leave are for those who handle suggestions."""
    return policy.can(actor, FeedbackCap.FEEDBACK_MANAGE)


def suggestion_contacts_read(actor: User, rows: list[Suggestion]) -> bool:
    """Whether the actor is shown the contact details of these suggestions (those who handle
    suggestions are); when they are and any suggestion has some, the read is audited as a
    customer read is (the event names the suggestions: a suggestion is linked to no customer).
    Every output of suggestions (page, API) asks here before showing a name or a phone."""
    shown = sees_suggestion_contacts(actor)
    named = {s.pk for s in rows if not s.is_anonymous}
    if shown and named:
        audit_record(actor=actor, action=Action.LIST, fields=id_fields(SUGGESTION_CONTACTS, named))
    return shown


def suggestion_box(*, actor: User, branch_id: int) -> tuple[Branch, SuggestionBox | None]:
    """One of the actor's branches and its suggestion box (None until one is made)."""
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    branch = branches_in_scope(actor, branch_id).first() if branch_id else None
    if branch is None:
        raise NotFound()
    return branch, SuggestionBox.objects.filter(branch=branch).first()


def conversations(*, actor: User, limit: int = 100) -> list[Conversation]:
    """Conversations held in the actor's branches, each with the participants the actor may
    see (others are counted, not named)."""
    if not (
        policy.can(actor, FeedbackCap.FEEDBACK_VIEW)
        or policy.can(actor, FeedbackCap.FEEDBACK_RECORD)
    ):
        raise PermissionDenied()
    rows = list(
        Conversation.objects.filter(branch__in=branches_in_scope(actor))
        .select_related("branch", "recorded_by")
        .order_by("-held_on", "-id")[:limit]
    )
    from liuke.feedback.models import ConversationParticipant

    visible = list(
        policy.scope_customers(
            actor,
            ConversationParticipant.objects.filter(conversation__in=rows),
            prefix="customer",
        ).select_related("customer")
    )
    totals = dict(
        ConversationParticipant.objects.filter(conversation__in=rows)
        .values_list("conversation_id")
        .annotate(n=Count("id"))
    )
    by_conversation: dict[int, list[Any]] = {}
    for p in visible:
        by_conversation.setdefault(p.conversation_id, []).append(p.customer)
    for row in rows:
        row.visible_participants = by_conversation.get(row.pk, [])  # type: ignore[attr-defined]
        row.participant_count = totals.get(row.pk, 0)  # type: ignore[attr-defined]
    _audit(actor, {p.customer_id for p in visible}, "conversations")
    return rows


def improvements(*, actor: User, limit: int = 100) -> list[Improvement]:
    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    branches = branches_in_scope(actor)
    return list(
        Improvement.objects.filter(business_id=policy.business_of(actor))
        .filter(Q(branch__isnull=True) | Q(branch__in=branches))
        .select_related("branch", "created_by")
        .annotate(
            n_responses=Count("responses", distinct=True),
            n_suggestions=Count("suggestions", distinct=True),
        )
        .order_by("-created_at", "-id")[:limit]
    )


def rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


# --- for the analytics app ----------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerScore:
    customer_id: int
    latest_recommend: int | None
    mean_satisfaction: float | None
    answers: int


def customer_scores(
    business_id: int, customer_ids: list[int] | set[int] | None = None
) -> dict[int, CustomerScore]:
    """Per customer who answered: the latest "would recommend" (0–10; the latest answer that
    gave one), the mean satisfaction (1–5) and how many answers. Two aggregate queries, no
    loop over customers. The caller (analytics) scopes who may see the figures."""
    qs = SurveyResponse.objects.filter(business_id=business_id)
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=list(customer_ids))
    figures = qs.values("customer_id").annotate(n=Count("id"), sat=Avg("satisfaction"))
    later = SurveyResponse.objects.filter(
        customer_id=OuterRef("customer_id"), recommend__isnull=False
    ).filter(
        Q(answered_at__gt=OuterRef("answered_at"))
        | Q(answered_at=OuterRef("answered_at"), pk__gt=OuterRef("pk"))
    )
    latest = dict(
        qs.filter(recommend__isnull=False)
        .filter(~Exists(later))
        .values_list("customer_id", "recommend")
    )
    return {
        r["customer_id"]: CustomerScore(
            customer_id=r["customer_id"],
            latest_recommend=latest.get(r["customer_id"]),
            mean_satisfaction=rounded(r["sat"]),
            answers=r["n"],
        )
        for r in figures
    }
