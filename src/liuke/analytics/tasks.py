"""Background jobs of the analytics (huey): the nightly refresh of the stored figures."""

from __future__ import annotations

from huey import crontab

from liuke.analytics.services import refresh_all, refresh_job_run
from liuke.core.jobs import db_periodic_task, db_task


@db_periodic_task(crontab(hour="3", minute="15"))
def nightly_figures() -> int:
    """Every business's figures, after the day's last visits (03:15, the server's time zone)."""
    return sum(result.customers for result in refresh_all())


@db_task()
def figures_now() -> int:
    """Queued on demand: the same refresh without waiting for the night."""
    return sum(result.customers for result in refresh_all())


@db_task()
def figures_refresh_job(job_id: int) -> str:
    """A refresh asked for from the dashboard; its progress goes to the `RefreshJob` row."""
    return refresh_job_run(job_id)
