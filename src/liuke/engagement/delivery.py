"""Sending: the delivery workers take messages the dispatcher handed over (SENDING), send each
through its business's channel and record what happened.

States: queued → sending → sent → delivered, or failed (with the reason), cancelled or opted
out (decided by the dispatcher, `delivery_rules`). A temporary error (throttled, provider busy,
connection refused) is tried again with back-off, up to `MAX_ATTEMPTS`.

Sending once. An attempt is recorded as begun (`attempt_at`, committed) before the provider is
called, and its result after. So a worker killed between the provider's "sent" and our record
leaves a message in SENDING with an attempt begun and no result, as does a timeout (the request
left, no answer came). Such a message is never simply sent again:
- where the provider deduplicates on our out-id (`Channel.dedupes_out_id`), it is sent again
  with the same out-id, and the provider answers the first send's result;
- otherwise (Alibaba and Tencent document no deduplication) it waits for the provider's delivery
  report, which names it by out-id or provider id and settles it (`receipts_record`); if none
  comes within `UNKNOWN_WAIT`, it is marked failed ("outcome unknown") and not sent again: a
  message missed is better than a message sent twice. A late report still marks it delivered.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from liuke.core.stored_text import stored_message
from liuke.engagement import rendering
from liuke.engagement.channels import Channel, Outcome, Outgoing, Receipt, SendResult
from liuke.engagement.channels.config import account_for, channel_of, template_of
from liuke.engagement.choices import MessageStatus
from liuke.engagement.delivery_models import ChannelAccount, DeliveryReceipt
from liuke.engagement.models import Message

MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
#: an attempt begun this long ago with no result: its worker died (or it timed out)
LEASE = dt.timedelta(minutes=5)
#: how long an attempt of unknown outcome waits for the provider's report
UNKNOWN_WAIT = dt.timedelta(hours=2)
OUT_ID_PREFIX = "lk"


def out_id(message_id: int) -> str:
    """Our id of a message at the provider: stable across every attempt."""
    return f"{OUT_ID_PREFIX}{message_id}"


def message_id_of(out: str) -> int | None:
    rest = out.removeprefix(OUT_ID_PREFIX)
    return int(rest) if out.startswith(OUT_ID_PREFIX) and rest.isdigit() else None


def backoff(attempts: int) -> dt.timedelta:
    step: dt.timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(step, BACKOFF_MAX)


def note(reason: str) -> str:
    """A provider's reason as a stored note (its code and text, never the recipient)."""
    return stored_message(gettext_noop("provider: %(reason)s"), reason=reason[:150], fit=200)


UNKNOWN_NOTE = stored_message(
    gettext_noop("outcome unknown: waiting for the provider's report, not sent again")
)
NO_REPORT_NOTE = stored_message(
    gettext_noop("outcome unknown and no report came: not sent again, to avoid a duplicate")
)
NO_ACCOUNT_NOTE = stored_message(gettext_noop("no active account for this channel"))
NO_MOBILE_NOTE = stored_message(gettext_noop("the customer has no mobile number"))


class RateLimit:
    """At most `rate` sends a second on one channel account, per worker process (a token
    bucket, so a quiet second lets a short burst through)."""

    _lock = threading.Lock()
    _buckets: dict[int, tuple[float, float]] = {}

    @classmethod
    def take(cls, account_id: int, rate: float) -> None:
        while True:
            with cls._lock:
                now = time.monotonic()
                tokens, at = cls._buckets.get(account_id, (rate, now))
                tokens = min(rate, tokens + (now - at) * rate)
                if tokens >= 1:
                    cls._buckets[account_id] = (tokens - 1, now)
                    return
                cls._buckets[account_id] = (tokens, now)
                wait = (1 - tokens) / rate
            time.sleep(wait)

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls._buckets.clear()


