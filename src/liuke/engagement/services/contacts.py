"""Contacts with customers and the callback tasks they raise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one
from liuke.customers.models import Customer
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.choices import Channel, Direction, Outcome, TaskKind, TaskStatus
from liuke.engagement.errors import EngagementErrorCode
from liuke.engagement.models import Contact, Task
from liuke.engagement.services.common import (
    CALLBACK_AFTER,
    _active_reason,
    _choice,
    _customer,
    _moment,
    _seconds,
    _text,
)

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
    reason = _active_reason(customer.business_id, reason_id)
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
    row = lock_one(policy.scope_customers(actor, model.objects.all(), prefix="customer"), pk)
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
