"""The background work of the engagement app, set-based.

Each step is a handful of `INSERT … SELECT … ON CONFLICT DO NOTHING` statements (a SELECT built
with the ORM, so it is right for SQLite and PostgreSQL alike, wrapped in an INSERT), never a
loop over customers in Python: the daily run over a million customers and five million visits
is a few scans of indexed tables. The unique keys on follow-ups (visit, rule), tasks and
messages (customer, kind, occasion) make every step idempotent: running it twice, or again
after a consumer stopped half-way (each step commits on its own), creates nothing twice.

Each step also looks back a few days (`LOOKBACK_DAYS`), so that days the consumer missed are
caught up by the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from liuke.accounts.models import Branch, Business
from liuke.core.bulksql import const, insert_select, select_values, timestamps
from liuke.customers.models import Customer
from liuke.engagement.choices import (
    MARKETING_KINDS,
    MessageKind,
    MessageStatus,
    TaskKind,
    TaskStatus,
)
from liuke.engagement.models import BranchReminderSettings, FollowUp, FollowUpRule, Message, Task
from liuke.engagement.services.outbox import withdrawn_consent_cancel
from liuke.engagement.services.rules import defaults_ensure
from liuke.sales.choices import VisitStatus
from liuke.sales.models import CardEntry, Package, PackageEntry, StoredValueCard, Visit, VisitLine

log = logging.getLogger(__name__)

LOOKBACK_DAYS = 7
#: An interval shorter than this (two visits on one day) does not make a rhythm.
MIN_INTERVAL_DAYS = 14
#: Packages with sessions left and no use for this long get a task.
PACKAGE_IDLE_DAYS = 60
#: Callback tasks overdue by this much are escalated to the manager.
ESCALATE_AFTER = dt.timedelta(hours=24)
#: Next visits agreed more than this long ago are not looked at (no one books a year ahead).
REBOOKING_HORIZON_DAYS = 180


def _day_window(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _settings(branch: Branch) -> BranchReminderSettings:
    return BranchReminderSettings.for_branch(branch.pk)


# --- follow-ups ---------------------------------------------------------------------------------


def followups_create(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Follow-ups for the visits of the last `LOOKBACK_DAYS` days under each active rule, for
    the staff member who served (or the customer's owner). One INSERT per branch, day and rule."""
    now = now or timezone.now()
    created = 0
    rules_by_business: dict[int, list[FollowUpRule]] = {}
    for rule in FollowUpRule.objects.filter(is_active=True):
        rules_by_business.setdefault(rule.business_id, []).append(rule)
    for branch in Branch.objects.all():
        tz = ZoneInfo(branch.time_zone)
        local_today = today or timezone.localdate(now, tz)
        for back in range(LOOKBACK_DAYS + 1):
            day = local_today - dt.timedelta(days=back)
            start, end = _day_window(day, tz)
            visits = Visit.objects.filter(
                branch=branch,
                visited_at__gte=start,
                visited_at__lt=min(end, now),
                customer__merged_into__isnull=True,
            ).exclude(status=VisitStatus.REFUNDED)
            for rule in rules_by_business.get(branch.business_id, []):
                qs = visits
                if rule.category:
                    qs = qs.filter(
                        Exists(
                            VisitLine.objects.filter(
                                visit=OuterRef("pk"), service__category=rule.category
                            )
                        )
                    )
                due = day + dt.timedelta(days=rule.day)
                select = select_values(
                    qs,
                    business_id=F("business_id"),
                    branch_id=F("branch_id"),
                    customer_id=F("customer_id"),
                    visit_id=F("id"),
                    rule_id=const(rule.pk, IntegerField()),
                    assignee_id=Coalesce(F("served_by_id"), F("customer__owner_id")),
                    planned_on=const(due, DateField()),
                    due_on=const(due, DateField()),
                    status=const("open", CharField()),
                    outcome=const("", CharField()),
                    note=const("", CharField()),
                    reschedules=const(0, IntegerField()),
                    attempts=const(0, IntegerField()),
                    **timestamps(now),
                )
                with transaction.atomic():
                    created += insert_select(
                        FollowUp,
                        select,
                        [
                            "business_id", "branch_id", "customer_id", "visit_id", "rule_id",
                            "assignee_id", "planned_on", "due_on", "status", "outcome", "note",
                            "reschedules", "attempts", "created_at", "updated_at",
                        ],
                    )  # fmt: skip
    return created


# --- reminders ----------------------------------------------------------------------------------

