"""Background jobs of the feedback app (huey; the consumer runs beside the web server)."""

from __future__ import annotations

from typing import Any

from huey import crontab

from liuke.core.jobs import db_periodic_task, lock_task
from liuke.feedback import jobs


@db_periodic_task(crontab(minute="7-59/15"))
@lock_task("feedback-surveys")
def feedback_surveys() -> dict[str, Any]:
    """Survey invitations for visits that ended a while ago, and their messages (every 15 min;
    the engagement dispatch job hands them to the outbox)."""
    return jobs.surveys_run()


@db_periodic_task(crontab(minute="25"))
def feedback_counters_purge() -> int:
    """Drop the public pages' rate counters of past windows (hourly)."""
    return jobs.counters_purge()
