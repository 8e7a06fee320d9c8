"""Every write of the feedback app: keyword-only, typed, one transaction, stable error codes,
audited in the same transaction.

Public writes (a survey answer, a suggestion) have no staff actor: they are audited as the
public page that took them, and they are reached only through a signed token (links.py).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, NotFound, ServiceError
from liuke.core.phone import normalise_mobile
from liuke.core.text import clean_text
from liuke.customers.models import Customer
from liuke.engagement import services as engagement
from liuke.engagement.choices import MessageKind, MessageStatus, TaskKind
from liuke.engagement.models import Message
from liuke.feedback import links
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import (
    DETRACTOR_RECOMMEND_MAX,
    DETRACTOR_SATISFACTION_MAX,
    ConversationKind,
    SuggestionStatus,
)
from liuke.feedback.errors import FeedbackErrorCode
from liuke.feedback.models import (
    Conversation,
    ConversationParticipant,
    Improvement,
    Suggestion,
    SuggestionBox,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)
from liuke.feedback.schemas import MAX_LINKS, MAX_PARTICIPANTS, SETTING_FLAGS, SETTING_LIMITS

#: How soon the customer's owner must call back an unhappy customer (sooner when they asked).
DETRACTOR_CALLBACK = dt.timedelta(hours=24)
CONTACT_CALLBACK = dt.timedelta(hours=4)

#: (field, lowest, highest, the settings flag that asks it)
QUESTIONS: tuple[tuple[str, int, int, str], ...] = (
    ("satisfaction", 1, 5, "ask_satisfaction"),
    ("recommend", 0, 10, "ask_recommend"),
    ("ease", 1, 5, "ask_ease"),
    ("staff_rating", 1, 5, "ask_staff"),
)


def _text(value: Any, field: str, limit: int, *, multiline: bool = True) -> str:
    try:
        return clean_text(
            value if isinstance(value, str) else str(value or ""),
            max_length=limit,
            field=field,
            multiline=multiline,
        )
    except ValidationError as exc:
        raise ServiceError(
            exc.code or CoreErrorCode.INVALID_TEXT, exc.messages[0], fields={field: exc.messages}
        ) from None


def _required(value: Any, field: str, limit: int, *, multiline: bool = True) -> str:
    text = _text(value, field, limit, multiline=multiline)
    if not text:
        message = _("This field is required.")
        raise ServiceError(CoreErrorCode.REQUIRED, message, fields={field: [message]})
    return text


def _id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def _public(business_id: int, page: str) -> Any:
    """The 'actor' of an audit entry written by a public page."""
    return SimpleNamespace(business_id=business_id, pk=None, username=f"public:{page}")


def _branch(actor: User, branch_id: Any) -> Branch:
    pk = _id(branch_id)
    branch = (
        policy.scope_branches(actor, Branch.objects.all()).filter(pk=pk).first() if pk else None
    )
    if branch is None:
        message = _("Choose one of your branches.")
        raise ServiceError(
            FeedbackErrorCode.INVALID_BRANCH, message, fields={"branch_id": [message]}
        )
    return branch


# --- settings -----------------------------------------------------------------------------------


def survey_settings(business_id: int) -> SurveySettings:
    """The business's survey settings (the defaults, unsaved, when it has none)."""
    found = SurveySettings.objects.filter(business_id=business_id).first()
    return found or SurveySettings(business_id=business_id)


@transaction.atomic
def settings_save(*, actor: User, data: dict[str, Any]) -> SurveySettings:
    """Change which questions a survey asks, when it is sent and how often one customer may
    be asked. At least one question stays on."""
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    row = survey_settings(policy.business_of(actor))
    for flag in SETTING_FLAGS:
        if flag in data:
            setattr(row, flag, bool(data[flag]))
    for field, (low, high) in SETTING_LIMITS.items():
        if field not in data:
            continue
        value = data[field]
        if isinstance(value, bool) or not isinstance(value, int | str):
            value = None
        try:
            number = int(value) if value is not None else None
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            message = _("Enter a whole number from %(low)d to %(high)d.") % {
                "low": low,
                "high": high,
            }
            raise ServiceError(FeedbackErrorCode.INVALID_NUMBER, message, fields={field: [message]})
        setattr(row, field, number)
    if not any(getattr(row, f) for f in SETTING_FLAGS[1:]):
        message = _("Keep at least one question.")
        raise ServiceError(
            FeedbackErrorCode.NO_QUESTION, message, fields={"ask_satisfaction": [message]}
        )
    row.save()
    audit_record(actor=actor, action=Action.SETTINGS, fields=["survey_settings"])
    return row


# --- survey answers (public) --------------------------------------------------------------------