#: The outbox's and the task list's columns as `insert_select` fills them (other apps' jobs queue
#: messages with `queue_messages` and open tasks with `TASK_COLUMNS`).
MESSAGE_COLUMNS = [
    "business_id", "branch_id", "customer_id", "kind", "key", "is_marketing", "channel",
    "occasion_on", "detail", "body", "status", "status_note", "created_at", "updated_at",
]  # fmt: skip
TASK_COLUMNS = [
    "business_id", "branch_id", "customer_id", "kind", "key", "assignee_id", "due_at",
    "status", "note", "created_at", "updated_at",
]  # fmt: skip


def queue_messages(
    qs: Any, *, kind: str, key: Any, occasion: Any, detail: Any, now: dt.datetime
) -> int:
    """Queue one message per row of `qs` (rows carrying business, branch and customer ids), in
    one INSERT … SELECT; a message already queued for the same customer, kind and occasion is
    left alone. Used by the reminders here and by other apps' jobs (feedback's surveys)."""
    select = select_values(
        qs,
        business_id=F("business_id"),
        branch_id=F("branch_id"),
        customer_id=F("customer_id"),
        kind=const(kind, CharField()),
        key=key,
        is_marketing=const(kind in MARKETING_KINDS, models.BooleanField()),
        channel=const("outbox", CharField()),
        occasion_on=occasion,
        detail=detail,
        body=const("", CharField()),
        status=const(MessageStatus.QUEUED, CharField()),
        status_note=const("", CharField()),
        **timestamps(now),
    )
    with transaction.atomic():
        return insert_select(Message, select, MESSAGE_COLUMNS)


def birthdays_queue(*, branch: Branch, today: dt.date, now: dt.datetime) -> int:
    """Birthday greetings `birthday_days_ahead` days ahead (and the days a missed run skipped),
    for customers with marketing consent only.

    The birthdays are matched as a list of dates (each target day in each of the last 110
    years), so the (business, birthday) index answers instead of a scan of every customer."""
    ahead = _settings(branch).birthday_days_ahead
    created = 0
    for days in range(max(0, ahead - LOOKBACK_DAYS), ahead + 1):
        target = today + dt.timedelta(days=days)
        qs = Customer.objects.filter(
            business_id=branch.business_id,
            birthday__in=_birth_dates(target),
            branch=branch,
            merged_into__isnull=True,
            marketing_consent=True,
        ).annotate(customer_id=F("id"))
        created += queue_messages(
            qs,
            kind=MessageKind.BIRTHDAY,
            key=const(str(target.year), CharField()),
            occasion=const(target, DateField()),
            detail=const("", CharField()),
            now=now,
        )
    return created


def _birth_dates(target: dt.date) -> list[dt.date]:
    """Every date of birth celebrated on `target` (29 February on 28 February of other years)."""
    dates = []
    for year in range(target.year - 110, target.year + 1):
        if target.month == 2 and target.day == 29 and not _leap(year):
            continue
        dates.append(target.replace(year=year))
        if target.month == 2 and target.day == 28 and not _leap(target.year) and _leap(year):
            dates.append(dt.date(year, 2, 29))
    return dates


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _epoch(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})"
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


def _greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if connection.vendor == "postgresql" else f"max({a}, {b})"


