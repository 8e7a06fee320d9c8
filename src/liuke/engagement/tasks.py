"""Background jobs of the engagement app (huey; the consumer runs beside the web server)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from huey import crontab

from liuke.core.jobs import db_periodic_task, db_task, lock_task
from liuke.engagement import delivery, dispatch, jobs, notify


@db_periodic_task(crontab(hour="6", minute="0"))
@lock_task("engagement-daily")
def engagement_daily() -> dict[str, Any]:
    """Follow-ups, reminders, consent cancellations and escalations, once a day before opening."""
    return jobs.daily_run()


@db_periodic_task(crontab(minute="*/15"))
@lock_task("engagement-followups")
def engagement_followups() -> int:
    """Follow-ups for the visits checked out since the last run (every quarter of an hour)."""
    return jobs.followups_create()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("engagement-dispatch")
def engagement_dispatch() -> dict[str, int]:
    """Queued messages to their channels (the delivery jobs send them); withdrawn consent
    cancels queued marketing; stalled attempts are settled."""
    return dispatch.dispatch()


@db_task()
def engagement_deliver(message_ids: list[int]) -> dict[str, int]:
    """Send handed-over messages through their providers (queued by the dispatch job; a
    message already being sent by another worker is skipped)."""
    return delivery.deliver(message_ids)


@db_periodic_task(crontab(minute="10"))
def engagement_overdue() -> int:
    """Escalate callback tasks overdue by a day (hourly)."""
    return jobs.overdue_escalate()


@db_periodic_task(crontab(minute="*/5"))
def engagement_callbacks_due() -> int:
    """Tell the staff member whose callback has fallen due (every 5 minutes; once per task)."""
    return notify.callbacks_due_notify(now=timezone.now())
