"""Every write of the complaints app: keyword-only, typed, one transaction, stable error codes,
audited in the same transaction.

Automated paths (the feedback app routing a detractor, an import) have no person logged in:
they pass `system_actor(business_id=…, label="feedback")` as the actor. It is an in-memory
stand-in, never a row in the staff table: it acts for the whole business (every branch), holds
no password, session or token so nothing can reach it over HTTP, and the audit log records it
with no actor id and the label `system:<label>`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.accounts.policy import Cap
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.complaints import defaults
from liuke.complaints.capabilities import ComplaintCap
from liuke.complaints.choices import (
    SEVERITY_ORDER,
    ActionSide,
    Channel,
    ResolutionKind,
    ResolutionStatus,
    Severity,
    Status,
    Step,
)
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.complaints.models import (
    CompensationLimit,
    Complaint,
    ComplaintAction,
    ComplaintCause,
    ComplaintResolution,
    ComplaintSettings,
    ComplaintStep,
)
from liuke.complaints.selectors import settings_of
from liuke.core.errors import (
    CoreErrorCode,
    ErrorCode,
    KeyAccountRestricted,
    NotFound,
    ServiceError,
)
from liuke.core.money import validate_fen
from liuke.core.registry import Capability
from liuke.core.text import clean_text
from liuke.customers import selectors as customer_selectors
from liuke.customers.models import Customer
from liuke.engagement.choices import TaskKind, TaskStatus
from liuke.engagement.models import Task
from liuke.sales.capabilities import SalesCap

if TYPE_CHECKING:
    from liuke.sales.models import Visit, VisitLine


@dataclass(frozen=True)
class SystemActor:
    """The actor of an automated path (see the module docstring). Acts for every branch of
    one business with the owner's capabilities, and only in-process."""

    business_id: int
    label: str = "system"
    role: str = Role.OWNER
    is_authenticated: bool = True
    is_active: bool = True
    pk: None = None
    id: None = None

    @property
    def username(self) -> str:
        return f"system:{self.label}"

    def __str__(self) -> str:
        return self.username


def system_actor(*, business_id: int, label: str = "system") -> SystemActor:
    return SystemActor(
        business_id=int(business_id), label=clean_text(label, max_length=30, field="label")
    )


Actor = User | SystemActor


