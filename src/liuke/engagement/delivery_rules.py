"""Whether a queued message may go now: the customer's consent and opt-outs, erasure, quiet
hours and the weekly marketing cap. One `Verdict` per message, decided for a whole batch with a
fixed number of queries (the dispatcher hands over thousands at a time).

The rules, in order:
1. an erased customer gets nothing (the message is cancelled);
2. marketing needs marketing consent (cancelled, as before) and no opt-out on the message's
   channel or on every channel (opted out); a service notice needs `service_notices`;
3. marketing sent by a provider waits out the business's quiet hours (21:00–09:00 by default)
   in the branch's time zone; service notices (a booking confirmation) may go at any hour, and
   the outbox is sent by a person during the day;
4. a customer gets at most `weekly_marketing_cap` marketing messages in seven days; one over the
   cap is cancelled (a later occasion will bring the next).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils.translation import gettext_noop

from liuke.core.stored_text import stored_message
from liuke.engagement.choices import MessageStatus
from liuke.engagement.delivery_models import ChannelOptOut, DeliverySettings
from liuke.engagement.models import Message

ERASED = stored_message(gettext_noop("the customer's data was erased"))
NO_CONSENT = stored_message(gettext_noop("consent withdrawn"))
OPTED_OUT = stored_message(gettext_noop("the customer opted out of this channel"))
NO_NOTICES = stored_message(gettext_noop("the customer wants no service notices"))
QUIET = stored_message(gettext_noop("held until the end of quiet hours"))
#: every channel
ALL_CHANNELS = "*"
OUTBOX = "outbox"
WEEK = dt.timedelta(days=7)
#: statuses in which a marketing message counts against the weekly cap
COUNTED = (MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READY)


@dataclasses.dataclass(frozen=True)
class Verdict:
    #: "go", "wait" (until `until`) or a final status (cancelled, opted out)
    action: str
    note: str = ""
    until: dt.datetime | None = None


GO = Verdict("go")


def over_cap_note(cap: int) -> str:
    return stored_message(gettext_noop("over the weekly limit of %(n)s marketing messages"), n=cap)


def quiet_until(now: dt.datetime, settings: DeliverySettings, time_zone: str) -> dt.datetime | None:
    """The end of the quiet hours `now` falls in (aware, UTC), or None outside them."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    local = now.astimezone(zone)
    start, end, clock = settings.quiet_from, settings.quiet_until, local.time()
    if start == end:
        return None
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


class Rules:
    """The rules for one batch of messages (customers, branches and settings selected)."""

    def __init__(self, messages: Iterable[Message], now: dt.datetime) -> None:
        batch = list(messages)
        self.now = now
        customer_ids = {m.customer_id for m in batch}
        self.settings = {
            b: DeliverySettings.for_business(b) for b in {m.business_id for m in batch}
        }
        self.opted_out = set(
            ChannelOptOut.objects.filter(customer_id__in=customer_ids).values_list(
                "customer_id", "channel"
            )
        )
        marketing = {m.customer_id for m in batch if m.is_marketing}
        self.sent_this_week: Counter[int] = Counter(
            dict(
                Message.objects.filter(customer_id__in=marketing, is_marketing=True)
                .filter(status__in=COUNTED)
                # sent this week, or handed over this week and not sent yet (in the outbox)
                .filter(
                    Q(sent_at__gte=now - WEEK) | Q(sent_at__isnull=True, updated_at__gte=now - WEEK)
                )
                .values_list("customer_id")
                .annotate(n=Count("id"))
                .values_list("customer_id", "n")
            )
        )

    def verdict(self, message: Message, channel: str) -> Verdict:
        customer = message.customer
        if customer.anonymised_at is not None:
            return Verdict(MessageStatus.CANCELLED, ERASED)
        if not message.is_marketing:
            if not customer.service_notices:
                return Verdict(MessageStatus.OPTED_OUT, NO_NOTICES)
            return GO
        if not customer.marketing_consent or customer.merged_into_id is not None:
            return Verdict(MessageStatus.CANCELLED, NO_CONSENT)
        opted = self.opted_out
        if (customer.pk, channel) in opted or (customer.pk, ALL_CHANNELS) in opted:
            return Verdict(MessageStatus.OPTED_OUT, OPTED_OUT)
        settings = self.settings[message.business_id]
        # The outbox is sent by a person, who sees the hour; a provider sends at once.
        until = (
            None if channel == OUTBOX else quiet_until(self.now, settings, message.branch.time_zone)
        )
        if until is not None:
            return Verdict("wait", QUIET, until)
        if self.sent_this_week[customer.pk] >= settings.weekly_marketing_cap:
            return Verdict(MessageStatus.CANCELLED, over_cap_note(settings.weekly_marketing_cap))
        # counted at once: two occasions for one customer in this batch share the cap
        self.sent_this_week[customer.pk] += 1
        return GO