def text_send(
    *,
    business_id: int,
    to: str,
    out: str,
    text: str = "",
    template: str = "",
    params: dict[str, str] | None = None,
    channel: str = "sms",
) -> SendResult:
    """Send one service text now through the business's account on `channel`, to any number
    (a one-time code to a mobile that is not a customer yet). The caller decides that it may be
    sent and records the result; `out` is its stable id for the provider."""
    account = account_for(business_id, channel)
    if account is None:
        return SendResult(Outcome.PERMANENT, reason="no active account for this channel")
    adapter = channel_of(account)
    RateLimit.take(account.pk, adapter.rate_per_second)
    return adapter.send(
        Outgoing(out_id=out, to=to, text=text, template=template, params=params or {})
    )


def _claim(ids: Sequence[int], now: dt.datetime) -> list[Message]:
    """Begin an attempt on each message still waiting for one (committed before any send: two
    workers given the same ids send each message once)."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    with transaction.atomic():
        Message.objects.filter(
            due, pk__in=list(ids), status=MessageStatus.SENDING, attempt_at__isnull=True
        ).update(attempt_at=now, attempts=F("attempts") + 1, updated_at=now)
    return list(
        Message.objects.filter(pk__in=list(ids), status=MessageStatus.SENDING, attempt_at=now)
        .select_related("customer", "branch")
        .order_by("id")
    )


def _outgoing(message: Message, account: ChannelAccount | None) -> Outgoing:
    template, names = template_of(account, message.kind)
    values = rendering.values(message, optout="optout" in names) if names else {}
    return Outgoing(
        out_id=out_id(message.pk),
        to=message.customer.mobile,
        text=message.body,
        template=template,
        params={name: values.get(name, "") for name in names},
    )


#: requests in flight at once per delivery job: a provider answers in tens of milliseconds,
#: so a job that waited for each answer in turn would send a few dozen messages a second
CONCURRENCY = 16


def deliver(ids: Sequence[int]) -> dict[str, int]:
    """Send the given messages (those still waiting for an attempt), `CONCURRENCY` requests at
    a time within the channel's rate limit, and record the results."""
    now = timezone.now()
    messages = _claim(ids, now)
    accounts: dict[tuple[int, str], tuple[ChannelAccount | None, Channel | None]] = {}
    ready: list[tuple[Message, ChannelAccount, Channel, Outgoing]] = []
    results: list[tuple[Message, SendResult, bool]] = []
    for message in messages:
        key = (message.business_id, message.channel)
        if key not in accounts:
            account = account_for(*key)
            accounts[key] = (account, channel_of(account) if account else None)
        account, adapter = accounts[key]
        if account is None or adapter is None:
            results.append((message, SendResult(Outcome.PERMANENT), False))
        elif not message.customer.mobile:
            results.append((message, SendResult(Outcome.PERMANENT, reason="-"), False))
        else:
            ready.append((message, account, adapter, _outgoing(message, account)))

    def send(item: tuple[Message, ChannelAccount, Channel, Outgoing]) -> SendResult:
        _message, account, adapter, outgoing = item
        RateLimit.take(account.pk, adapter.rate_per_second)
        return adapter.send(outgoing)

    # Only the sending runs in threads; every database write stays in this one.
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        for item, result in zip(ready, pool.map(send, ready), strict=True):
            results.append((item[0], result, item[2].dedupes_out_id))
    return _record(results)


def _record(results: Iterable[tuple[Message, SendResult, bool]]) -> dict[str, int]:
    now = timezone.now()
    counts: dict[str, int] = {}
    changed = []
    for message, result, dedupes in results:
        _apply(message, result, dedupes=dedupes, now=now)
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
        changed.append(message)
    fields = ["status", "status_note", "provider_id", "sent_at", "attempt_at", "next_attempt_at"]
    with transaction.atomic():
        Message.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=500)
    return counts


