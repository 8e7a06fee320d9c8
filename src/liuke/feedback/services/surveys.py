"""Survey settings, a customer's answer on the public page, and routing an unhappy answer to a
callback (or a complaint)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.accounts.selectors import senior_for
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import ServiceError
from liuke.core.stored_text import Message, message, message_text, stored_message
from liuke.customers.models import Customer
from liuke.engagement import services as engagement
from liuke.engagement.choices import TaskKind
from liuke.feedback import links
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import DETRACTOR_RECOMMEND_MAX, DETRACTOR_SATISFACTION_MAX
from liuke.feedback.errors import FeedbackErrorCode
from liuke.feedback.models import SurveyInvitation, SurveyResponse, SurveySettings
from liuke.feedback.schemas import SETTING_FLAGS, SETTING_LIMITS
from liuke.feedback.services.common import _public, _text

#: How soon an unhappy customer must be called back (sooner when they asked).
DETRACTOR_CALLBACK = dt.timedelta(hours=24)
CONTACT_CALLBACK = dt.timedelta(hours=4)

#: (field, lowest, highest, the settings flag that asks it)
QUESTIONS: tuple[tuple[str, int, int, str], ...] = (
    ("satisfaction", 1, 5, "ask_satisfaction"),
    ("recommend", 0, 10, "ask_recommend"),
    ("ease", 1, 5, "ask_ease"),
    ("staff_rating", 1, 5, "ask_staff"),
)


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


def _callback_owner(response: SurveyResponse, customer: Customer) -> int | None:
    """Who calls an unhappy customer back. An answer about a visit names the staff member who
    served: it is feedback about them, so it goes to their manager (a senior person: the
    source texts have senior people handle complaints), never to the person named, even when
    they are the customer's responsible person. An answer that names nobody goes to the
    customer's responsible person, else to a senior person of the branch."""
    if response.staff_id is None and customer.owner_id is not None:
        return customer.owner_id
    senior = senior_for(
        business_id=response.business_id,
        branch_id=response.branch_id,
        exclude_ids=(response.staff_id,),
    )
    return senior.pk if senior is not None else None


def route_detractor(response: SurveyResponse, *, now: dt.datetime | None = None) -> None:
    """Close the loop on one answer (joins the caller's transaction); running it again changes
    nothing.

    A customer who asks for a complaint gets a complaint case (complaints app, channel
    "feedback", in their words, opened by the system actor `system:feedback`): its handler's
    first-response task is the callback. Otherwise a detractor, or a customer who asks to be
    contacted, gets a callback task through the engagement app's tasks: for the manager of the
    staff member who served (never for them: `_callback_owner`), or the customer's responsible
    person when the answer names nobody.
    """
    now = now or timezone.now()
    response.is_detractor = is_detractor(response)
    if response.complaint_requested:
        response.wants_contact = True
    # the parts of what was said, as messages: the task's note reads in its reader's language
    said_parts: list[Message] = []
    if response.recommend is not None:
        said_parts.append(message(gettext_noop("recommend %(n)d/10"), n=response.recommend))
    if response.satisfaction is not None:
        said_parts.append(message(gettext_noop("satisfaction %(n)d/5"), n=response.satisfaction))
    parts = [message_text(part) for part in said_parts]
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
            said_parts.append(message(gettext_noop("asks to be contacted")))
        task = engagement.task_raise(
            customer=customer,
            kind=TaskKind.FEEDBACK,
            key=f"survey:{response.pk}",
            due_at=now + (CONTACT_CALLBACK if urgent else DETRACTOR_CALLBACK),
            assignee_id=_callback_owner(response, customer),
            note=stored_message(gettext_noop("Survey answer: %(what)s"), what=said_parts),
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
