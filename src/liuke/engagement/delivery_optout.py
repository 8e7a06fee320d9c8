"""Opt-outs: a customer who replies 退订 or TD to an SMS, or opens the opt-out link of a
message, gets no more marketing on that channel (the link: on any channel). What was queued
for them stops at once (and the dispatcher checks again before each hand-over)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from liuke.core.signed import SignedTokens
from liuke.customers.models import Customer
from liuke.engagement.channels import Inbound
from liuke.engagement.choices import MessageStatus
from liuke.engagement.delivery_models import ChannelAccount, ChannelOptOut, OptOutSource
from liuke.engagement.delivery_rules import ALL_CHANNELS, OPTED_OUT
from liuke.engagement.models import Message

#: replies that mean "no more messages" (the form Chinese carriers and providers use)
KEYWORDS = frozenset({"退订", "TD"})
_PUNCTUATION = re.compile(r"[\s。.!！,，、~～]+")
_LINK = SignedTokens("liuke.engagement.optout")


def is_opt_out(text: str) -> bool:
    return _PUNCTUATION.sub("", text).upper() in KEYWORDS


def mobile_of(number: str) -> str:
    """A mainland mobile from a provider's notation (+8613…, 8613…, 13…)."""
    digits = re.sub(r"\D", "", number)
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


@transaction.atomic
def opt_out_record(*, customer: Customer, channel: str, source: str) -> bool:
    """Record that the customer wants no marketing on `channel` ("*": any) and stop what is
    waiting for them there. True when it is new."""
    _row, created = ChannelOptOut.objects.get_or_create(
        customer=customer,
        channel=channel,
        defaults={"business_id": customer.business_id, "source": source},
    )
    waiting = Message.objects.filter(
        customer=customer,
        is_marketing=True,
        status__in=[MessageStatus.QUEUED, MessageStatus.READY],
    )
    if channel != ALL_CHANNELS:
        # a queued message still routed to the outbox goes where the business sends
        waiting = waiting.filter(channel__in=[channel, "outbox"])
    waiting.update(status=MessageStatus.OPTED_OUT, status_note=OPTED_OUT, updated_at=timezone.now())
    return created


def replies_record(account: ChannelAccount, replies: Iterable[Inbound]) -> int:
    """Opt-outs from the replies a provider forwarded; other replies are not kept (they may
    hold anything, and nobody reads them here). Returns the opt-outs recorded."""
    recorded = 0
    for reply in replies:
        mobile = mobile_of(reply.mobile)
        if not mobile or not is_opt_out(reply.text):
            continue
        for customer in Customer.objects.filter(business_id=account.business_id, mobile=mobile):
            recorded += opt_out_record(
                customer=customer, channel=account.channel, source=OptOutSource.REPLY
            )
    return recorded


def link_token(message_id: int) -> str:
    """The signed token of a message's opt-out link (names the message, nothing else)."""
    return _LINK.sign(str(message_id))


def link_message(token: str) -> Message | None:
    raw = _LINK.unsign(token)
    if raw is None or not raw.isdigit():
        return None
    return Message.objects.select_related("customer", "branch").filter(pk=int(raw)).first()


def link_opt_out(token: str) -> Message | None:
    """The customer of the message the link came in wants no more marketing at all."""
    message = link_message(token)
    if message is None or message.customer.anonymised_at is not None:
        return None
    opt_out_record(customer=message.customer, channel=ALL_CHANNELS, source=OptOutSource.LINK)
    return message
