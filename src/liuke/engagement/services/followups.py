"""Follow-ups (done, moved) and the contact reasons a business keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.accounts.selectors import senior_for
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.choices import FollowUpOutcome, FollowUpStatus, Outcome, TaskKind
from liuke.engagement.errors import EngagementErrorCode
from liuke.engagement.models import BranchReminderSettings, ContactReason, FollowUp, Task
from liuke.engagement.services.common import CALLBACK_AFTER, _choice, _text
from liuke.engagement.services.contacts import _open_row, task_raise
from liuke.sales.models import Visit

# --- follow-ups ---------------------------------------------------------------------------------


def _open_followup(actor: User, followup_id: Any) -> FollowUp:
    closed = ServiceError(EngagementErrorCode.FOLLOWUP_CLOSED, _("This follow-up is already done."))
    followup: FollowUp = _open_row(actor, FollowUp, followup_id, closed)
    return followup


@transaction.atomic
def followup_complete(
    *, actor: User, followup_id: Any, outcome: str, note: str = "", raise_callback: bool = True
) -> FollowUp:
    """Close a follow-up with its outcome and a note (the note is required when the customer
    has an issue: someone must be able to act on it).

    Nothing is closed silently. "No answer" tries again, as the branch's reminder settings say
    (how many times, how many days later): the follow-up stays open and moves; only the last
    unanswered call closes it. "Has an issue" opens a callback for a senior person, with what
    was said (`raise_callback=False`: the caller opens a complaint case instead, whose handler's
    task is the callback)."""
    followup = _open_followup(actor, followup_id)
    followup.outcome = _choice(
        outcome, FollowUpOutcome, EngagementErrorCode.INVALID_OUTCOME, "outcome"
    )
    note = _text(note, "note", 500)
    if followup.outcome == FollowUpOutcome.ISSUE and not note:
        message = _("Say what the issue is.")
        raise ServiceError(EngagementErrorCode.NOTE_REQUIRED, message, fields={"note": [message]})
    now = timezone.now()
    today = timezone.localdate(now)
    if followup.outcome == FollowUpOutcome.NO_ANSWER and _try_again(followup, note, today):
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            customer_ids=[followup.customer_id],
            fields=["followup"],
        )
        return followup
    followup.note = note
    followup.status = FollowUpStatus.DONE
    followup.done_at = now
    followup.done_on = today
    followup.done_by = actor
    followup.save()
    if followup.outcome == FollowUpOutcome.ISSUE and raise_callback:
        _issue_callback(followup, now)
    audit_record(
        actor=actor, action=Action.UPDATE, customer_ids=[followup.customer_id], fields=["followup"]
    )
    return followup


def _try_again(followup: FollowUp, note: str, today: dt.date) -> bool:
    """Move an unanswered follow-up to its next try, if the branch's settings leave one; it
    stays open, without an outcome (the database's rule: only a done follow-up has one)."""
    settings = BranchReminderSettings.for_branch(followup.branch_id)
    if followup.attempts >= settings.no_answer_retries:
        return False
    followup.attempts += 1
    followup.outcome = ""
    followup.due_on = today + dt.timedelta(days=settings.no_answer_retry_days)
    followup.note = note or followup.note
    followup.save(update_fields=["attempts", "outcome", "due_on", "note", "updated_at"])
    return True


def _issue_callback(followup: FollowUp, now: dt.datetime) -> Task:
    """A callback for a senior person of the branch (never the staff member who served the
    visit: the problem may be theirs), due as soon as any callback, with what was said."""
    served_by = Visit.objects.filter(pk=followup.visit_id).values_list("served_by_id", flat=True)
    senior = senior_for(
        business_id=followup.business_id,
        branch_id=followup.branch_id,
        exclude_ids=(served_by.first(),),
    )
    return task_raise(
        customer=followup.customer,
        kind=TaskKind.FOLLOWUP_ISSUE,
        key=f"followup:{followup.pk}",
        due_at=now + CALLBACK_AFTER[Outcome.CALLBACK],
        assignee_id=senior.pk if senior is not None else None,
        note=_("%(purpose)s: %(note)s") % {"purpose": followup.rule.purpose, "note": followup.note},
    )


@transaction.atomic
def followup_reschedule(
    *, actor: User, followup_id: Any, due_on: dt.date, note: str = ""
) -> FollowUp:
    followup = _open_followup(actor, followup_id)
    today = timezone.localdate()
    if not isinstance(due_on, dt.date) or due_on < today or due_on > today + dt.timedelta(days=90):
        message = _("Choose a day from today to 90 days ahead.")
        raise ServiceError(EngagementErrorCode.INVALID_DUE, message, fields={"due_on": [message]})
    followup.due_on = due_on
    followup.note = _text(note, "note", 500) or followup.note
    followup.reschedules += 1
    followup.save(update_fields=["due_on", "note", "reschedules", "updated_at"])
    audit_record(
        actor=actor, action=Action.UPDATE, customer_ids=[followup.customer_id], fields=["followup"]
    )
    return followup


# --- reasons ------------------------------------------------------------------------------------


@transaction.atomic
def reason_save(
    *,
    actor: User,
    reason_id: int | None = None,
    code: str,
    name_zh: str,
    name_en: str = "",
    response_zh: str,
    response_en: str = "",
    position: int = 100,
    is_active: bool = True,
) -> ContactReason:
    """Add a contact reason or change one (managers)."""
    policy.require(actor, EngagementCap.REASON_MANAGE)
    business_id = policy.business_of(actor)
    if reason_id is not None:
        reason = ContactReason.objects.filter(pk=reason_id, business_id=business_id).first()
        if reason is None:
            raise NotFound()
    else:
        reason = ContactReason(business_id=business_id)
    errors: dict[str, list[str]] = {}
    code = _text(code, "code", 40).lower()
    if not code or not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        errors["code"] = [_("Letters, digits, - and _ only.")]
    elif (
        ContactReason.objects.filter(business_id=business_id, code=code)
        .exclude(pk=reason.pk)
        .exists()
    ):
        errors["code"] = [_("Another reason has this code.")]
    reason.code = code
    reason.name_zh = _text(name_zh, "name_zh", 60)
    reason.name_en = _text(name_en, "name_en", 80)
    reason.response_zh = _text(response_zh, "response_zh", 1000)
    reason.response_en = _text(response_en, "response_en", 1000)
    if not reason.name_zh:
        errors["name_zh"] = [_("This field is required.")]
    if not reason.response_zh:
        errors["response_zh"] = [_("This field is required.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ServiceError(EngagementErrorCode.INVALID_REASON_DATA, first, fields=errors)
    reason.position = max(0, min(int(position), 10000))
    reason.is_active = bool(is_active)
    reason.save()
    audit_record(actor=actor, action=Action.UPDATE, fields=["contact_reason"])
    return reason
