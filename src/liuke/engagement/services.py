"""Every write of the engagement app: keyword-only, typed, one transaction, stable error codes,
audited in the same transaction (the audit log's `fields` name what was written)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, ErrorCode, NotFound, ServiceError
from liuke.core.text import clean_text
from liuke.customers.models import Customer
from liuke.engagement import defaults
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.choices import (
    Channel,
    Direction,
    FollowUpOutcome,
    FollowUpStatus,
    MessageStatus,
    Outcome,
    TaskKind,
    TaskStatus,
)
from liuke.engagement.errors import EngagementErrorCode
from liuke.engagement.models import (
    BranchReminderSettings,
    Contact,
    ContactReason,
    FollowUp,
    FollowUpRule,
    Message,
    MessageTemplate,
    Task,
)

#: How soon an open contact must be called back, by outcome (a complaint first).
CALLBACK_AFTER = {
    Outcome.COMPLAINT: dt.timedelta(hours=1),
    Outcome.NO_ANSWER: dt.timedelta(hours=2),
    Outcome.CALLBACK: dt.timedelta(hours=4),
}
MAX_SECONDS = 24 * 3600


def _customer(actor: User, customer_id: Any) -> Customer:
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such customer.")) from None
    customer = policy.scope_customers(actor, Customer.objects.all()).filter(pk=pk).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def _text(value: Any, field: str, limit: int) -> str:
    """Clean typed text; a refusal becomes a ServiceError naming the field."""
    try:
        return clean_text(
            value if isinstance(value, str) else str(value or ""),
            max_length=limit,
            field=field,
            multiline=True,
        )
    except ValidationError as exc:
        raise ServiceError(
            exc.code or CoreErrorCode.INVALID_TEXT, exc.messages[0], fields={field: exc.messages}
        ) from None


def _choice(value: Any, choices: Any, code: ErrorCode, field: str) -> str:
    if value not in choices.values:
        message = _("Choose one of the listed values.")
        raise ServiceError(code, message, fields={field: [message]})
    return str(value)


def _moment(value: Any, field: str) -> dt.datetime | None:
    """An aware datetime between 2000 and 2100 (a naive one is read in the current time zone)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        message = _("Enter a date and time.")
        raise ServiceError(EngagementErrorCode.INVALID_DATETIME, message, fields={field: [message]})
    moment: dt.datetime = timezone.make_aware(value) if timezone.is_naive(value) else value
    if (
        not dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        <= moment
        <= dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    ):
        message = _("Enter a date between 2000 and 2100.")
        raise ServiceError(EngagementErrorCode.INVALID_DATETIME, message, fields={field: [message]})
    return moment


