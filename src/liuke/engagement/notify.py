"""Callbacks due: the staff member a callback is assigned to is told when it falls due (a staff
notice: the menu's badge, the today page, a staff channel later). The tasks were already routed
away from anyone the matter is about (an unhappy answer about a staff member goes to their
manager), so the notice goes to the assignee alone."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from liuke.engagement.choices import TaskKind, TaskStatus
from liuke.engagement.models import Task
from liuke.notices.choices import NoticeKind
from liuke.notices.services import Notice, notices_send

#: The tasks that are a call back to a customer who waits for it.
CALLBACK_KINDS = (TaskKind.CALLBACK, TaskKind.FEEDBACK, TaskKind.FOLLOWUP_ISSUE)
#: A callback due longer ago than this is the overdue escalation's business, not a notice's.
LOOK_BACK = dt.timedelta(days=2)


def callbacks_due_notify(*, now: dt.datetime) -> int:
    """A notice for each open callback due by `now` (once per task); returns how many."""
    due = Task.objects.filter(
        status=TaskStatus.OPEN,
        kind__in=CALLBACK_KINDS,
        assignee__isnull=False,
        due_at__lte=now,
        due_at__gt=now - LOOK_BACK,
    ).values_list("business_id", "assignee_id", "pk")
    url = reverse("engagement:tasks")
    return notices_send(
        Notice(business_id, assignee_id, NoticeKind.CALLBACK_DUE, f"task:{pk}", url)
        for business_id, assignee_id, pk in due
        if assignee_id is not None
    )
