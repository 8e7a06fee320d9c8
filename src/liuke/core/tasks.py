"""Background jobs of the shared kernel."""

from __future__ import annotations

from huey import crontab

from liuke.core.jobs import db_periodic_task
from liuke.core.maintenance import optimize_database


@db_periodic_task(crontab(hour="3", minute="15"))
def nightly_optimize_database() -> str:
    return optimize_database()
