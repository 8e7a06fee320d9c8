"""Background jobs of the appointment book (huey; the consumer runs beside the web server)."""

from __future__ import annotations

from huey import crontab

from liuke.appointments.public.codes import codes_purge
from liuke.appointments.services.reminders import notices_queue
from liuke.core.jobs import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="3-59/15"))
@lock_task("appointments-notices")
def appointments_notices() -> dict[str, int]:
    """Booking confirmations and reminders due (every 15 minutes; the engagement dispatch job
    hands them to the outbox)."""
    return notices_queue()


@db_periodic_task(crontab(minute="41"))
def appointments_codes_purge() -> int:
    """Drop one-time codes older than the longest rate-limit window (hourly)."""
    return codes_purge()
