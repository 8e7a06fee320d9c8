"""Feedback figures: satisfaction and NPS by branch, staff, service and month, the response
rate, and how managers follow up unhappy answers (scoped by the policy; figures only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.engagement.choices import TaskKind, TaskStatus
from liuke.engagement.models import Task
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import PROMOTER_MIN, GroupBy, SuggestionStatus
from liuke.feedback.models import (
    Conversation,
    Improvement,
    Suggestion,
    SurveyInvitation,
    SurveyResponse,
)
from liuke.feedback.selectors import branches_in_scope, rounded


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
        branch__in=branches_in_scope(actor, branch_id),
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
                satisfaction=rounded(r["sat"]),
                ease=rounded(r["ease_avg"]),
                staff_rating=rounded(r["staff_avg"]),
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
        branch__in=branches_in_scope(actor, branch_id),
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
    branches = branches_in_scope(actor)
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