def survey_open(signed: str, *, now: dt.datetime | None = None) -> SurveyInvitation | None:
    """The invitation behind a public link, if the link is ours, unanswered and not expired;
    None otherwise (one answer for every kind of bad link: nothing to learn by probing)."""
    token = links.unsign_survey(signed)
    if token is None:
        return None
    return (
        SurveyInvitation.objects.select_related("customer", "branch", "staff")
        .filter(
            token=token,
            answered_at__isnull=True,
            expires_at__gt=now or timezone.now(),
            customer__merged_into__isnull=True,
            customer__anonymised_at__isnull=True,  # erased: her open links answer nothing
        )
        .first()
    )


def _score(data: dict[str, Any], field: str, low: int, high: int) -> int | None:
    value = data.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = None
    try:
        number = int(value) if isinstance(value, int | str) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high or str(value) != str(number):
        message = _("Choose a score from %(low)d to %(high)d.") % {"low": low, "high": high}
        raise ServiceError(FeedbackErrorCode.INVALID_SCORE, message, fields={field: [message]})
    return number


def _flag(value: Any) -> bool:
    return value is True or value in ("1", "on", "true", "yes")


@transaction.atomic
def survey_answer(
    *, signed: str, data: dict[str, Any], now: dt.datetime | None = None
) -> SurveyResponse:
    """Take a customer's answer through a public link: once, before it expires, only the
    questions the business asks. A detractor's answer is routed (route_detractor)."""
    now = now or timezone.now()
    invitation = survey_open(signed, now=now)
    if invitation is None:
        raise ServiceError(FeedbackErrorCode.LINK_INVALID, _("This link is not valid any more."))
    config = survey_settings(invitation.business_id)
    scores: dict[str, int | None] = {}
    for field, low, high, flag in QUESTIONS:
        asked = getattr(config, flag) and (field != "staff_rating" or invitation.staff_id)
        scores[field] = _score(data, field, low, high) if asked else None
    comment = _text(data.get("comment", ""), "comment", 2000) if config.ask_comment else ""
    if all(v is None for v in scores.values()) and not comment:
        message = _("Answer at least one question.")
        raise ServiceError(FeedbackErrorCode.EMPTY_ANSWER, message)
    # Single use, decided by the database: only one request can move answered_at off NULL.
    taken = SurveyInvitation.objects.filter(
        pk=invitation.pk, answered_at__isnull=True, expires_at__gt=now
    ).update(answered_at=now, updated_at=now)
    if taken != 1:
        raise ServiceError(FeedbackErrorCode.LINK_INVALID, _("This link is not valid any more."))
    response = SurveyResponse.objects.create(
        invitation=invitation,
        business_id=invitation.business_id,
        branch_id=invitation.branch_id,
        customer_id=invitation.customer_id,
        visit_id=invitation.visit_id,
        staff_id=invitation.staff_id,
        comment=comment,
        wants_contact=_flag(data.get("wants_contact")),
        complaint_requested=_flag(data.get("complaint_requested")),
        answered_at=now,
        **scores,
    )
    route_detractor(response, now=now)
    audit_record(
        actor=_public(invitation.business_id, "survey"),
        action=Action.CREATE,
        customer_ids=[invitation.customer_id],
        fields=["survey_response"],
    )
    return response


def is_detractor(response: SurveyResponse) -> bool:
    """The issue's rule: would recommend 6 or less, or satisfaction 2 or less."""
    return (response.recommend is not None and response.recommend <= DETRACTOR_RECOMMEND_MAX) or (
        response.satisfaction is not None and response.satisfaction <= DETRACTOR_SATISFACTION_MAX
    )


def route_detractor(response: SurveyResponse, *, now: dt.datetime | None = None) -> None:
    """Close the loop on one answer (joins the caller's transaction); running it again changes
    nothing.

    A customer who asks for a complaint gets a complaint case (complaints app, channel
    "feedback", in their words, opened by the system actor `system:feedback`): its handler's
    first-response task is the callback. Otherwise a detractor, or a customer who asks to be
    contacted, gets a callback task for the customer's owner (the staff member who served when
    the customer has none), through the engagement app's tasks.
    """
    now = now or timezone.now()
    response.is_detractor = is_detractor(response)
    if response.complaint_requested:
        response.wants_contact = True
    parts = []
    if response.recommend is not None:
        parts.append(_("recommend %(n)d/10") % {"n": response.recommend})
    if response.satisfaction is not None:
        parts.append(_("satisfaction %(n)d/5") % {"n": response.satisfaction})
    if response.complaint_requested and response.complaint_id is None:
        from liuke.complaints import services as complaints

        said = _("Survey answer: %(what)s") % {"what": ", ".join(parts) or "—"}
        response.complaint = complaints.complaint_open(
            actor=complaints.system_actor(business_id=response.business_id, label="feedback"),
            customer_id=response.customer_id,
            channel="feedback",
            description=f"{response.comment}\n\n({said})" if response.comment else said,
            visit_id=response.visit_id,
            staff_id=response.staff_id,
            branch_id=response.branch_id,
        )
    elif not response.complaint_requested and (response.is_detractor or response.wants_contact):
        customer = Customer.objects.get(pk=response.customer_id)
        urgent = response.wants_contact
        if response.wants_contact:
            parts.append(_("asks to be contacted"))
        task = engagement.task_raise(
            customer=customer,
            kind=TaskKind.FEEDBACK,
            key=f"survey:{response.pk}",
            due_at=now + (CONTACT_CALLBACK if urgent else DETRACTOR_CALLBACK),
            assignee_id=customer.owner_id or response.staff_id,
            note=_("Survey answer: %(what)s") % {"what": ", ".join(parts)},
        )
        response.followup_task = task
    response.save(
        update_fields=[
            "is_detractor",
            "wants_contact",
            "complaint_requested",
            "followup_task",
            "complaint",
            "updated_at",
        ]
    )