def _seconds(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SECONDS:
        message = _("A whole number of seconds, 0 to 86400.")
        raise ServiceError(EngagementErrorCode.INVALID_DURATION, message, fields={field: [message]})
    return value


# --- defaults -----------------------------------------------------------------------------------


def defaults_ensure(*, business_id: int) -> None:
    """Give a business the default reasons, follow-up rules and templates it lacks (idempotent:
    existing rows, edited by a manager or not, are left alone)."""
    defaults.write(business_id, django_apps.get_model)


# --- contacts and callback tasks ----------------------------------------------------------------


@transaction.atomic
def contact_log(
    *,
    actor: User,
    customer_id: Any,
    channel: str,
    direction: str,
    reason_id: Any,
    outcome: str,
    notes: str = "",
    occurred_at: dt.datetime | None = None,
    wait_seconds: int = 0,
    handle_seconds: int = 0,
    callback_due_at: dt.datetime | None = None,
) -> Contact:
    """Record a contact. An unresolved, unanswered or complaint contact opens a callback task
    for the actor, due at `callback_due_at` or soon (a complaint within the hour)."""
    policy.require(actor, EngagementCap.CONTACT_LOG)
    customer = _customer(actor, customer_id)
    now = timezone.now()
    occurred_at = _moment(occurred_at, "occurred_at")
    callback_due_at = _moment(callback_due_at, "callback_due_at")
    reason = None
    with contextlib.suppress(TypeError, ValueError):
        reason = ContactReason.objects.filter(
            pk=int(reason_id), business_id=customer.business_id, is_active=True
        ).first()
    if reason is None:
        message = _("Choose a reason for the contact.")
        raise ServiceError(
            EngagementErrorCode.INVALID_REASON, message, fields={"reason_id": [message]}
        )
    contact = Contact(
        business_id=customer.business_id,
        branch_id=customer.branch_id,
        customer=customer,
        channel=_choice(channel, Channel, EngagementErrorCode.INVALID_CHANNEL, "channel"),
        direction=_choice(direction, Direction, EngagementErrorCode.INVALID_DIRECTION, "direction"),
        reason=reason,
        outcome=_choice(outcome, Outcome, EngagementErrorCode.INVALID_OUTCOME, "outcome"),
        notes=_text(notes, "notes", 2000),
        staff=actor,
        occurred_at=occurred_at or now,
        wait_seconds=_seconds(wait_seconds, "wait_seconds"),
        handle_seconds=_seconds(handle_seconds, "handle_seconds"),
    )
    if contact.occurred_at > now + dt.timedelta(minutes=5):
        message = _("A contact cannot be in the future.")
        raise ServiceError(
            EngagementErrorCode.IN_FUTURE, message, fields={"occurred_at": [message]}
        )
    contact.save()
    if contact.outcome in CALLBACK_AFTER:
        due = callback_due_at or now + CALLBACK_AFTER[Outcome(contact.outcome)]
        if due < now - dt.timedelta(minutes=5):
            message = _("The callback cannot be due in the past.")
            raise ServiceError(
                EngagementErrorCode.DUE_IN_PAST, message, fields={"callback_due_at": [message]}
            )
        Task.objects.create(
            business_id=customer.business_id,
            branch_id=customer.branch_id,
            customer=customer,
            kind=TaskKind.CALLBACK,
            key=f"contact:{contact.pk}",
            contact=contact,
            assignee=actor,
            due_at=due,
        )
    audit_record(actor=actor, action=Action.CREATE, customer_ids=[customer.pk], fields=["contact"])
    return contact


def _open_row(actor: User, model: Any, row_id: Any, closed: ServiceError) -> Any:
    """A task or follow-up the actor may work on, locked for the change, still open."""
    policy.require(actor, EngagementCap.FOLLOWUP_WORK)
    try:
        pk = int(row_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    row = (
        policy.scope_customers(actor, model.objects.select_for_update(), prefix="customer")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise NotFound()
    if row.status != "open":
        raise closed
    return row


def _open_task(actor: User, task_id: Any) -> Task:
    closed = ServiceError(EngagementErrorCode.TASK_CLOSED, _("This task is already closed."))
    task: Task = _open_row(actor, Task, task_id, closed)
    return task


@transaction.atomic
def task_complete(*, actor: User, task_id: Any, note: str = "") -> Task:
    task = _open_task(actor, task_id)
    task.status = TaskStatus.DONE
    task.note = _text(note, "note", 500)
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["status", "note", "done_at", "done_by", "updated_at"])
    audit_record(
        actor=actor, action=Action.UPDATE, customer_ids=[task.customer_id], fields=["task"]
    )
    return task


def task_raise(
    *,
    customer: Customer,
    kind: str,
    key: str,
    due_at: dt.datetime,
    assignee_id: int | None = None,
    note: str = "",
) -> Task:
    """Open a task for a customer on behalf of the system (no acting staff member): a
    detractor's survey answer, say. Idempotent on (customer, kind, key): raising the same
    occasion twice returns the task already open. Joins the caller's transaction; the caller
    writes the audit entry for what caused it."""
    task, _created = Task.objects.get_or_create(
        customer=customer,
        kind=_choice(kind, TaskKind, EngagementErrorCode.INVALID_KIND, "kind"),
        key=key[:40],
        defaults={
            "business_id": customer.business_id,
            "branch_id": customer.branch_id,
            "assignee_id": assignee_id,
            "due_at": due_at,
            "note": _text(note, "note", 500),
        },
    )
    return task


# --- follow-ups ---------------------------------------------------------------------------------


def _open_followup(actor: User, followup_id: Any) -> FollowUp:
    closed = ServiceError(EngagementErrorCode.FOLLOWUP_CLOSED, _("This follow-up is already done."))
    followup: FollowUp = _open_row(actor, FollowUp, followup_id, closed)
    return followup


@transaction.atomic
def followup_complete(*, actor: User, followup_id: Any, outcome: str, note: str = "") -> FollowUp:
    """Close a follow-up with its outcome and a note (the note is required when the customer
    has an issue: someone must be able to act on it)."""
    followup = _open_followup(actor, followup_id)
    followup.outcome = _choice(
        outcome, FollowUpOutcome, EngagementErrorCode.INVALID_OUTCOME, "outcome"
    )
    followup.note = _text(note, "note", 500)
    if followup.outcome == FollowUpOutcome.ISSUE and not followup.note:
        message = _("Say what the issue is.")
        raise ServiceError(EngagementErrorCode.NOTE_REQUIRED, message, fields={"note": [message]})
    now = timezone.now()
    followup.status = FollowUpStatus.DONE
    followup.done_at = now
    followup.done_on = timezone.localdate(now)
    followup.done_by = actor
    followup.save()
    audit_record(
        actor=actor, action=Action.UPDATE, customer_ids=[followup.customer_id], fields=["followup"]
    )
    return followup


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
        message = (
            policy.scope_customers(
                actor, Message.objects.select_for_update().select_related("customer"), "customer"
            )
            .filter(pk=pk)
            .first()
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
            message.status_note = "consent withdrawn"
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
        status=MessageStatus.CANCELLED, status_note="consent withdrawn", updated_at=timezone.now()
    )


# --- follow-up rules, templates, reminder settings (managers) ----------------------------------

PLACEHOLDERS = frozenset({"name", "first_name", "branch", "date", "detail", "link"})


@transaction.atomic
def rule_save(
    *,
    actor: User,
    rule_id: int | None = None,
    category: str = "",
    day: Any,
    purpose_zh: str,
    purpose_en: str = "",
    is_active: bool = True,
) -> FollowUpRule:
    """Add or change a follow-up rule: `day` days after a visit (with a service of `category`,
    or any visit when it is empty). Existing follow-ups keep their day."""
    from liuke.sales.choices import ServiceCategory

    policy.require(actor, EngagementCap.REASON_MANAGE)
    business_id = policy.business_of(actor)
    rule = (
        FollowUpRule.objects.filter(pk=rule_id, business_id=business_id).first()
        if rule_id is not None
        else FollowUpRule(business_id=business_id)
    )
    if rule is None:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if category and category not in ServiceCategory.values:
        errors["category"] = [_("Choose one of the listed values.")]
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 365:
        errors["day"] = [_("A whole number of days, 1 to 365.")]
    elif (
        FollowUpRule.objects.filter(business_id=business_id, category=category, day=day)
        .exclude(pk=rule.pk)
        .exists()
    ):
        errors["day"] = [_("There is already a rule for this day and category.")]
    rule.purpose_zh = _text(purpose_zh, "purpose_zh", 60)
    rule.purpose_en = _text(purpose_en, "purpose_en", 80)
    if not rule.purpose_zh:
        errors["purpose_zh"] = [_("This field is required.")]
    if errors:
        raise ServiceError(
            EngagementErrorCode.INVALID_RULE, next(iter(errors.values()))[0], fields=errors
        )
    rule.category = category
    rule.day = day
    rule.is_active = bool(is_active)
    rule.save()
    audit_record(actor=actor, action=Action.UPDATE, fields=["followup_rule"])
    return rule


def _placeholders_ok(body: str) -> bool:
    import string

    try:
        names = {f for _t, f, _s, _c in string.Formatter().parse(body) if f is not None}
    except ValueError:
        return False
    return names <= PLACEHOLDERS


@transaction.atomic
def template_save(*, actor: User, kind: str, body_zh: str, body_en: str = "") -> MessageTemplate:
    """Change a message template; only the known placeholders may be used. Messages still
    queued are rendered with the new text."""
    from liuke.engagement.choices import MessageKind

    policy.require(actor, EngagementCap.REASON_MANAGE)
    business_id = policy.business_of(actor)
    kind = _choice(kind, MessageKind, EngagementErrorCode.INVALID_KIND, "kind")
    errors: dict[str, list[str]] = {}
    texts = {"body_zh": _text(body_zh, "body_zh", 500), "body_en": _text(body_en, "body_en", 500)}
    if not texts["body_zh"]:
        errors["body_zh"] = [_("This field is required.")]
    for field, body in texts.items():
        if body and not _placeholders_ok(body):
            errors[field] = [
                _("Use only these placeholders: %(names)s.")
                % {"names": ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))}
            ]
    if errors:
        raise ServiceError(
            EngagementErrorCode.INVALID_TEMPLATE, next(iter(errors.values()))[0], fields=errors
        )
    template, _created = MessageTemplate.objects.update_or_create(
        business_id=business_id, kind=kind, defaults=texts
    )
    audit_record(actor=actor, action=Action.UPDATE, fields=["message_template"])
    return template


