"""Background jobs of the customer archive (huey; the consumer runs beside the web server)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from huey import crontab

from liuke.accounts.models import Branch
from liuke.audit.choices import Action
from liuke.audit.models import AuditEvent
from liuke.core.jobs import db_periodic_task, db_task
from liuke.core.maintenance import scrub_storage
from liuke.core.timeutil import months_before
from liuke.customers.models import Customer, DataQualitySnapshot
from liuke.customers.person import person_tables


@transaction.atomic
def snapshot_data_quality(day: dt.date | None = None) -> int:
    """Record each branch's completeness and stale count for `day` (default today).

    Idempotent: running it twice on one day updates the same rows. Returns rows written.
    """
    day = day or timezone.localdate()
    now = timezone.now()
    written = 0
    for branch in Branch.objects.select_related("business"):
        cutoff = months_before(now, branch.business.stale_after_months)
        agg = Customer.objects.filter(branch=branch, merged_into__isnull=True).aggregate(
            n=Count("id"),
            avg=Avg("completeness"),
            stale=Count("id", filter=Q(verified_at__isnull=True) | Q(verified_at__lt=cutoff)),
        )
        DataQualitySnapshot.objects.update_or_create(
            branch=branch,
            day=day,
            defaults={
                "customers": agg["n"],
                "completeness": Decimal(str(round(float(agg["avg"] or 0), 1))),
                "stale": agg["stale"],
            },
        )
        written += 1
    return written


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_data_quality() -> int:
    return snapshot_data_quality()


@db_task()
def data_quality_now() -> int:
    """Queued from the branches page: refresh today's snapshot without waiting for the night."""
    return snapshot_data_quality()


def erasure_scrub(*, since: dt.datetime) -> list[str]:
    """After erasures, remove the erased values' old versions from the database's storage
    (`core.maintenance.scrub_storage` on every table a person's rows live in); nothing when no
    customer was erased since `since`. Returns the statements run."""
    if not AuditEvent.objects.filter(action=Action.ERASE, occurred_at__gte=since).exists():
        return []
    return scrub_storage(person_tables())


@db_periodic_task(crontab(hour="3", minute="40"))
def nightly_erasure_scrub() -> list[str]:
    # A day and an hour back: a late run or a clock change never skips a day's erasures.
    return erasure_scrub(since=timezone.now() - dt.timedelta(hours=25))
