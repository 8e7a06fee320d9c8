"""The complaint timers, swept by a periodic job: set-based and idempotent.

Each step is one UPDATE (or one INSERT … SELECT through `core.bulksql.insert_select`)
over the complaints that need it, never a loop in Python. A complaint waiting for the customer
is skipped (its timers are stopped). Running the sweep twice changes nothing the second time:
the UPDATEs only touch rows whose mark is still empty, and the alert tasks have unique keys.

1. Escalation: a complaint whose first response or resolution is about to be missed (its
   `*_warn_at` has passed) is escalated to a senior person of its branch (a manager, else an
   owner) and that person gets a task.
2. Breach: a target missed is marked on the complaint and the senior person (or the handler)
   gets a breach alert task.
3. Agreed actions whose engagement task was completed on the tasks page are marked done.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_noop

from liuke.accounts.choices import Role
from liuke.accounts.models import User
from liuke.complaints.choices import Status
from liuke.complaints.models import Complaint, ComplaintAction
from liuke.complaints.notify import escalations_notify
from liuke.core.bulksql import const, insert_select, select_values, timestamps
from liuke.core.stored_text import stored_message
from liuke.engagement.choices import TaskKind, TaskStatus
from liuke.engagement.jobs import TASK_COLUMNS
from liuke.engagement.models import Task

log = logging.getLogger(__name__)


def _senior() -> Any:
    """SQL: a manager of the complaint's branch, else an owner of its business; never the
    handler themselves (escalating to oneself escalates nothing), nor the staff member the
    complaint is about (`accounts.selectors.senior_for`, the same rule in Python)."""
    staff = (
        User.objects.filter(business_id=OuterRef("business_id"), is_active=True)
        # Coalesce: with no handler, `id = NULL` would exclude everyone.
        .exclude(pk=Coalesce(OuterRef("handler_id"), Value(0)))
        .exclude(pk=Coalesce(OuterRef("staff_id"), Value(0)))
        .order_by("id")
    )
    manager = staff.filter(role=Role.MANAGER, branches=OuterRef("branch_id")).values("id")[:1]
    owner = staff.filter(role=Role.OWNER).values("id")[:1]
    return Coalesce(Subquery(manager), Subquery(owner))


def _running() -> Q:
    """Open and not waiting for the customer (the timers run)."""
    return Q(status=Status.OPEN, paused_at__isnull=True)


def escalate(*, now: dt.datetime) -> int:
    """Escalate the complaints about to miss a target; returns how many."""
    about_to_miss_response = Q(first_response_at__isnull=True, response_warn_at__lte=now)
    about_to_miss_resolution = Q(resolved_at__isnull=True, resolution_warn_at__lte=now)
    escalated = (
        Complaint.objects.filter(_running(), escalated_at__isnull=True)
        .filter(about_to_miss_response | about_to_miss_resolution)
        .update(
            escalated_at=now,
            escalated_to=_senior(),
            escalation_reason=Case(
                When(about_to_miss_response, then=Value("response")),
                default=Value("resolution"),
            ),
            updated_at=now,
        )
    )
    if escalated:
        escalations_notify(
            Complaint.objects.filter(escalated_at=now).values_list(
                "business_id", "pk", "escalated_to_id"
            )
        )
    return escalated


def breach(*, now: dt.datetime) -> int:
    """Mark the targets missed; returns how many marks were set."""
    response = Complaint.objects.filter(
        _running(),
        first_response_at__isnull=True,
        response_due_at__lte=now,
        response_breached_at__isnull=True,
    ).update(response_breached_at=now, updated_at=now)
    resolution = Complaint.objects.filter(
        _running(),
        resolved_at__isnull=True,
        resolution_due_at__lte=now,
        resolution_breached_at__isnull=True,
    ).update(resolution_breached_at=now, updated_at=now)
    return response + resolution


def _note(msgid: str) -> Any:
    """SQL: the stored message `msgid` about the row's complaint (`core.stored_text`), so the
    task reads in the language of whoever opens it, not in the job's."""
    whole = stored_message(msgid, id=0)
    head, tail = whole[: -len("0}}")], "}}"
    assert whole == head + "0" + tail  # the id is the message's last value
    return Concat(Value(head), Cast("id", CharField()), Value(tail), output_field=CharField())


def _alert_tasks(qs: Any, *, suffix: str, assignee: Any, note: Any, now: dt.datetime) -> int:
    select = select_values(
        qs,
        business_id=F("business_id"),
        branch_id=F("branch_id"),
        customer_id=F("customer_id"),
        kind=const(TaskKind.CALLBACK, CharField()),
        key=Concat(
            Value("complaint:"), Cast("id", CharField()), Value(suffix), output_field=CharField()
        ),
        assignee_id=assignee,
        due_at=const(now, DateTimeField()),
        status=const(TaskStatus.OPEN, CharField()),
        note=note,
        **timestamps(now),
    )
    with transaction.atomic():
        return insert_select(Task, select, TASK_COLUMNS)


def alerts(*, now: dt.datetime) -> int:
    """Tasks for the senior person of each escalated or breached unresolved complaint (one per
    complaint and occasion: the task's unique key)."""
    unresolved = Complaint.objects.filter(status__in=[Status.OPEN, Status.WAITING])
    made = _alert_tasks(
        unresolved.filter(escalated_at__isnull=False),
        suffix=":esc",
        assignee=Coalesce(F("escalated_to_id"), F("handler_id")),
        note=_note(gettext_noop("Complaint #%(id)s escalated: a target is about to be missed")),
        now=now,
    )
    made += _alert_tasks(
        unresolved.filter(
            Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
        ),
        suffix=":breach",
        assignee=Coalesce(F("escalated_to_id"), F("handler_id")),
        note=_note(gettext_noop("Complaint #%(id)s: a target was missed")),
        now=now,
    )
    return made


def actions_sync(*, now: dt.datetime) -> int:
    """Agreed actions whose task was marked done on the tasks page are done."""
    done = Task.objects.filter(pk=OuterRef("task_id"), status=TaskStatus.DONE)
    return ComplaintAction.objects.filter(
        done_at__isnull=True, task__status=TaskStatus.DONE
    ).update(
        done_at=Subquery(done.values("done_at")[:1]),
        done_by=Subquery(done.values("done_by")[:1]),
        updated_at=now,
    )


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every step, each in its own transaction; returns the rows each step touched."""
    now = now or timezone.now()
    report = {}
    with transaction.atomic():
        report["escalated"] = escalate(now=now)
    with transaction.atomic():
        report["breached"] = breach(now=now)
    report["alerts"] = alerts(now=now)
    with transaction.atomic():
        report["actions_done"] = actions_sync(now=now)
    if any(report.values()):
        log.info("complaint sweep: %s", report)
    return report