def _person(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _pk(value: Any) -> int:
    """An id from input; 0 (which matches no row) for anything that is not one."""
    if isinstance(value, bool):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**62 else 0


def _text(value: Any, field_name: str, limit: int) -> str:
    try:
        return clean_text(
            value if isinstance(value, str) else str(value or ""),
            max_length=limit,
            field=field_name,
            multiline=True,
        )
    except ValidationError as exc:
        raise ServiceError(
            exc.code or CoreErrorCode.INVALID_TEXT,
            exc.messages[0],
            fields={field_name: exc.messages},
        ) from None


def _invalid(code: ErrorCode, field_name: str, message: str) -> ServiceError:
    return ServiceError(code, message, fields={field_name: [message]})


def _choice(value: Any, choices: Any, code: ErrorCode, field_name: str) -> str:
    if value not in choices.values:
        raise _invalid(code, field_name, _("Choose one of the listed values."))
    return str(value)


# --- defaults, settings, limits --------------------------------------------------------------


def defaults_ensure(*, business_id: int) -> ComplaintSettings:
    """The default causes and settings for a business that lacks them (idempotent: rows a
    manager edited are left alone). Returns the settings."""
    defaults.write(business_id, django_apps.get_model)
    return ComplaintSettings.objects.get(business_id=business_id)


def targets(settings: ComplaintSettings, severity: str) -> tuple[dt.timedelta, dt.timedelta]:
    """(first response, resolution) allowed for a severity."""
    minutes = getattr(settings, f"response_{severity}_min")
    hours = getattr(settings, f"resolution_{severity}_h")
    return dt.timedelta(minutes=minutes), dt.timedelta(hours=hours)


def limit_for(business_id: int, role: str) -> int | None:
    """The compensation (fen) a role may give without approval; None: no limit."""
    row = CompensationLimit.objects.filter(business_id=business_id, role=role).first()
    if row is not None:
        return row.limit_fen
    return defaults.COMPENSATION_LIMITS.get(role, 0)


#: Settings field → (lowest, highest).
SETTING_RANGES: dict[str, tuple[int, int]] = {
    **{f"response_{s}_min": (5, 14 * 24 * 60) for s in Severity.values},
    **{f"resolution_{s}_h": (1, 90 * 24) for s in Severity.values},
    "warn_pct": (1, 100),
    "wom_first": (0, 1000),
    "wom_second": (0, 1000),
    "recovery_days": (7, 365),
}


@transaction.atomic
def settings_save(*, actor: Actor, values: dict[str, Any]) -> ComplaintSettings:
    """Change the targets, the escalation severity, the word-of-mouth factors and the recovery
    window (managers). Open complaints keep the targets they opened with."""
    policy.require(actor, ComplaintCap.COMPLAINT_MANAGE)
    settings = defaults_ensure(business_id=policy.business_of(actor))
    errors: dict[str, list[str]] = {}
    for name, (low, high) in SETTING_RANGES.items():
        value = values.get(name, getattr(settings, name))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = [
                _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
            ]
        else:
            setattr(settings, name, value)
    severity = values.get("escalate_severity", settings.escalate_severity)
    if severity not in Severity.values:
        errors["escalate_severity"] = [_("Choose one of the listed values.")]
    else:
        settings.escalate_severity = severity
    for s in Severity.values:
        if (
            "response_" + s + "_min" not in errors
            and "resolution_" + s + "_h" not in errors
            and getattr(settings, f"response_{s}_min") > getattr(settings, f"resolution_{s}_h") * 60
        ):
            errors[f"response_{s}_min"] = [
                _("The first response cannot be due after the resolution.")
            ]
    if errors:
        raise ServiceError(
            ComplaintsErrorCode.INVALID_SETTINGS, next(iter(errors.values()))[0], fields=errors
        )
    settings.save()
    audit_record(actor=actor, action=Action.SETTINGS, fields=["complaint_settings"])
    return settings


@transaction.atomic
def limit_save(*, actor: Actor, role: str, limit_fen: int | None) -> CompensationLimit:
    """Set the compensation a role may give without approval (None: no limit). Owners only: a
    manager who approves compensation above the others' limits must not set their own."""
    policy.require(actor, ComplaintCap.COMPLAINT_MANAGE)
    if not policy.can(actor, Cap.SETTINGS_MANAGE):
        raise _invalid(
            ComplaintsErrorCode.OWNER_ONLY,
            "limit_fen",
            _("Only the owner sets compensation limits."),
        )
    business_id = policy.business_of(actor)
    role = _choice(role, Role, ComplaintsErrorCode.INVALID_ROLE, "role")
    if role not in policy.roles_with(ComplaintCap.COMPLAINT_HANDLE):
        raise _invalid(
            ComplaintsErrorCode.INVALID_ROLE, "role", _("Auditors do not give compensation.")
        )
    if limit_fen is None:
        if not policy.may_lift_compensation_limit(actor):
            raise _invalid(
                CoreErrorCode.INVALID_AMOUNT, "limit_fen", _("Only the owner may remove a limit.")
            )
    else:
        limit_fen = validate_fen(limit_fen, field="limit_fen", allow_zero=True)
    row, _created = CompensationLimit.objects.update_or_create(
        business_id=business_id, role=role, defaults={"limit_fen": limit_fen}
    )
    audit_record(actor=actor, action=Action.SETTINGS, fields=[f"compensation_limit:{role}"])
    return row


@transaction.atomic
def cause_save(
    *,
    actor: Actor,
    cause_id: int | None = None,
    code: str,
    name_zh: str,
    name_en: str = "",
    position: int = 100,
    is_active: bool = True,
) -> ComplaintCause:
    """Add a cause to the taxonomy or change one (managers)."""
    policy.require(actor, ComplaintCap.COMPLAINT_MANAGE)
    business_id = policy.business_of(actor)
    defaults_ensure(business_id=business_id)
    if cause_id is not None:
        cause = ComplaintCause.objects.filter(pk=_pk(cause_id), business_id=business_id).first()
        if cause is None:
            raise NotFound()
    else:
        cause = ComplaintCause(business_id=business_id)
    errors: dict[str, list[str]] = {}
    code = _text(code, "code", 40).lower()
    if not code or not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        errors["code"] = [_("Letters, digits, - and _ only.")]
    elif (
        ComplaintCause.objects.filter(business_id=business_id, code=code)
        .exclude(pk=cause.pk)
        .exists()
    ):
        errors["code"] = [_("Another cause has this code.")]
    cause.code = code
    cause.name_zh = _text(name_zh, "name_zh", 60)
    cause.name_en = _text(name_en, "name_en", 80)
    if not cause.name_zh:
        errors["name_zh"] = [_("This field is required.")]
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 10000:
        errors["position"] = [
            _("A whole number from %(low)d to %(high)d.") % {"low": 0, "high": 10000}
        ]
    if errors:
        raise ServiceError(
            ComplaintsErrorCode.INVALID_CAUSE, next(iter(errors.values()))[0], fields=errors
        )
    cause.position = position
    cause.is_active = bool(is_active)
    cause.save()
    audit_record(actor=actor, action=Action.SETTINGS, fields=["complaint_cause"])
    return cause


# --- people ----------------------------------------------------------------------------------


def senior_for(*, business_id: int, branch_id: int, exclude_id: int | None = None) -> User | None:
    """Who a complaint is escalated to: a manager of the branch, else an owner (the source
    text: senior people handle complaints)."""
    staff = User.objects.filter(business_id=business_id, is_active=True).exclude(pk=exclude_id or 0)
    manager = staff.filter(role=Role.MANAGER, branches=branch_id).order_by("id").first()
    if manager is not None:
        return manager
    return staff.filter(role=Role.OWNER).order_by("id").first()


def _staff_member(actor: Actor, staff_id: Any, field_name: str) -> User | None:
    if staff_id in (None, ""):
        return None
    found = User.objects.filter(
        pk=_pk(staff_id), business_id=policy.business_of(actor), is_active=True
    ).first()
    if found is None:
        raise _invalid(
            ComplaintsErrorCode.INVALID_STAFF, field_name, _("Choose a member of staff.")
        )
    return found


# --- opening ---------------------------------------------------------------------------------


def _customer(actor: Actor, customer_id: Any) -> Customer:
    pk = _pk(customer_id)
    customer = (
        policy.scope_customers(actor, Customer.objects.all()).filter(pk=pk).first() if pk else None
    )
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def _cause(business_id: int, code: Any) -> ComplaintCause | None:
    if code in (None, ""):
        return None
    found = ComplaintCause.objects.filter(
        business_id=business_id, code=str(code), is_active=True
    ).first()
    if found is None:
        raise _invalid(
            ComplaintsErrorCode.INVALID_CAUSE, "cause_code", _("Choose a cause from the list.")
        )
    return found


def _severe(settings: ComplaintSettings, severity: str) -> bool:
    return SEVERITY_ORDER.index(Severity(severity)) >= SEVERITY_ORDER.index(
        Severity(settings.escalate_severity)
    )


def _set_targets(complaint: Complaint, settings: ComplaintSettings) -> None:
    """Due and warning moments from the opening time, the severity's targets and the time
    already spent waiting for the customer."""
    response, resolution = targets(settings, complaint.severity)
    start = complaint.opened_at + dt.timedelta(seconds=complaint.paused_seconds)
    complaint.response_due_at = start + response
    complaint.resolution_due_at = start + resolution
    complaint.response_warn_at = start + response * settings.warn_pct / 100
    complaint.resolution_warn_at = start + resolution * settings.warn_pct / 100


def _task_key(complaint: Complaint, suffix: str = "") -> str:
    return f"complaint:{complaint.pk}{':' + suffix if suffix else ''}"


def _task(
    complaint: Complaint, *, suffix: str, assignee: User | None, due_at: dt.datetime, note: str
) -> None:
    """A task on the engagement lists (callbacks and tasks) for this complaint; one per
    occasion (the task's unique key), so calling twice adds nothing."""
    Task.objects.get_or_create(
        customer_id=complaint.customer_id,
        kind=TaskKind.CALLBACK,
        key=_task_key(complaint, suffix),
        defaults={
            "business_id": complaint.business_id,
            "branch_id": complaint.branch_id,
            "assignee": assignee,
            "due_at": due_at,
            "note": note[:500],
        },
    )


def _tasks_done(complaint: Complaint, actor: Actor, *, only: str | None = None) -> None:
    keys = Q(key=_task_key(complaint)) | Q(key__startswith=_task_key(complaint) + ":")
    if only is not None:
        keys = Q(key=_task_key(complaint, only))
    Task.objects.filter(keys, customer_id=complaint.customer_id, status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE,
        done_at=timezone.now(),
        done_by=_person(actor),
        updated_at=timezone.now(),
    )


def _escalate(complaint: Complaint, reason: str, now: dt.datetime) -> None:
    senior = senior_for(
        business_id=complaint.business_id,
        branch_id=complaint.branch_id,
        exclude_id=complaint.handler_id if reason != "severity" else None,
    )
    complaint.escalated_at = now
    complaint.escalated_to = senior
    complaint.escalation_reason = reason
    _task(
        complaint,
        suffix="esc",
        assignee=senior,
        due_at=now,
        note=_("Complaint #%(id)s escalated to you") % {"id": complaint.pk},
    )


@transaction.atomic
def complaint_open(
    *,
    actor: Actor,
    customer_id: int,
    channel: str,
    description: str,
    severity: str | None = None,
    cause_code: str | None = None,
    visit_id: int | None = None,
    staff_id: int | None = None,
    branch_id: int | None = None,
) -> Complaint:
    """Open a complaint case in the customer's words. The targets come from the business's
    settings for the severity (medium when not given); a severity at or above the escalation
    severity goes to a senior person at once, who then handles it. The handler (the actor, or
    the senior person for an automated path) gets a task due at the first-response target."""
    policy.require(actor, ComplaintCap.COMPLAINT_HANDLE)
    customer = _customer(actor, customer_id)
    settings = settings_of(customer.business_id)
    now = timezone.now()
    description = _text(description, "description", 4000)
    if not description:
        raise _invalid(
            ComplaintsErrorCode.DESCRIPTION_REQUIRED,
            "description",
            _("Write down what the customer said."),
        )
    severity = _choice(
        severity or Severity.MEDIUM, Severity, ComplaintsErrorCode.INVALID_SEVERITY, "severity"
    )
    channel = _choice(channel, Channel, ComplaintsErrorCode.INVALID_CHANNEL, "channel")
    cause = _cause(customer.business_id, cause_code)
    branch = None
    if branch_id is not None:
        branch = (
            policy.scope_branches(actor, Branch.objects.all()).filter(pk=_pk(branch_id)).first()
        )
        if branch is None:
            raise _invalid(
                ComplaintsErrorCode.INVALID_BRANCH, "branch_id", _("Choose one of your branches.")
            )
    visit = None
    service_id = None
    if visit_id is not None:
        from liuke.sales.models import Visit

        visit = Visit.objects.filter(pk=_pk(visit_id), customer_id=customer.pk).first()
        if visit is None:
            raise _invalid(
                ComplaintsErrorCode.INVALID_VISIT,
                "visit_id",
                _("Choose one of the customer's visits."),
            )
        first = visit.lines.filter(service__isnull=False).order_by("id").first()
        service_id = first.service_id if first else None
        if branch is None:
            branch = visit.branch
    staff = _staff_member(actor, staff_id, "staff_id")
    if staff is None and visit is not None:
        staff = visit.served_by
    complaint = Complaint(
        business_id=customer.business_id,
        branch=branch or customer.branch,
        customer=customer,
        channel=channel,
        severity=severity,
        cause=cause,
        description=description,
        visit=visit,
        service_id=service_id,
        staff=staff,
        opened_by=_person(actor),
        opened_at=now,
    )
    _set_targets(complaint, settings)
    complaint.handler = _person(actor)
    if complaint.handler is not None and not customer_selectors.has_full_file(
        complaint.handler, customer
    ):
        # A key account someone else looks after: its responsible person handles the case (the
        # opener may take the complaint down, not read the file it becomes part of).
        complaint.handler = customer.owner
    complaint.save()
    if _severe(settings, severity):
        _escalate(complaint, "severity", now)
        complaint.handler = complaint.escalated_to or complaint.handler
    if complaint.handler is None:
        complaint.handler = senior_for(
            business_id=complaint.business_id, branch_id=complaint.branch_id
        )
    complaint.save()
    _task(
        complaint,
        suffix="",
        assignee=complaint.handler,
        due_at=complaint.response_due_at,
        note=_("Complaint #%(id)s: first response") % {"id": complaint.pk},
    )
    audit_record(
        actor=actor, action=Action.CREATE, customer_ids=[customer.pk], fields=["complaint"]
    )
    return complaint


# --- working on a case -----------------------------------------------------------------------


def _locked(
    actor: Actor, complaint_id: Any, *, cap: Capability = ComplaintCap.COMPLAINT_HANDLE
) -> Complaint:
    policy.require(actor, cap)
    pk = _pk(complaint_id)
    found = (
        policy.scope_customers(actor, Complaint.objects.select_for_update(), prefix="customer")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise NotFound(_("No such complaint."))
    if not customer_selectors.has_full_file(actor, found.customer):
        raise KeyAccountRestricted()  # a key account's complaint is part of its file
    return found


def _open_case(complaint: Complaint) -> None:
    if complaint.status == Status.CLOSED:
        raise ServiceError(ComplaintsErrorCode.COMPLAINT_CLOSED, _("This complaint is closed."))


def _resume(complaint: Complaint, now: dt.datetime) -> None:
    """End a wait for the customer: the targets not yet met move back by the time waited."""
    if complaint.paused_at is None:
        return
    waited = max(now - complaint.paused_at, dt.timedelta(0))
    complaint.paused_seconds += int(waited.total_seconds())
    if complaint.first_response_at is None:
        complaint.response_due_at += waited
        complaint.response_warn_at += waited
    if complaint.resolved_at is None:
        complaint.resolution_due_at += waited
        complaint.resolution_warn_at += waited
    complaint.paused_at = None
    if complaint.status == Status.WAITING:
        complaint.status = Status.OPEN


def _audit(actor: Actor, complaint: Complaint, what: str, reason: str = "") -> None:
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        customer_ids=[complaint.customer_id],
        fields=[f"complaint:{what}"],
        reason=reason,
    )


@transaction.atomic
def complaint_step_record(
    *,
    actor: Actor,
    complaint_id: Any,
    step: Any,
    note: str = "",
    restated_problem: str | None = None,
    confirmed: bool = False,
    summary: str | None = None,
) -> ComplaintStep:
    """Record one of steps 1–9 (step 10 closes the case: `complaint_close`). Recording a step
    again replaces its note. The first step recorded is the first response; a step recorded
    while waiting for the customer ends the wait.

    Step 6 needs the problem restated and the customer's confirmation; step 9 needs the
    summary and at least one agreed action."""
    complaint = _locked(actor, complaint_id)
    _open_case(complaint)
    if isinstance(step, bool) or step not in Step.values:
        raise _invalid(ComplaintsErrorCode.INVALID_STEP, "step", _("Choose one of the ten steps."))
    if step == Step.CLOSE:
        raise ServiceError(
            ComplaintsErrorCode.USE_CLOSE, _("Close the complaint to record the last step.")
        )
    now = timezone.now()
    note = _text(note, "note", 2000)
    if step == Step.RESTATE:
        text = _text(restated_problem or "", "restated_problem", 2000)
        if not text:
            raise _invalid(
                ComplaintsErrorCode.RESTATEMENT_REQUIRED,
                "restated_problem",
                _("Restate the problem in your words."),
            )
        if not confirmed:
            raise _invalid(
                ComplaintsErrorCode.RESTATEMENT_UNCONFIRMED,
                "confirmed",
                _("The customer must confirm the restated problem."),
            )
        complaint.restated_problem = text
        complaint.restatement_confirmed_at = now
    if step == Step.SUMMARISE:
        text = _text(summary or "", "summary", 2000)
        if not text:
            raise _invalid(
                ComplaintsErrorCode.SUMMARY_REQUIRED, "summary", _("Summarise the agreed actions.")
            )
        if not complaint.actions.exists():
            raise _invalid(
                ComplaintsErrorCode.ACTIONS_REQUIRED,
                "actions",
                _("Add the agreed actions (ours and theirs) first."),
            )
        complaint.summary = text
    _resume(complaint, now)
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        _tasks_done(complaint, actor, only="")
    row, created = ComplaintStep.objects.get_or_create(
        complaint=complaint,
        step=step,
        defaults={
            "customer_id": complaint.customer_id,
            "done_at": now,
            "done_by": _person(actor),
            "note": note,
        },
    )
    if not created:
        row.note = note or row.note
        row.done_by = _person(actor)
        row.done_at = now
        row.save(update_fields=["note", "done_by", "done_at", "updated_at"])
    complaint.save()
    _audit(actor, complaint, f"step{int(step)}")
    return row


@transaction.atomic
def complaint_wait(*, actor: Actor, complaint_id: Any, note: str = "") -> Complaint:
    """Waiting for the customer (to call back, to send a photo, to come in): the timers stop
    until the next step or `complaint_resume`."""
    complaint = _locked(actor, complaint_id)
    if complaint.status != Status.OPEN:
        raise ServiceError(
            ComplaintsErrorCode.NOT_OPEN, _("Only an open complaint can wait for the customer.")
        )
    complaint.status = Status.WAITING
    complaint.paused_at = timezone.now()
    complaint.save()
    _audit(actor, complaint, "wait", _text(note, "note", 500))
    return complaint


@transaction.atomic
def complaint_resume(*, actor: Actor, complaint_id: Any) -> Complaint:
    complaint = _locked(actor, complaint_id)
    if complaint.status != Status.WAITING:
        raise ServiceError(
            ComplaintsErrorCode.NOT_WAITING, _("This complaint is not waiting for the customer.")
        )
    _resume(complaint, timezone.now())
    complaint.save()
    _audit(actor, complaint, "resume")
    return complaint


@transaction.atomic
def complaint_update(
    *,
    actor: Actor,
    complaint_id: Any,
    severity: str | None = None,
    cause_code: str | None = None,
    handler_id: Any = None,
    staff_id: Any = None,
) -> Complaint:
    """Change the severity (the targets follow; a severe one escalates), the cause (often
    known only after the facts), the handler or the staff member concerned."""
    complaint = _locked(actor, complaint_id)
    _open_case(complaint)
    settings = settings_of(complaint.business_id)
    now = timezone.now()
    if cause_code not in (None, ""):
        complaint.cause = _cause(complaint.business_id, cause_code)
    if handler_id not in (None, ""):
        complaint.handler = _staff_member(actor, handler_id, "handler_id")
    if staff_id not in (None, ""):
        complaint.staff = _staff_member(actor, staff_id, "staff_id")
    if severity not in (None, "") and severity != complaint.severity:
        complaint.severity = _choice(
            severity, Severity, ComplaintsErrorCode.INVALID_SEVERITY, "severity"
        )
        # from the opening time and the waits that have ended (a wait in progress moves the
        # targets when it ends, as always)
        _set_targets(complaint, settings)
        if _severe(settings, complaint.severity) and complaint.escalated_at is None:
            _escalate(complaint, "severity", now)
    complaint.save()
    _audit(actor, complaint, "update")
    return complaint


# --- agreed actions --------------------------------------------------------------------------


@transaction.atomic
def action_add(
    *,
    actor: Actor,
    complaint_id: Any,
    side: str,
    text: str,
    owner_id: Any = None,
    due_on: dt.date | None = None,
) -> ComplaintAction:
    """An agreed action. Ours need an owner and a due day, and put a task on the owner's
    list (engagement's callbacks and tasks) due at the end of that day."""
    complaint = _locked(actor, complaint_id)
    _open_case(complaint)
    side = _choice(side, ActionSide, ComplaintsErrorCode.INVALID_SIDE, "side")
    text = _text(text, "text", 500)
    if not text:
        raise _invalid(ComplaintsErrorCode.TEXT_REQUIRED, "text", _("Say what will be done."))
    owner = _staff_member(actor, owner_id, "owner_id")
    today = timezone.localdate()
    if due_on is not None and (
        not isinstance(due_on, dt.date)
        or not today - dt.timedelta(days=1) <= due_on <= today + dt.timedelta(days=365)
    ):
        raise _invalid(
            ComplaintsErrorCode.INVALID_DUE, "due_on", _("Choose a day from today to a year ahead.")
        )
    if side == ActionSide.OURS and (owner is None or due_on is None):
        raise _invalid(
            ComplaintsErrorCode.OWNER_REQUIRED,
            "owner_id",
            _("Our actions need an owner and a due day."),
        )
    action = ComplaintAction.objects.create(
        complaint=complaint,
        customer_id=complaint.customer_id,
        side=side,
        text=text,
        owner=owner,
        due_on=due_on,
    )
    if side == ActionSide.OURS and owner is not None and due_on is not None:
        end = dt.datetime.combine(due_on, dt.time(20, 0), tzinfo=timezone.get_current_timezone())
        task = Task.objects.create(
            business_id=complaint.business_id,
            branch_id=complaint.branch_id,
            customer_id=complaint.customer_id,
            kind=TaskKind.CALLBACK,
            key=f"complaint-action:{action.pk}",
            assignee=owner,
            due_at=end,
            note=(_("Complaint #%(id)s: ") % {"id": complaint.pk} + text)[:500],
        )
        action.task = task
        action.save(update_fields=["task", "updated_at"])
    _audit(actor, complaint, "action")
    return action


@transaction.atomic
def action_done(*, actor: Actor, action_id: Any) -> ComplaintAction:
    policy.require(actor, ComplaintCap.COMPLAINT_HANDLE)
    pk = _pk(action_id)
    action = (
        policy.scope_customers(
            actor, ComplaintAction.objects.select_for_update(), prefix="customer"
        )
        .filter(pk=pk)
        .select_related("complaint")
        .first()
        if pk
        else None
    )
    if action is None:
        raise NotFound()
    if action.done_at is not None:
        raise ServiceError(ComplaintsErrorCode.ACTION_DONE, _("This action is already done."))
    now = timezone.now()
    action.done_at = now
    action.done_by = _person(actor)
    action.save(update_fields=["done_at", "done_by", "updated_at"])
    if action.task_id:
        Task.objects.filter(pk=action.task_id, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, done_at=now, done_by=_person(actor), updated_at=now
        )
    _audit(actor, action.complaint, "action_done")
    return action


# --- resolutions, compensation and approval --------------------------------------------------


def _refundable(visit: Visit, line: VisitLine | None) -> int:
    """The most a refund of this visit (or line) can give back: an upper bound for the limit."""
    if line is not None:
        return max(line.amount_fen - line.refunded_fen, 0)
    return max(visit.total_fen - sum(ln.refunded_fen for ln in visit.lines.all()), 0)


def _needs_approval(actor: Actor, kind: str, amount: int) -> bool:
    """Above the actor's limit, or money moves the actor may not make: a manager decides."""
    limit = limit_for(policy.business_of(actor), actor.role)
    if limit is not None and amount > limit:
        return True
    if kind == ResolutionKind.REFUND and not policy.can(actor, SalesCap.SALE_REFUND):
        return True
    if kind == ResolutionKind.EXCHANGE and not (
        policy.can(actor, SalesCap.SALE_REFUND) and policy.can(actor, SalesCap.SALE_CHECKOUT)
    ):
        return True
    return kind == ResolutionKind.CARD_BONUS and not policy.can(actor, SalesCap.CARD_MANAGE)


def _apply(actor: Actor, resolution: ComplaintResolution) -> None:
    """Move the money through the sales ledger (as `actor`) and mark the case resolved."""
    from liuke.sales import services as sales
    from liuke.sales.choices import RefundReason

    complaint = resolution.complaint
    note = _("Complaint #%(id)s") % {"id": complaint.pk}
    if resolution.kind == ResolutionKind.REFUND:
        refund = sales.visit_refund(
            actor=actor,  # type: ignore[arg-type]
            visit_id=resolution.visit_id,  # type: ignore[arg-type]
            line_id=resolution.line_id,
            reason=RefundReason.COMPLAINT,
            note=note,
        )
        resolution.refund = refund
        resolution.amount_fen = refund.amount_fen
    elif resolution.kind == ResolutionKind.EXCHANGE:
        refund, _new = sales.visit_exchange(
            actor=actor,  # type: ignore[arg-type]
            visit_id=resolution.visit_id,  # type: ignore[arg-type]
            line_id=resolution.line_id,  # type: ignore[arg-type]
            data={**resolution.exchange, "note": note},
        )
        resolution.refund = refund
    elif resolution.kind == ResolutionKind.CARD_BONUS:
        _card, entry = sales.card_bonus_grant(
            actor=actor,  # type: ignore[arg-type]
            card_id=resolution.card_id,  # type: ignore[arg-type]
            amount_fen=resolution.amount_fen,
            note=note,
        )
        resolution.card_entry = entry
    now = timezone.now()
    resolution.status = ResolutionStatus.APPLIED
    resolution.applied_at = now
    resolution.save()
    if complaint.resolved_at is None:
        complaint.resolved_at = now
    _resume(complaint, now)
    if complaint.status in (Status.OPEN, Status.WAITING):
        complaint.status = Status.RESOLVED
    complaint.save()


@transaction.atomic
def complaint_resolve(
    *,
    actor: Actor,
    complaint_id: Any,
    kind: str,
    amount_fen: int = 0,
    note: str = "",
    visit_id: Any = None,
    line_id: Any = None,
    card_id: Any = None,
    voucher_code: str = "",
    exchange: dict[str, Any] | None = None,
) -> ComplaintResolution:
    """Give the customer a resolution. A refund or exchange goes through the sales ledger
    (`visit_refund` with the reason `complaint`, `visit_exchange`), a card bonus through
    `card_bonus_grant`; a voucher and a redo are recorded with their value, an apology with
    none. Above the actor's compensation limit (or when the actor may not move that money) it
    waits for a manager's approval; otherwise it is applied now and the case is resolved."""
    from liuke.sales.models import StoredValueCard, Visit, VisitLine

    complaint = _locked(actor, complaint_id)
    if complaint.status == Status.CLOSED:
        raise ServiceError(ComplaintsErrorCode.COMPLAINT_CLOSED, _("This complaint is closed."))
    kind = _choice(kind, ResolutionKind, ComplaintsErrorCode.INVALID_KIND, "kind")
    resolution = ComplaintResolution(
        complaint=complaint,
        customer_id=complaint.customer_id,
        kind=kind,
        note=_text(note, "note", 500),
        requested_by=_person(actor),
    )
    if kind in (ResolutionKind.REFUND, ResolutionKind.EXCHANGE, ResolutionKind.REDO):
        vid = _pk(visit_id) if visit_id not in (None, "") else complaint.visit_id
        visit = (
            Visit.objects.filter(pk=vid, customer_id=complaint.customer_id).first() if vid else None
        )
        if visit is None and kind != ResolutionKind.REDO:
            raise _invalid(
                ComplaintsErrorCode.INVALID_VISIT,
                "visit_id",
                _("Choose one of the customer's visits."),
            )
        line = None
        if line_id not in (None, ""):
            line = VisitLine.objects.filter(pk=_pk(line_id), visit=visit).first()
            if line is None:
                raise _invalid(
                    ComplaintsErrorCode.INVALID_LINE, "line_id", _("Choose a line of this visit.")
                )
        if kind == ResolutionKind.EXCHANGE:
            if line is None:
                raise _invalid(
                    ComplaintsErrorCode.LINE_REQUIRED, "line_id", _("Choose the line to exchange.")
                )
            if not isinstance(exchange, dict) or not exchange.get("lines"):
                raise _invalid(
                    ComplaintsErrorCode.EXCHANGE_REQUIRED,
                    "exchange",
                    _("Say what the customer takes instead."),
                )
            resolution.exchange = {
                k: exchange[k] for k in ("lines", "payments", "staff_id") if k in exchange
            }
        resolution.visit = visit
        resolution.line = line
        if kind == ResolutionKind.REFUND and visit is not None:
            resolution.amount_fen = _refundable(visit, line)
            if resolution.amount_fen <= 0:
                raise ServiceError(
                    ComplaintsErrorCode.NOTHING_TO_REFUND, _("This has already been refunded.")
                )
        elif kind == ResolutionKind.REDO:
            resolution.amount_fen = validate_fen(amount_fen, field="amount_fen", allow_zero=True)
    elif kind == ResolutionKind.CARD_BONUS:
        card = (
            StoredValueCard.objects.filter(
                pk=_pk(card_id), customer_id=complaint.customer_id, status="active"
            ).first()
            if card_id not in (None, "")
            else None
        )
        if card is None:
            raise _invalid(
                ComplaintsErrorCode.INVALID_CARD,
                "card_id",
                _("Choose one of the customer's cards."),
            )
        resolution.card = card
        resolution.amount_fen = validate_fen(amount_fen, field="amount_fen")
    elif kind == ResolutionKind.VOUCHER:
        resolution.amount_fen = validate_fen(amount_fen, field="amount_fen")
        code = _text(voucher_code, "voucher_code", 40).upper()
        resolution.voucher_code = code or f"TS{complaint.pk}-{secrets.token_hex(3).upper()}"
    if kind == ResolutionKind.APOLOGY:
        resolution.amount_fen = 0
    # The limit is for the whole case: what it has given or awaits, with this one (several small
    # resolutions must not add up past it without a manager).
    given = (
        complaint.resolutions.filter(
            status__in=(ResolutionStatus.APPLIED, ResolutionStatus.PENDING)
        ).aggregate(total=Sum("amount_fen"))["total"]
        or 0
    )
    amount = given + resolution.amount_fen if resolution.amount_fen else 0  # an apology is free
    if _needs_approval(actor, kind, amount):
        resolution.status = ResolutionStatus.PENDING
        resolution.save()
        approver = senior_for(
            business_id=complaint.business_id,
            branch_id=complaint.branch_id,
            exclude_id=getattr(actor, "pk", None),
        )
        _task(
            complaint,
            suffix=f"approve{resolution.pk}",
            assignee=approver,
            due_at=timezone.now() + dt.timedelta(hours=4),
            note=_("Complaint #%(id)s: approve a compensation") % {"id": complaint.pk},
        )
        _audit(actor, complaint, f"resolution_request:{kind}")
        return resolution
    resolution.status = ResolutionStatus.APPLIED
    _apply(actor, resolution)
    _audit(actor, complaint, f"resolution:{kind}")
    return resolution


@transaction.atomic
def resolution_decide(
    *, actor: Actor, resolution_id: Any, approve: bool, note: str = ""
) -> ComplaintResolution:
    """A manager approves (the money moves now, as the manager) or refuses a compensation
    above the requester's limit. Not one's own request; not above one's own limit."""
    policy.require(actor, ComplaintCap.COMPLAINT_APPROVE)
    pk = _pk(resolution_id)
    resolution = (
        policy.scope_customers(
            actor, ComplaintResolution.objects.select_for_update(), prefix="customer"
        )
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if resolution is None:
        raise NotFound()
    if resolution.status != ResolutionStatus.PENDING:
        raise ServiceError(
            ComplaintsErrorCode.ALREADY_DECIDED, _("This request has already been decided.")
        )
    if resolution.requested_by_id is not None and resolution.requested_by_id == getattr(
        actor, "pk", None
    ):
        raise ServiceError(
            ComplaintsErrorCode.OWN_REQUEST, _("Someone else must approve your own request.")
        )
    limit = limit_for(policy.business_of(actor), actor.role)
    if approve and limit is not None and resolution.amount_fen > limit:
        raise ServiceError(
            ComplaintsErrorCode.ABOVE_YOUR_LIMIT,
            _("This is above your own limit: the owner decides."),
        )
    complaint = Complaint.objects.select_for_update().get(pk=resolution.complaint_id)
    if complaint.status == Status.CLOSED:
        raise ServiceError(ComplaintsErrorCode.COMPLAINT_CLOSED, _("This complaint is closed."))
    resolution.complaint = complaint
    resolution.decided_by = _person(actor)
    resolution.decided_at = timezone.now()
    resolution.decision_note = _text(note, "note", 500)
    if approve:
        _apply(actor, resolution)
    else:
        resolution.status = ResolutionStatus.REFUSED
        resolution.save()
    _tasks_done(complaint, actor, only=f"approve{resolution.pk}")
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        customer_ids=[complaint.customer_id],
        fields=[f"complaint:{'approve' if approve else 'refuse'}:{resolution.kind}"],
        reason=resolution.decision_note,
    )
    return resolution


# --- closing and afterwards ------------------------------------------------------------------


def close_blockers(complaint: Complaint) -> list[str]:
    """What still stops the case from closing (empty: it may close)."""
    missing = []
    if not complaint.restated_problem or complaint.restatement_confirmed_at is None:
        missing.append(_("the problem restated and confirmed by the customer (step 6)"))
    if not complaint.actions.exists():
        missing.append(_("the agreed actions"))
    if not complaint.summary:
        missing.append(_("the summary of the actions (step 9)"))
    if complaint.resolved_at is None:
        missing.append(_("a resolution (an apology counts)"))
    if complaint.resolutions.filter(status=ResolutionStatus.PENDING).exists():
        missing.append(_("a decision on the compensation waiting for approval"))
    return missing


@transaction.atomic
def complaint_close(*, actor: Actor, complaint_id: Any, note: str = "") -> Complaint:
    """Step 10, close warmly: the case closes. Refused (`cannot_close`, naming what is
    missing) without the restated and confirmed problem, the agreed actions, the summary and a
    resolution, or while a compensation waits for approval."""
    complaint = _locked(actor, complaint_id)
    _open_case(complaint)
    missing = close_blockers(complaint)
    if missing:
        raise ServiceError(
            ComplaintsErrorCode.CANNOT_CLOSE,
            _("The complaint cannot close yet. Missing: %(what)s.") % {"what": "; ".join(missing)},
            fields={"__all__": missing},
        )
    now = timezone.now()
    ComplaintStep.objects.update_or_create(
        complaint=complaint,
        step=Step.CLOSE,
        defaults={
            "customer_id": complaint.customer_id,
            "done_at": now,
            "done_by": _person(actor),
            "note": _text(note, "note", 2000),
        },
    )
    complaint.status = Status.CLOSED
    complaint.closed_at = now
    complaint.closed_by = _person(actor)
    complaint.paused_at = None
    complaint.save()
    _tasks_done(complaint, actor)
    _audit(actor, complaint, "close")
    return complaint


@transaction.atomic
def complaint_cause_fix(*, actor: Actor, complaint_id: Any, cause_fix: str) -> Complaint:
    """After the case is resolved or closed: what changed so that it does not happen again."""
    complaint = _locked(actor, complaint_id)
    if complaint.status not in (Status.RESOLVED, Status.CLOSED):
        raise ServiceError(
            ComplaintsErrorCode.NOT_RESOLVED, _("Record the fix once the complaint is resolved.")
        )
    text = _text(cause_fix, "cause_fix", 2000)
    if not text:
        raise _invalid(ComplaintsErrorCode.CAUSE_FIX_REQUIRED, "cause_fix", _("Say what changed."))
    complaint.cause_fix = text
    complaint.cause_fix_at = timezone.now()
    complaint.cause_fix_by = _person(actor)
    complaint.save()
    _audit(actor, complaint, "cause_fix")
    return complaint


@transaction.atomic
def complaint_customer_told(*, actor: Actor, complaint_id: Any, note: str = "") -> Complaint:
    """The customer was told what we changed (after the fix is recorded)."""
    complaint = _locked(actor, complaint_id)
    if not complaint.cause_fix:
        raise ServiceError(ComplaintsErrorCode.NO_CAUSE_FIX, _("Record what changed first."))
    complaint.customer_told_at = timezone.now()
    complaint.customer_told_note = _text(note, "note", 500)
    complaint.save()
    _audit(actor, complaint, "customer_told")
    return complaint