#: Field → (lowest, highest) of the reminder settings a manager may set.
SETTING_RANGES = {
    "birthday_days_ahead": (0, 60),
    "lapsed_margin_pct": (0, 300),
    "lapsed_default_days": (14, 730),
    "expiry_days_ahead": (1, 90),
    "rebooking_days_ahead": (0, 14),
}


@transaction.atomic
def reminder_settings_save(
    *, actor: User, branch_id: Any, values: dict[str, Any]
) -> BranchReminderSettings:
    policy.require(actor, EngagementCap.REASON_MANAGE)
    from liuke.accounts.models import Branch

    branch = policy.scope_branches(actor, Branch.objects.all()).filter(pk=branch_id).first()
    if branch is None:
        raise NotFound()
    settings, _created = BranchReminderSettings.objects.get_or_create(branch=branch)
    errors: dict[str, list[str]] = {}
    for field, (low, high) in SETTING_RANGES.items():
        value = values.get(field, getattr(settings, field))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[field] = [
                _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
            ]
        else:
            setattr(settings, field, value)
    if errors:
        raise ServiceError(
            EngagementErrorCode.INVALID_SETTINGS, next(iter(errors.values()))[0], fields=errors
        )
    settings.save()
    audit_record(actor=actor, action=Action.UPDATE, fields=["reminder_settings"])
    return settings
