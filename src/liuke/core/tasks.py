"""Background jobs of the shared kernel."""

from __future__ import annotations

from huey import crontab

from liuke.core import idempotency
from liuke.core.jobs import db_periodic_task
from liuke.core.maintenance import optimize_database


@db_periodic_task(crontab(hour="3", minute="15"))
def nightly_optimize_database() -> str:
    return optimize_database()


@db_periodic_task(crontab(hour="3", minute="5"))
def nightly_idempotency_purge() -> int:
    """Forget the Idempotency-Keys older than LIUKE_IDEMPOTENCY_DAYS (the count forgotten)."""
    return idempotency.purge_expired()