def lapsed_tasks(*, now: dt.datetime) -> int:
    """A win-back task for each customer who lapsed in the last `LOOKBACK_DAYS` days: no visit
    for longer than their own average interval between visits plus the branch's margin (at
    least `MIN_INTERVAL_DAYS`), or, after a single visit, than the branch default. The key is
    the number of visits, so a customer lapses again only after coming back.

    One statement: visits grouped per customer (the (customer, visited_at) index covers it),
    narrowed with the loosest and strictest branch settings before the join to the customer
    and the exact branch settings."""
    visit = Visit._meta.db_table
    customer = Customer._meta.db_table
    settings_table = BranchReminderSettings._meta.db_table
    task = Task._meta.db_table
    bounds = BranchReminderSettings.objects.aggregate(
        m_lo=Min("lapsed_margin_pct"),
        m_hi=Max("lapsed_margin_pct"),
        d_lo=Min("lapsed_default_days"),
        d_hi=Max("lapsed_default_days"),
    )
    if bounds["m_lo"] is None:
        return 0
    interval = _greatest("(g.l - g.f) / (g.n - 1)", str(MIN_INTERVAL_DAYS * 86400))

    def lapse_at(margin: str, default_days: str) -> str:
        return (
            f"g.l + CASE WHEN g.n > 1 THEN {interval} * (100 + {margin}) / 100.0 "
            f"ELSE {default_days} * 86400.0 END"
        )

    now_e = now.timestamp()
    lo, hi = now_e - LOOKBACK_DAYS * 86400, now_e
    exact = lapse_at("s.lapsed_margin_pct", "s.lapsed_default_days")
    sql = f"""
        INSERT INTO {task} (business_id, branch_id, customer_id, kind, key, assignee_id, due_at,
                            status, note, created_at, updated_at)
        SELECT c.business_id, c.branch_id, c.id, %s, CAST(g.n AS TEXT), c.owner_id, %s,
               %s, '', %s, %s
        FROM (SELECT customer_id, COUNT(*) AS n, {_epoch("MIN(visited_at)")} AS f,
                     {_epoch("MAX(visited_at)")} AS l
              FROM {visit} GROUP BY customer_id) g
        JOIN {customer} c ON c.id = g.customer_id
        JOIN {settings_table} s ON s.branch_id = c.branch_id
        WHERE {lapse_at(str(bounds["m_lo"]), str(bounds["d_lo"]))} < %s
          AND {lapse_at(str(bounds["m_hi"]), str(bounds["d_hi"]))} >= %s
          AND c.merged_into_id IS NULL
          AND {exact} >= %s AND {exact} < %s
        ON CONFLICT DO NOTHING
    """  # noqa: S608 (table names from the models, integers from the settings)
    ops = connection.ops
    params = [
        TaskKind.LAPSED.value,
        ops.adapt_datetimefield_value(now + dt.timedelta(days=3)),
        TaskStatus.OPEN.value,
        ops.adapt_datetimefield_value(now),
        ops.adapt_datetimefield_value(now),
        hi,
        lo,
        lo,
        hi,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(int(cursor.rowcount), 0)


def win_back_queue(*, now: dt.datetime) -> int:
    """A "we miss you" message for each customer given a win-back task lately (this run, or a
    run stopped before this step) who has marketing consent."""
    qs = Task.objects.filter(
        kind=TaskKind.LAPSED,
        status=TaskStatus.OPEN,
        created_at__gte=now - dt.timedelta(days=LOOKBACK_DAYS),
        customer__marketing_consent=True,
        customer__merged_into__isnull=True,
    )
    return queue_messages(
        qs,
        kind=MessageKind.WIN_BACK,
        key=F("key"),
        occasion=const(timezone.localdate(now), DateField()),
        detail=const("", CharField()),
        now=now,
    )


def expiries_queue(*, branch: Branch, today: dt.date, now: dt.datetime) -> int:
    """Notices for stored-value cards with a balance and packages with sessions left that
    expire within `expiry_days_ahead` days (service notices: no marketing consent needed)."""
    until = today + dt.timedelta(days=_settings(branch).expiry_days_ahead)
    last_card = CardEntry.objects.filter(card=OuterRef("pk")).order_by("-seq")
    cards = (
        StoredValueCard.objects.filter(
            branch=branch,
            status="active",
            expires_on__gte=today,
            expires_on__lte=until,
            customer__merged_into__isnull=True,
        )
        .annotate(
            balance=Coalesce(Subquery(last_card.values("paid_after_fen")[:1]), Value(0))
            + Coalesce(Subquery(last_card.values("bonus_after_fen")[:1]), Value(0))
        )
        .filter(balance__gt=0)
    )
    created = queue_messages(
        cards,
        kind=MessageKind.CARD_EXPIRY,
        key=Concat(Value("card:"), Cast("id", CharField()), output_field=CharField()),
        occasion=F("expires_on"),
        detail=Cast("balance", CharField()),
        now=now,
    )
    created += queue_messages(
        _packages_left(branch).filter(expires_on__gte=today, expires_on__lte=until),
        kind=MessageKind.PACKAGE_EXPIRY,
        key=Concat(Value("package:"), Cast("id", CharField()), output_field=CharField()),
        occasion=F("expires_on"),
        detail=Cast("remaining", CharField()),
        now=now,
    )
    return created


def _packages_left(branch: Branch) -> Any:
    last = PackageEntry.objects.filter(package=OuterRef("pk")).order_by("-seq")
    return (
        Package.objects.filter(branch=branch, customer__merged_into__isnull=True)
        .annotate(
            remaining=Coalesce(Subquery(last.values("sessions_after")[:1]), Value(0)),
            last_seq=Subquery(last.values("seq")[:1]),
            last_used=Subquery(last.values("created_at")[:1]),
        )
        .filter(remaining__gt=0)
    )


def idle_packages_tasks(*, branch: Branch, today: dt.date, now: dt.datetime) -> int:
    """A task for the owner of each customer whose package still has sessions but has not been
    used for `PACKAGE_IDLE_DAYS` days (the key is the package's last entry: once per idle spell)."""
    idle_since = now - dt.timedelta(days=PACKAGE_IDLE_DAYS)
    qs = (
        _packages_left(branch)
        .filter(last_used__lt=idle_since)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )
    select = select_values(
        qs,
        business_id=F("business_id"),
        branch_id=F("branch_id"),
        customer_id=F("customer_id"),
        kind=const(TaskKind.PACKAGE_UNUSED, CharField()),
        key=Concat(
            Value("package:"),
            Cast("id", CharField()),
            Value(":"),
            Cast("last_seq", CharField()),
            output_field=CharField(),
        ),
        assignee_id=F("customer__owner_id"),
        due_at=const(now + dt.timedelta(days=3), DateTimeField()),
        status=const(TaskStatus.OPEN, CharField()),
        note=const("", CharField()),
        **timestamps(now),
    )
    with transaction.atomic():
        return insert_select(Task, select, TASK_COLUMNS)


def rebookings_queue(*, branch: Branch, today: dt.date, now: dt.datetime) -> int:
    """A reminder for each next visit agreed at checkout that falls between now and the end of
    the day `rebooking_days_ahead` days ahead."""
    tz = ZoneInfo(branch.time_zone)
    _start, end = _day_window(today + dt.timedelta(days=_settings(branch).rebooking_days_ahead), tz)
    qs = Visit.objects.filter(
        branch=branch,
        # next visits are agreed at checkout for the coming weeks: the recent visits of the
        # branch (its (branch, visited_at) index) hold them all
        visited_at__gte=now - dt.timedelta(days=REBOOKING_HORIZON_DAYS),
        next_visit_at__gte=now,
        next_visit_at__lt=end,
        customer__merged_into__isnull=True,
    )
    return queue_messages(
        qs,
        kind=MessageKind.REBOOKING,
        key=Concat(Value("visit:"), Cast("id", CharField()), output_field=CharField()),
        occasion=Cast("next_visit_at", DateField()),
        detail=const("", CharField()),
        now=now,
    )


def overdue_escalate(*, now: dt.datetime | None = None) -> int:
    """Mark callback tasks overdue by `ESCALATE_AFTER` as escalated (the manager's list shows
    them first). One UPDATE."""
    now = now or timezone.now()
    return Task.objects.filter(
        status=TaskStatus.OPEN,
        escalated_at__isnull=True,
        due_at__lt=now - ESCALATE_AFTER,
    ).update(escalated_at=now, updated_at=now)


# --- the daily run ------------------------------------------------------------------------------


def prepare() -> int:
    """Defaults for every business and a settings row for every branch (idempotent); returns
    the settings rows added."""
    for business_id in Business.objects.values_list("id", flat=True):
        with transaction.atomic():
            defaults_ensure(business_id=business_id)
    added = BranchReminderSettings.objects.bulk_create(
        [
            BranchReminderSettings(branch_id=pk)
            for pk in Branch.objects.filter(
                ~Exists(BranchReminderSettings.objects.filter(branch_id=OuterRef("pk")))
            ).values_list("id", flat=True)
        ],
        ignore_conflicts=True,
    )
    return len(added)


def daily_run(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the daily job does, step by step (each step commits on its own); returns the
    rows each step created and the seconds it took."""
    now = now or timezone.now()
    report: dict[str, Any] = {}

    def step(name: str, fn: Any, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        report[name] = report.get(name, 0) + fn(*args, **kwargs)
        report[f"{name}_s"] = round(report.get(f"{name}_s", 0.0) + time.perf_counter() - started, 3)

    step("prepare", prepare)
    step("followups", followups_create, now=now)
    step("lapsed", lapsed_tasks, now=now)
    step("win_back", win_back_queue, now=now)
    for branch in Branch.objects.all():
        today = timezone.localdate(now, ZoneInfo(branch.time_zone))
        step("birthdays", birthdays_queue, branch=branch, today=today, now=now)
        step("expiries", expiries_queue, branch=branch, today=today, now=now)
        step("idle_packages", idle_packages_tasks, branch=branch, today=today, now=now)
        step("rebookings", rebookings_queue, branch=branch, today=today, now=now)
    step("consent_cancelled", withdrawn_consent_cancel)
    step("escalated", overdue_escalate, now=now)
    log.info("engagement daily run: %s", report)
    return report
