"""Working on an open case: the recorded steps, waiting for the customer, updates and the
agreed actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liuke.accounts import policy
from liuke.complaints.capabilities import ComplaintCap
from liuke.complaints.choices import ActionSide, Severity, Status, Step
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.complaints.models import Complaint, ComplaintAction, ComplaintStep
from liuke.complaints.selectors import settings_of
from liuke.complaints.services.actors import (
    Actor,
    _choice,
    _invalid,
    _person,
    _pk,
    _staff_member,
    _text,
)
from liuke.complaints.services.case import (
    _audit,
    _escalate,
    _locked,
    _open_case,
    _resume,
    _set_targets,
    _severe,
    _tasks_done,
)
from liuke.complaints.services.opening import _cause
from liuke.core.errors import NotFound, ServiceError
from liuke.core.stored_text import stored_message
from liuke.customers.services.locks import lock_with_customer
from liuke.engagement.choices import TaskKind, TaskStatus
from liuke.engagement.models import Task


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
    picked = handler_id not in (None, "") or staff_id not in (None, "")
    if picked and complaint.handler_id is not None and complaint.handler_id == complaint.staff_id:
        field_name = "handler_id" if handler_id not in (None, "") else "staff_id"
        raise _invalid(
            ComplaintsErrorCode.HANDLER_IS_STAFF,
            field_name,
            _("The staff member the complaint is about cannot handle it."),
        )
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
            note=stored_message(
                gettext_noop("Complaint #%(id)s: %(text)s"), fit=500, id=complaint.pk, text=text
            ),
        )
        action.task = task
        action.save(update_fields=["task", "updated_at"])
    _audit(actor, complaint, "action")
    return action


@transaction.atomic
def action_done(*, actor: Actor, action_id: Any) -> ComplaintAction:
    policy.require(actor, ComplaintCap.COMPLAINT_HANDLE)
    pk = _pk(action_id)
    actions = policy.scope_customers(actor, ComplaintAction.objects.all(), prefix="customer")
    action = lock_with_customer(actions.select_related("complaint"), pk) if pk else None
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