def _apply(message: Message, result: SendResult, *, dedupes: bool, now: dt.datetime) -> None:
    message.updated_at = now
    outcome = result.outcome
    if outcome == Outcome.SENT:
        message.status, message.status_note = MessageStatus.SENT, ""
        message.provider_id, message.sent_at, message.attempt_at = result.provider_id, now, None
    elif outcome == Outcome.STAGED:
        message.status, message.attempt_at = MessageStatus.READY, None
    elif outcome == Outcome.TEMPORARY or (outcome == Outcome.UNKNOWN and dedupes):
        if message.attempts >= MAX_ATTEMPTS:
            message.status, message.status_note = MessageStatus.FAILED, note(result.reason)
        else:
            message.status_note = note(result.reason)
            message.attempt_at, message.next_attempt_at = None, now + backoff(message.attempts)
    elif outcome == Outcome.UNKNOWN:
        # the attempt stays open: the provider's report settles it (module docstring)
        message.status_note = UNKNOWN_NOTE
    else:
        message.status = MessageStatus.FAILED
        if result.reason == "-":
            message.status_note = NO_MOBILE_NOTE
        else:
            message.status_note = note(result.reason) if result.reason else NO_ACCOUNT_NOTE
        message.attempt_at = None


def stalled_settle(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Attempts begun long ago with no result (a worker died, or the outcome is unknown): send
    again where the provider deduplicates on our out-id, else wait for the report and, after
    `UNKNOWN_WAIT`, fail without sending again."""
    now = now or timezone.now()
    stalled = Message.objects.filter(
        status=MessageStatus.SENDING, attempt_at__lt=now - LEASE
    ).values_list("id", "business_id", "channel", "attempt_at")
    again, given_up = [], []
    dedupes: dict[tuple[int, str], bool] = {}
    for pk, business_id, channel, attempt_at in stalled.iterator():
        key = (business_id, channel)
        if key not in dedupes:
            account = account_for(business_id, channel)
            dedupes[key] = bool(account and channel_of(account).dedupes_out_id)
        if dedupes[key]:
            again.append(pk)
        elif attempt_at is not None and attempt_at < now - UNKNOWN_WAIT:
            given_up.append(pk)
    with transaction.atomic():
        Message.objects.filter(pk__in=again, status=MessageStatus.SENDING).update(
            attempt_at=None, next_attempt_at=None, updated_at=now
        )
        Message.objects.filter(pk__in=given_up, status=MessageStatus.SENDING).update(
            status=MessageStatus.FAILED, status_note=NO_REPORT_NOTE, updated_at=now
        )
    return {"again": len(again), "given_up": len(given_up)}


def due_ids(*, now: dt.datetime | None = None, limit: int = 100_000) -> list[int]:
    """Messages handed over and waiting for an attempt (new, or after their back-off)."""
    now = now or timezone.now()
    return list(
        Message.objects.filter(status=MessageStatus.SENDING, attempt_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def receipts_record(account: ChannelAccount, receipts: Iterable[Receipt]) -> int:
    """Record a provider's delivery reports, each once however often it arrives; the message it
    names becomes delivered (or failed with the report's reason). Returns the new ones."""
    new = 0
    for receipt in receipts:
        message = _message_of(account, receipt)
        try:
            with transaction.atomic():
                DeliveryReceipt.objects.create(
                    account=account,
                    key=receipt.key[:120],
                    message=message,
                    delivered=receipt.delivered,
                    reason=receipt.reason[:60],
                )
                if message is not None:
                    _settle(message, receipt)
        except IntegrityError:
            continue  # the same report again: recorded already
        new += 1
    return new


def _message_of(account: ChannelAccount, receipt: Receipt) -> Message | None:
    scoped = Message.objects.filter(business_id=account.business_id)
    pk = message_id_of(receipt.out_id) if receipt.out_id else None
    if pk is not None:
        return scoped.filter(pk=pk).first()
    if receipt.provider_id:
        return scoped.filter(provider_id=receipt.provider_id).first()
    return None


def _settle(message: Message, receipt: Receipt) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"attempt_at": None, "updated_at": now}
    if receipt.delivered:
        fields |= {"status": MessageStatus.DELIVERED, "delivered_at": now, "status_note": ""}
        if message.sent_at is None:
            fields["sent_at"] = now
        if receipt.provider_id and not message.provider_id:
            fields["provider_id"] = receipt.provider_id
    else:
        fields |= {"status": MessageStatus.FAILED, "status_note": note(receipt.reason or "-")}
    Message.objects.filter(pk=message.pk).update(**fields)
