"""Feedback over HTTP, under /api/v1/feedback/: results, answers, suggestions, conversations,
"you said, we did" notices and the survey settings. Staff only (the public pages are HTML
forms with CSRF and a rate limit: views_public.py). Errors in the shared shape with stable
codes (invalid_score, link_invalid, invalid_branch, no_participants, …)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from liuke.accounts.http import api_actor
from liuke.core.api import ERRORS, READ_ERRORS
from liuke.core.errors import ServiceError
from liuke.feedback import figures, selectors, services
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.errors import FeedbackErrorCode
from liuke.feedback.models import Conversation, Improvement, Suggestion, SurveyResponse
from liuke.feedback.schemas import (
    ConversationIn,
    FeedbackResultsQuery,
    Id,
    ImprovementIn,
    ResponsesQuery,
    SuggestionHandleIn,
    SurveySettingsIn,
)

router = Router(tags=["feedback"])


_EARLIEST, _LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _dates(**days: dt.date | None) -> None:
    """Days a salon can mean (2000–2100): anything else is a 400 with a stable code."""
    for field, day in days.items():
        if day is not None and not _EARLIEST <= day <= _LATEST:
            message = "Enter a date between 2000 and 2100."
            raise ServiceError(FeedbackErrorCode.INVALID_DATE, message, fields={field: [message]})


# --- results ------------------------------------------------------------------------------------


class FeedbackResultRow(Schema):
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


class FeedbackResultsOut(Schema):
    group_by: str
    invited: int
    answered: int
    response_rate: float | None
    rows: list[FeedbackResultRow]


@router.get(
    "/results",
    response={200: FeedbackResultsOut, **ERRORS},
    summary="Satisfaction and NPS by branch, staff member, service or month; response rate",
)
def results(request: HttpRequest, q: Query[FeedbackResultsQuery]) -> dict[str, Any]:
    actor = api_actor(request)
    _dates(since=q.since, until=q.until)
    rows = figures.results(
        actor=actor, group_by=q.group_by, since=q.since, until=q.until, branch_id=q.branch
    )
    rate = figures.response_rate(actor=actor, since=q.since, until=q.until, branch_id=q.branch)
    return {
        "group_by": q.group_by,
        "invited": rate.invited,
        "answered": rate.answered,
        "response_rate": rate.rate,
        "rows": [r.__dict__ for r in rows],
    }


class FeedbackManagerRow(Schema):
    staff_id: int
    name: str
    conversations: int
    suggestions_handled: int
    improvements: int
    unhappy_called_back: int
    gathered: int
    acted: int


@router.get(
    "/managers",
    response={200: list[FeedbackManagerRow], **ERRORS},
    summary="How much feedback each staff member gathers and acts on",
)
def managers(
    request: HttpRequest, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    _dates(since=since, until=until)
    rows = figures.manager_activity(actor=api_actor(request), since=since, until=until)
    return [{**r.__dict__, "gathered": r.gathered, "acted": r.acted} for r in rows]


# --- answers ------------------------------------------------------------------------------------


class SurveyResponseOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    branch_id: int
    visit_id: int
    staff_id: int | None
    satisfaction: int | None
    recommend: int | None
    ease: int | None
    staff_rating: int | None
    comment: str
    wants_contact: bool
    complaint_requested: bool
    is_detractor: bool
    followup_task_id: int | None
    answered_at: dt.datetime


def _response_out(r: SurveyResponse) -> dict[str, Any]:
    return {
        "id": r.pk,
        "customer_id": r.customer_id,
        "customer_name": r.customer.name,
        "branch_id": r.branch_id,
        "visit_id": r.visit_id,
        "staff_id": r.staff_id,
        "satisfaction": r.satisfaction,
        "recommend": r.recommend,
        "ease": r.ease,
        "staff_rating": r.staff_rating,
        "comment": r.comment,
        "wants_contact": r.wants_contact,
        "complaint_requested": r.complaint_requested,
        "is_detractor": r.is_detractor,
        "followup_task_id": r.followup_task_id,
        "answered_at": r.answered_at,
    }


@router.get(
    "/responses",
    response={200: list[SurveyResponseOut], **READ_ERRORS},
    summary="Survey answers, newest first",
)
def response_list(request: HttpRequest, q: Query[ResponsesQuery]) -> list[dict[str, Any]]:
    rows = selectors.responses(
        actor=api_actor(request),
        branch_id=q.branch,
        detractors_only=q.detractors,
        customer_id=q.customer,
    )
    return [_response_out(r) for r in rows]


@router.get(
    "/responses/{response_id}",
    response={200: SurveyResponseOut, **READ_ERRORS},
    summary="One survey answer",
)
def response_get(request: HttpRequest, response_id: Id) -> dict[str, Any]:
    return _response_out(
        selectors.response_detail(actor=api_actor(request), response_id=response_id)
    )


# --- suggestions --------------------------------------------------------------------------------


class SuggestionOut(Schema):
    id: int
    branch_id: int
    body: str
    is_anonymous: bool
    contact_name: str
    contact_phone: str
    status: str
    note: str
    handled_by_id: int | None
    handled_at: dt.datetime | None
    created_at: dt.datetime


def _suggestion_out(s: Suggestion, manager: bool) -> dict[str, Any]:
    return {
        "id": s.pk,
        "branch_id": s.branch_id,
        "body": s.body,
        "is_anonymous": s.is_anonymous,
        # what someone chose to leave is for those who handle suggestions
        "contact_name": s.contact_name if manager else "",
        "contact_phone": s.contact_phone if manager else "",
        "status": s.status,
        "note": s.note,
        "handled_by_id": s.handled_by_id,
        "handled_at": s.handled_at,
        "created_at": s.created_at,
    }


@router.get(
    "/suggestions",
    response={200: list[SuggestionOut], **READ_ERRORS},
    summary="Suggestions from the boxes of your branches",
)
def suggestion_list(
    request: HttpRequest, status: Literal["new", "reviewed", "acted"] | None = None
) -> list[dict[str, Any]]:
    actor = api_actor(request)
    rows = selectors.suggestions(actor=actor, status=status)
    manager = selectors.sees_suggestion_contacts(actor)  # `suggestions` audited the read
    return [_suggestion_out(s, manager) for s in rows]


@router.post(
    "/suggestions/{suggestion_id}/handle",
    response={200: SuggestionOut, **ERRORS},
    summary="Mark a suggestion read or acted on",
)
def suggestion_handle(
    request: HttpRequest, suggestion_id: Id, payload: SuggestionHandleIn
) -> dict[str, Any]:
    actor = api_actor(request)
    s = services.suggestion_handle(
        actor=actor, suggestion_id=suggestion_id, status=payload.status, note=payload.note
    )
    return _suggestion_out(s, selectors.suggestion_contacts_read(actor, [s]))


# --- conversations ------------------------------------------------------------------------------


class ConversationOut(Schema):
    id: int
    branch_id: int
    kind: str
    held_on: dt.date
    topic: str
    notes: str
    recorded_by_id: int
    participant_ids: list[int]
    participant_count: int


def _conversation_out(c: Conversation) -> dict[str, Any]:
    visible = getattr(c, "visible_participants", None)
    ids = [p.pk for p in visible] if visible is not None else []
    return {
        "id": c.pk,
        "branch_id": c.branch_id,
        "kind": c.kind,
        "held_on": c.held_on,
        "topic": c.topic,
        "notes": c.notes,
        "recorded_by_id": c.recorded_by_id,
        "participant_ids": ids,
        "participant_count": getattr(c, "participant_count", len(ids)),
    }


@router.get(
    "/conversations",
    response={200: list[ConversationOut], **READ_ERRORS},
    summary="Focus groups and face-to-face conversations",
)
def conversation_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_conversation_out(c) for c in selectors.conversations(actor=api_actor(request))]


@router.post(
    "/conversations",
    response={201: ConversationOut, **ERRORS},
    summary="Record a conversation's notes against the customers who took part",
)
def conversation_create(request: HttpRequest, payload: ConversationIn) -> Status[Any]:
    c = services.conversation_record(actor=api_actor(request), **payload.dict())
    out = _conversation_out(c)
    out["participant_ids"] = sorted(set(payload.customer_ids))
    out["participant_count"] = len(out["participant_ids"])
    return Status(201, out)


# --- you said, we did ---------------------------------------------------------------------------


class ImprovementOut(Schema):
    id: int
    branch_id: int | None
    you_said: str
    we_did: str
    created_by_id: int
    responses: int
    suggestions: int
    notified_at: dt.datetime | None
    notified_count: int
    created_at: dt.datetime


def _improvement_out(i: Improvement) -> dict[str, Any]:
    return {
        "id": i.pk,
        "branch_id": i.branch_id,
        "you_said": i.you_said,
        "we_did": i.we_did,
        "created_by_id": i.created_by_id,
        "responses": getattr(i, "n_responses", None) or i.responses.count(),
        "suggestions": getattr(i, "n_suggestions", None) or i.suggestions.count(),
        "notified_at": i.notified_at,
        "notified_count": i.notified_count,
        "created_at": i.created_at,
    }


@router.get(
    "/improvements",
    response={200: list[ImprovementOut], **READ_ERRORS},
    summary='"You said, we did" notices',
)
def improvement_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_improvement_out(i) for i in selectors.improvements(actor=api_actor(request))]


@router.post(
    "/improvements",
    response={201: ImprovementOut, **ERRORS},
    summary='Record a "you said, we did" notice',
)
def improvement_create(request: HttpRequest, payload: ImprovementIn) -> Status[Any]:
    i = services.improvement_create(actor=api_actor(request), **payload.dict())
    return Status(201, _improvement_out(i))


class ImprovementNotifyOut(Schema):
    queued: int


@router.post(
    "/improvements/{improvement_id}/notify",
    response={200: ImprovementNotifyOut, **ERRORS},
    summary="Tell the customers who raised it (outbox, with consent)",
)
def improvement_notify(request: HttpRequest, improvement_id: Id) -> dict[str, Any]:
    return {
        "queued": services.improvement_notify(
            actor=api_actor(request), improvement_id=improvement_id
        )
    }


# --- settings -----------------------------------------------------------------------------------


class SurveySettingsIO(Schema):
    is_enabled: bool = True
    ask_satisfaction: bool = True
    ask_recommend: bool = True
    ask_ease: bool = True
    ask_staff: bool = True
    ask_comment: bool = True
    delay_hours: int = Field(2, ge=0, le=168)
    cooldown_days: int = Field(30, ge=0, le=365)
    valid_days: int = Field(14, ge=1, le=60)


def _settings_out(row: Any) -> dict[str, Any]:
    return {f: getattr(row, f) for f in SurveySettingsIO.model_fields}


@router.get("/settings", response={200: SurveySettingsIO, **READ_ERRORS}, summary="Survey settings")
def settings_get(request: HttpRequest) -> dict[str, Any]:
    from liuke.accounts import policy

    actor = api_actor(request)
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    return _settings_out(services.survey_settings(policy.business_of(actor)))


@router.put(
    "/settings", response={200: SurveySettingsIO, **ERRORS}, summary="Change the survey settings"
)
def settings_put(request: HttpRequest, payload: SurveySettingsIn) -> dict[str, Any]:
    row = services.settings_save(actor=api_actor(request), data=payload.dict())
    return _settings_out(row)