# --- suggestion box -----------------------------------------------------------------------------


@transaction.atomic
def box_ensure(*, actor: User, branch_id: Any, renew: bool = False) -> SuggestionBox:
    """A branch's suggestion box (made with the business, or by the manager on the box page
    for a branch that has none); `renew` gives it a new token, so the old printed QR code
    stops working."""
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    branch = _branch(actor, branch_id)
    box, created = SuggestionBox.objects.get_or_create(
        branch=branch, defaults={"token": links.new_token()}
    )
    if renew and not created:
        box.token = links.new_token()
        box.save(update_fields=["token", "updated_at"])
    if created or renew:
        audit_record(actor=actor, action=Action.SETTINGS, fields=["suggestion_box"])
    return box


def boxes_provision(*, business_id: int) -> int:
    """A suggestion box for each branch of the business that has none (when the business is
    created; the box page only reads). Returns how many were made."""
    branches = Branch.objects.filter(business_id=business_id).exclude(
        Exists(SuggestionBox.objects.filter(branch_id=OuterRef("pk")))
    )
    made = SuggestionBox.objects.bulk_create(
        [SuggestionBox(branch=branch, token=links.new_token()) for branch in branches],
        ignore_conflicts=True,
    )
    return len(made)


def box_open(signed: str) -> SuggestionBox | None:
    token = links.unsign_box(signed)
    if token is None:
        return None
    return SuggestionBox.objects.select_related("branch").filter(token=token, is_open=True).first()


@transaction.atomic
def suggestion_submit(
    *, signed: str, body: Any, contact_name: Any = "", contact_phone: Any = ""
) -> Suggestion:
    """A suggestion left in a branch's box: anonymous, or with a name and a phone the person
    chose to give (the phone must be a valid mobile)."""
    box = box_open(signed)
    if box is None:
        raise ServiceError(FeedbackErrorCode.LINK_INVALID, _("This link is not valid any more."))
    text = _required(body, "body", 2000)
    name = _text(contact_name, "contact_name", 40, multiline=False)
    try:
        phone = normalise_mobile(_text(contact_phone, "contact_phone", 20, multiline=False))
    except ValidationError as exc:
        raise ServiceError(
            CoreErrorCode.INVALID_PHONE, exc.messages[0], fields={"contact_phone": exc.messages}
        ) from None
    suggestion = Suggestion.objects.create(
        business_id=box.branch.business_id,
        branch=box.branch,
        body=text,
        contact_name=name,
        contact_phone=phone,
    )
    audit_record(
        actor=_public(box.branch.business_id, "suggestion_box"),
        action=Action.CREATE,
        fields=["suggestion"],
    )
    return suggestion


@transaction.atomic
def suggestion_handle(
    *, actor: User, suggestion_id: Any, status: str, note: Any = ""
) -> Suggestion:
    """A manager read a suggestion: no change, or acted on (with a note of what)."""
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    if status not in (SuggestionStatus.REVIEWED, SuggestionStatus.ACTED):
        message = _("Choose one of the listed values.")
        raise ServiceError(FeedbackErrorCode.INVALID_STATUS, message, fields={"status": [message]})
    pk = _id(suggestion_id)
    branches = policy.scope_branches(actor, Branch.objects.all())
    suggestion = (
        Suggestion.objects.select_for_update().filter(pk=pk, branch__in=branches).first()
        if pk
        else None
    )
    if suggestion is None:
        raise NotFound()
    suggestion.status = status
    suggestion.note = _text(note, "note", 500)
    suggestion.handled_by = actor
    suggestion.handled_at = timezone.now()
    suggestion.save(update_fields=["status", "note", "handled_by", "handled_at", "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, fields=["suggestion"])
    return suggestion


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
        Improvement.objects.select_for_update()
        .filter(pk=pk, business_id=policy.business_of(actor))
        .first()
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
