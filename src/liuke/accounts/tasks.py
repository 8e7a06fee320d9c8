"""Background jobs of the accounts app (huey; the consumer runs beside the web server)."""

from __future__ import annotations

from huey import crontab

from liuke.accounts import throttle
from liuke.core.jobs import db_periodic_task


@db_periodic_task(crontab(minute="35"))
def login_throttle_purge() -> int:
    """Forget login throttle counters that have been quiet long enough (hourly)."""
    return throttle.purge()
