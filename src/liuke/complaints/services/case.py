"""The mechanics every step of a case shares: targets, escalation, engagement tasks, the
locked read of a case and its audit line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.complaints.capabilities import ComplaintCap
from liuke.complaints.choices import SEVERITY_ORDER, Severity, Status
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.complaints.models import Complaint, ComplaintSettings
from liuke.complaints.notify import escalations_notify
from liuke.complaints.services.actors import Actor, _person, _pk, senior_for
from liuke.complaints.services.limits import targets
from liuke.core.errors import KeyAccountRestricted, NotFound, ServiceError
from liuke.core.registry import Capability
from liuke.core.stored_text import stored_message
from liuke.customers import selectors as customer_selectors
from liuke.customers.services.locks import lock_with_customer
from liuke.engagement.choices import TaskKind, TaskStatus
from liuke.engagement.models import Task


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
    # Never the staff member the complaint is about (senior people handle complaints, not the
    # person complained of), nor, unless it is escalated for its severity, its handler.
    senior = senior_for(
        business_id=complaint.business_id,
        branch_id=complaint.branch_id,
        exclude_ids=(complaint.staff_id, complaint.handler_id if reason != "severity" else None),
    )
    complaint.escalated_at = now
    complaint.escalated_to = senior
    complaint.escalation_reason = reason
    _task(
        complaint,
        suffix="esc",
        assignee=senior,
        due_at=now,
        note=stored_message(gettext_noop("Complaint #%(id)s escalated to you"), id=complaint.pk),
    )
    escalations_notify([(complaint.business_id, complaint.pk, getattr(senior, "pk", None))])


# --- the locked case, pausing and resuming, its audit line ------------------------------------


def _locked(
    actor: Actor, complaint_id: Any, *, cap: Capability = ComplaintCap.COMPLAINT_HANDLE
) -> Complaint:
    policy.require(actor, cap)
    pk = _pk(complaint_id)
    scoped = policy.scope_customers(actor, Complaint.objects.all(), prefix="customer")
    found = lock_with_customer(scoped, pk) if pk else None
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
