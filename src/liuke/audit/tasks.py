"""Unusual reading, found in the log by a periodic job (huey; the consumer runs beside the web
server). Set-based and idempotent: each run re-reads the last LOOKBACK of events with a few
grouped queries and upserts one `AuditFlag` per finding (keyed), so running it twice, late or
over the same hours changes nothing but the counts of a still-growing hour."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min, OuterRef, Subquery
from django.db.models.functions import TruncHour
from django.utils import timezone
from huey import crontab

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.audit.choices import Action
from liuke.audit.journal import FILE_ACTIONS, opened_files
from liuke.audit.models import AuditEvent, AuditFlag, AuditSubject, FlagKind
from liuke.core.jobs import db_periodic_task

#: How far back each run looks: a day and a bit, so a consumer down for hours catches up.
LOOKBACK = dt.timedelta(hours=26)


@transaction.atomic
def flag_unusual_reading(*, now: dt.datetime | None = None) -> int:
    """Flag the last LOOKBACK's unusual reading; returns the flags written (new or updated)."""
    now = now or timezone.now()
    start = (now - LOOKBACK).replace(minute=0, second=0, microsecond=0)
    return _many_files(start, now) + _exports_after_hours(start, now)


def _many_files(start: dt.datetime, end: dt.datetime) -> int:
    """More distinct customer files than the business allows in one clock hour (UTC hours;
    the same as local hours in whole-hour time zones such as Asia/Shanghai)."""
    limit = Subquery(
        Business.objects.filter(pk=OuterRef("event__business_id")).values("audit_files_per_hour")[
            :1
        ]
    )
    rows = (
        AuditSubject.objects.filter(
            event__occurred_at__gte=start,
            event__occurred_at__lt=end,
            event__action__in=FILE_ACTIONS,
            event__actor_id__isnull=False,
            event__business_id__isnull=False,
        )
        .annotate(hour=TruncHour("event__occurred_at", tzinfo=dt.UTC), limit=limit)
        .values("event__business_id", "event__actor_id", "hour", "limit")
        .annotate(
            n=Count("customer_id", distinct=True),
            first=Min("event__seq"),
            last=Max("event__seq"),
            label=Max("event__actor_label"),
        )
        .filter(n__gt=F("limit"))
    )
    flags = []
    for r in rows:
        n = _opened_in_hour(r["event__business_id"], r["event__actor_id"], r["hour"])
        if n <= r["limit"]:
            continue
        flags.append(
            AuditFlag(
                key=f"{FlagKind.MANY_FILES}:{r['event__actor_id']}:{r['hour']:%Y%m%dT%H}",
                business_id=r["event__business_id"],
                kind=FlagKind.MANY_FILES,
                actor_id=r["event__actor_id"],
                actor_label=r["label"],
                window_start=r["hour"],
                window_end=r["hour"] + dt.timedelta(hours=1),
                customers=n,
                first_seq=r["first"],
                last_seq=r["last"],
            )
        )
    return _upsert(flags)


def _opened_in_hour(business_id: int, actor_id: int, hour: dt.datetime) -> int:
    """The distinct customers whose file `actor_id` opened in that hour. The grouped count above
    counts every customer of the hour's file events; a request's one event (`audit.journal`)
    may also list customers it did not open (a profile's possible duplicates), named apart by its
    `files:` field. Only an hour over the threshold is counted again, from those events."""
    opened: set[int] = set()
    every = AuditEvent.objects.filter(
        business_id=business_id,
        actor_id=actor_id,
        action__in=FILE_ACTIONS,
        occurred_at__gte=hour,
        occurred_at__lt=hour + dt.timedelta(hours=1),
    ).values_list("customer_ids", "fields")
    for customer_ids, fields in every.iterator():
        opened |= opened_files(customer_ids, fields)
    return len(opened)


def _inside(moment: dt.datetime, tz_name: str, opens: dt.time, closes: dt.time) -> bool:
    """Whether `moment` falls within the hours in that time zone (closing before opening: open
    past midnight)."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(tz_name or settings.TIME_ZONE)).time()
    if opens < closes:
        return opens <= local < closes
    return local >= opens or local < closes


def _exports_after_hours(start: dt.datetime, end: dt.datetime) -> int:
    """Every export made outside the opening hours of all the branches its staff member works
    at (an owner, or someone with no branch: all the business's branches), each branch in its own
    time zone with its own hours or, where it has none, the business's. Exports are few: a query
    each for the exports, the branches, the owners, the staff's branches, the business hours."""
    exports: list[dict[str, Any]] = [
        dict(e)
        for e in AuditEvent.objects.filter(
            action=Action.EXPORT,
            occurred_at__gte=start,
            occurred_at__lt=end,
            business_id__isnull=False,
        ).values("seq", "business_id", "actor_id", "actor_label", "occurred_at", "customer_ids")
    ]
    if not exports:
        return 0
    by_business: dict[int, list[Branch]] = defaultdict(list)
    for branch in Branch.objects.filter(
        business_id__in={e["business_id"] for e in exports}
    ).select_related("business"):
        by_business[branch.business_id].append(branch)
    actor_ids = {e["actor_id"] for e in exports if e["actor_id"] is not None}
    owners = set(
        User.objects.filter(pk__in=actor_ids, role=Role.OWNER).values_list("pk", flat=True)
    )
    works_at: dict[int, set[int]] = defaultdict(set)
    for user_id, branch_id in User.branches.through.objects.filter(
        user_id__in=actor_ids
    ).values_list("user_id", "branch_id"):
        works_at[user_id].add(branch_id)
    fallback = {
        b["pk"]: (b["opens_at"], b["closes_at"])
        for b in Business.objects.filter(pk__in={e["business_id"] for e in exports}).values(
            "pk", "opens_at", "closes_at"
        )
    }
    flags = []
    for e in exports:
        branches = by_business.get(e["business_id"], [])
        mine = works_at.get(e["actor_id"], set())
        if e["actor_id"] not in owners and mine:
            branches = [b for b in branches if b.pk in mine] or branches
        if branches:
            open_somewhere = any(
                _inside(e["occurred_at"], b.time_zone, *b.hours()) for b in branches
            )
        else:
            opens, closes = fallback[e["business_id"]]
            open_somewhere = _inside(e["occurred_at"], settings.TIME_ZONE, opens, closes)
        if not open_somewhere:
            flags.append(_export_flag(e))
    return _upsert(flags)


def _export_flag(r: dict[str, Any]) -> AuditFlag:
    return AuditFlag(
        key=f"{FlagKind.EXPORT_AFTER_HOURS}:{r['seq']}",
        business_id=r["business_id"],
        kind=FlagKind.EXPORT_AFTER_HOURS,
        actor_id=r["actor_id"],
        actor_label=r["actor_label"],
        window_start=r["occurred_at"],
        window_end=r["occurred_at"],
        customers=len(r["customer_ids"]),
        first_seq=r["seq"],
        last_seq=r["seq"],
    )


def _upsert(flags: list[AuditFlag]) -> int:
    """Insert new flags; for known keys only refresh the counts (an acknowledgement stays)."""
    if not flags:
        return 0
    AuditFlag.objects.bulk_create(
        flags,
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["customers", "first_seq", "last_seq"],
        batch_size=500,
    )
    return len(flags)


@db_periodic_task(crontab(minute="*/15"))
def unusual_reading_every_quarter_hour() -> int:
    return flag_unusual_reading()
