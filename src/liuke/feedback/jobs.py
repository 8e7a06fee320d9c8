"""The survey job: invitations for recent visits and their messages in the engagement outbox,
set-based and idempotent.

1. One `INSERT … SELECT … ON CONFLICT DO NOTHING` per business writes an invitation for each
   visit that ended `delay_hours` ago (looking back `LOOKBACK_HOURS` more, so a missed run is
   caught up), for customers with consent to be contacted, not asked within the business's
   cool-down, and only the latest such visit of each customer. The visit is unique on
   invitations: a second run adds nothing.
2. Invitations still without a token get one (128 random bits from `secrets`; SQL has no
   portable strong random source), in batches.
3. The engagement app's own queueing (`engagement.jobs.queue_messages`) puts one survey message per
   invitation in the outbox; its unique (customer, kind, key) key makes that idempotent too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import CharField, DateField, DateTimeField, Exists, F, OuterRef
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from liuke.accounts.models import Business
from liuke.core.bulksql import const, insert_select, select_values, timestamps
from liuke.core.locking import lock_rows
from liuke.engagement import services as engagement
from liuke.engagement.choices import MessageKind
from liuke.engagement.jobs import queue_messages
from liuke.feedback import links, ratelimit
from liuke.feedback.models import SurveyInvitation
from liuke.feedback.services.surveys import survey_settings
from liuke.sales.choices import VisitStatus
from liuke.sales.models import Visit

LOOKBACK_HOURS = 48
TOKEN_BATCH = 1000

#: `token` and `answered_at` are left out: NULL by default (a typed NULL in the SELECT would need a
#: cast on PostgreSQL, which reads an untyped NULL parameter as text).
_INVITATION_COLUMNS = [
    "business_id", "branch_id", "customer_id", "visit_id", "staff_id", "expires_at",
    "created_at", "updated_at",
]  # fmt: skip


def invitations_create(*, business_id: int, now: dt.datetime) -> int:
    config = survey_settings(business_id)
    if not config.is_enabled:
        return 0
    latest = now - dt.timedelta(hours=config.delay_hours)
    earliest = latest - dt.timedelta(hours=LOOKBACK_HOURS)
    visits = (
        Visit.objects.filter(
            business_id=business_id,
            visited_at__gt=earliest,
            visited_at__lte=latest,
            customer__merged_into__isnull=True,
            customer__marketing_consent=True,
        )
        .exclude(status=VisitStatus.REFUNDED)
        .exclude(
            Exists(
                Visit.objects.filter(
                    customer_id=OuterRef("customer_id"),
                    visited_at__gt=OuterRef("visited_at"),
                    visited_at__lte=latest,
                ).exclude(status=VisitStatus.REFUNDED)
            )
        )
    )
    if config.cooldown_days:
        visits = visits.exclude(
            Exists(
                SurveyInvitation.objects.filter(
                    customer_id=OuterRef("customer_id"),
                    created_at__gte=now - dt.timedelta(days=config.cooldown_days),
                )
            )
        )
    select = select_values(
        visits,
        business_id=F("business_id"),
        branch_id=F("branch_id"),
        customer_id=F("customer_id"),
        visit_id=F("id"),
        staff_id=F("served_by_id"),
        expires_at=const(now + dt.timedelta(days=config.valid_days), DateTimeField()),
        **timestamps(now),
    )
    with transaction.atomic():
        return insert_select(SurveyInvitation, select, _INVITATION_COLUMNS)


def tokens_assign() -> int:
    """Give every invitation without a token a fresh random one (batches of TOKEN_BATCH)."""
    done = 0
    while True:
        with transaction.atomic():
            waiting = SurveyInvitation.objects.filter(token__isnull=True).only("id")
            ids = list(waiting.order_by("id").values_list("id", flat=True)[:TOKEN_BATCH])
            # In key order; one another run took meanwhile drops out (its token is set).
            rows = list(lock_rows(waiting, ids).values())
            for row in rows:
                row.token = links.new_token()
            SurveyInvitation.objects.bulk_update(rows, ["token"])
        done += len(rows)
        if len(ids) < TOKEN_BATCH:
            return done


def messages_queue(*, now: dt.datetime) -> int:
    """One survey message per open invitation of the last days (consent checked again here:
    it may have been withdrawn since the invitation was written)."""
    qs = SurveyInvitation.objects.filter(
        token__isnull=False,
        answered_at__isnull=True,
        expires_at__gt=now,
        created_at__gte=now - dt.timedelta(hours=LOOKBACK_HOURS),
        customer__marketing_consent=True,
        customer__merged_into__isnull=True,
    )
    return queue_messages(
        qs,
        kind=MessageKind.SURVEY,
        key=Concat(const("visit:", CharField()), Cast(F("visit_id"), CharField())),
        occasion=const(timezone.localdate(now), DateField()),
        detail=F("token"),
        now=now,
    )


def surveys_run(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The three steps for every business; returns what each wrote."""
    now = now or timezone.now()
    invitations = 0
    for pk in Business.objects.values_list("id", flat=True):
        # the survey message's template, for a business the daily job has not prepared yet
        engagement.defaults_ensure(business_id=pk)
        invitations += invitations_create(business_id=pk, now=now)
    return {
        "invitations": invitations,
        "tokens": tokens_assign(),
        "messages": messages_queue(now=now),
    }


def counters_purge() -> int:
    return ratelimit.purge()
