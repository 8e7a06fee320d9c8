"""Reads of the feedback app, scoped by the access policy and audited when they show
customers (answers and conversation notes name the customer).

`results` and `manager_activity` are aggregates over the branches the actor works in: no
customer is named in them. `customer_scores` is the per-customer rating the analytics app
reads; it takes a business id, not a user, and its caller scopes what it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, PermissionDenied
from liuke.customers import selectors as customer_selectors
from liuke.customers.selectors import CustomerFile
from liuke.engagement.choices import TaskKind, TaskStatus
from liuke.engagement.models import Task
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import PROMOTER_MIN, GroupBy, SuggestionStatus
from liuke.feedback.models import (
    Conversation,
    Improvement,
    Suggestion,
    SuggestionBox,
    SurveyInvitation,
    SurveyResponse,
)

LIST_LIMIT = 200


def _branches(actor: User, branch_id: int | None = None) -> QuerySet[Branch]:
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


# --- results ------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    key: str
    label: str
    answers: int
    satisfaction: float | None
    ease: float | None
    staff_rating: float | None
    recommend_answers: int
    promoters: int
    detractors: int
    nps: int | None
    unhappy: int


def _period(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    today = timezone.localdate()
    until = until or today
    since = since or until - dt.timedelta(days=365)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _nps(promoters: int, detractors: int, n: int) -> int | None:
    return round(100 * (promoters - detractors) / n) if n else None


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def results(
    *,
    actor: User,
    group_by: str = GroupBy.BRANCH,
    since: dt.date | None = None,
    until: dt.date | None = None,
    branch_id: int | None = None,
) -> list[ResultRow]:
    """Satisfaction and recommend (NPS) by branch, staff member, service or month, over the
    branches the actor works in."""
    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    start, end = _period(since, until)
    qs = SurveyResponse.objects.filter(
        business_id=policy.business_of(actor),
        branch__in=_branches(actor, branch_id),
        answered_at__gte=start,
        answered_at__lt=end,
    )
    keys: tuple[str, ...]
    if group_by == GroupBy.STAFF:
        keys = ("staff_id", "staff__display_name", "staff__username")
    elif group_by == GroupBy.SERVICE:
        keys = ("visit__lines__service_id", "visit__lines__service__name")
    elif group_by == GroupBy.MONTH:
        qs = qs.annotate(month=TruncMonth("answered_at", tzinfo=timezone.get_current_timezone()))
        keys = ("month",)
    else:
        keys = ("branch_id", "branch__name")
    rows = (
        qs.values(*keys)
        .annotate(
            n=Count("id", distinct=True),
            sat=Avg("satisfaction"),
            ease_avg=Avg("ease"),
            staff_avg=Avg("staff_rating"),
            rec_n=Count("id", filter=Q(recommend__isnull=False), distinct=True),
            pro=Count("id", filter=Q(recommend__gte=PROMOTER_MIN), distinct=True),
            det=Count("id", filter=Q(recommend__lte=6), distinct=True),
            unhappy=Count("id", filter=Q(is_detractor=True), distinct=True),
        )
        .order_by(*keys)
    )
    out = []
    for r in rows:
        if group_by == GroupBy.MONTH:
            month = r["month"]
            key = label = month.strftime("%Y-%m") if month else "—"
        elif group_by == GroupBy.STAFF:
            key = str(r["staff_id"] or "")
            label = r["staff__display_name"] or r["staff__username"] or "—"
        elif group_by == GroupBy.SERVICE:
            key = str(r["visit__lines__service_id"] or "")
            label = r["visit__lines__service__name"] or "—"
        else:
            key, label = str(r["branch_id"]), r["branch__name"]
        out.append(
            ResultRow(
                key=key,
                label=label,
                answers=r["n"],
                satisfaction=_round(r["sat"]),
                ease=_round(r["ease_avg"]),
                staff_rating=_round(r["staff_avg"]),
                recommend_answers=r["rec_n"],
                promoters=r["pro"],
                detractors=r["det"],
                nps=_nps(r["pro"], r["det"], r["rec_n"]),
                unhappy=r["unhappy"],
            )
        )
    return out


@dataclass
class ResponseRate:
    invited: int
    answered: int
    rate: float | None


def response_rate(
    *,
    actor: User,
    since: dt.date | None = None,
    until: dt.date | None = None,
    branch_id: int | None = None,
) -> ResponseRate:
    """Surveys sent (invitations written) in the period and how many were answered."""
    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    start, end = _period(since, until)
    figures = SurveyInvitation.objects.filter(
        business_id=policy.business_of(actor),
        branch__in=_branches(actor, branch_id),
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(invited=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    invited, answered = figures["invited"], figures["answered"]
    return ResponseRate(
        invited=invited,
        answered=answered,
        rate=round(answered / invited, 3) if invited else None,
    )


@dataclass
class ManagerRow:
    staff_id: int
    name: str
    conversations: int
    suggestions_handled: int
    improvements: int
    unhappy_called_back: int

    @property
    def gathered(self) -> int:
        return self.conversations

    @property
    def acted(self) -> int:
        return self.suggestions_handled + self.improvements + self.unhappy_called_back


def manager_activity(
    *, actor: User, since: dt.date | None = None, until: dt.date | None = None
) -> list[ManagerRow]:
    """How much feedback each staff member gathers (conversations recorded) and acts on
    (suggestions handled, "you said, we did" notices, unhappy customers called back), for the
    staff of the actor's branches. The source text measures managers on this."""
    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    start, end = _period(since, until)
    branches = _branches(actor)
    staff = User.objects.filter(business_id=policy.business_of(actor), is_active=True)
    if policy.branch_ids(actor) is not None:
        staff = staff.filter(branches__in=branches).distinct()
    counts: dict[int, dict[str, int]] = {}

    def add(rows: Any, field: str) -> None:
        for staff_id, n in rows:
            if staff_id is not None:
                counts.setdefault(staff_id, {})[field] = n

    window = {"created_at__gte": start, "created_at__lt": end}
    add(
        Conversation.objects.filter(branch__in=branches, **window)
        .values_list("recorded_by_id")
        .annotate(n=Count("id")),
        "conversations",
    )
    add(
        Suggestion.objects.filter(
            branch__in=branches,
            handled_at__gte=start,
            handled_at__lt=end,
            status__in=[SuggestionStatus.REVIEWED, SuggestionStatus.ACTED],
        )
        .values_list("handled_by_id")
        .annotate(n=Count("id")),
        "suggestions_handled",
    )
    add(
        Improvement.objects.filter(business_id=policy.business_of(actor), **window)
        .filter(Q(branch__isnull=True) | Q(branch__in=branches))
        .values_list("created_by_id")
        .annotate(n=Count("id")),
        "improvements",
    )
    add(
        Task.objects.filter(
            branch__in=branches,
            kind=TaskKind.FEEDBACK,
            status=TaskStatus.DONE,
            done_at__gte=start,
            done_at__lt=end,
        )
        .values_list("done_by_id")
        .annotate(n=Count("id")),
        "unhappy_called_back",
    )
    out = []
    for user in staff.filter(pk__in=counts).order_by("display_name", "username"):
        c = counts[user.pk]
        out.append(
            ManagerRow(
                staff_id=user.pk,
                name=str(user),
                conversations=c.get("conversations", 0),
                suggestions_handled=c.get("suggestions_handled", 0),
                improvements=c.get("improvements", 0),
                unhappy_called_back=c.get("unhappy_called_back", 0),
            )
        )
    return out


# --- suggestions, conversations, notices --------------------------------------------------------


def suggestions(
    *, actor: User, status: str | None = None, limit: int = LIST_LIMIT
) -> list[Suggestion]:
    """Suggestions left in the boxes of the actor's branches. The name and phone someone chose
    to leave are shown to managers only (those who handle suggestions)."""
    policy.require(actor, FeedbackCap.FEEDBACK_VIEW)
    qs = Suggestion.objects.filter(branch__in=_branches(actor))
    if status in SuggestionStatus.values:
        qs = qs.filter(status=status)
    return list(
        qs.select_related("branch", "handled_by").order_by("-created_at", "-id")[
            : max(1, min(limit, LIST_LIMIT))
        ]
    )


def suggestion_box(*, actor: User, branch_id: int) -> tuple[Branch, SuggestionBox | None]:
    """One of the actor's branches and its suggestion box (None until one is made)."""
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    branch = _branches(actor, branch_id).first() if branch_id else None
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
        Conversation.objects.filter(branch__in=_branches(actor))
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
    branches = _branches(actor)
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
            mean_satisfaction=_round(r["sat"]),
            answers=r["n"],
        )
        for r in figures
    }
