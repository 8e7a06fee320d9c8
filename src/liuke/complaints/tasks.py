"""Background jobs of the complaints app (huey; the consumer runs beside the web server)."""

from __future__ import annotations

from huey import crontab

from liuke.complaints import jobs
from liuke.core.jobs import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*/5"))
@lock_task("complaints-sweep")
def complaints_sweep() -> dict[str, int]:
    """Escalations, breach alerts and actions done elsewhere, every five minutes."""
    return jobs.sweep()
