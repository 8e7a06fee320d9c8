"""Message channels: one interface, one module per provider.

A channel sends one `Outgoing` text to one recipient (a mobile or an address) and answers a
`SendResult`; it reads the provider's delivery receipts and inbound replies from a webhook body
and says whether a webhook request is the provider's. The delivery workers
(`liuke.engagement.delivery`) decide what to send and when and record what happened; a channel
only speaks its provider's protocol, so the same adapter sends a customer's reminder (the Message
path) and a one-time code to a mobile that is not a customer yet (`delivery.text_send`).

Channels are configured per business (`ChannelAccount`: provider, sign name, template codes);
their secrets come from settings or a file (`channels.config`), never from the database.
Adding a provider is a module here with a class that satisfies `Channel` and an entry in
`PROVIDERS`; nothing else changes.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any, Protocol


class Outcome(enum.StrEnum):
    #: the provider accepted the message
    SENT = "sent"
    #: not sent, try again later (throttled, provider busy, connection refused before sending)
    TEMPORARY = "temporary"
    #: not sent and never will be as it is (bad number, template refused, account blocked)
    PERMANENT = "permanent"
    #: the request left and no answer came (a timeout, a reset): it may or may not have been sent
    UNKNOWN = "unknown"
    #: not sent by a machine: the message waits in the outbox page for a person
    STAGED = "staged"


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One text to one recipient. `out_id` is ours and stable across retries: the provider
    echoes it in its receipts (and, where it deduplicates on it, a retry cannot send twice).
    `template` and `params` are for providers that send only approved templates (SMS in China);
    `text` is the rendered text (email, the outbox, a provider that takes free text)."""

    out_id: str
    to: str
    text: str
    template: str = ""
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)
    subject: str = ""


@dataclasses.dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    #: the provider's id of the sent message (Alibaba's BizId, Tencent's SerialNo)
    provider_id: str = ""
    #: the provider's error code and text, kept as the reason of a failure (no personal data)
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Receipt:
    """A delivery report: `key` is unique per report (a report sent twice has the same key)."""

    key: str
    delivered: bool
    out_id: str = ""
    provider_id: str = ""
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Inbound:
    """A reply a customer sent to the business's SMS number."""

    mobile: str
    text: str


class ChannelError(Exception):
    """A webhook body the channel cannot read."""


class Channel(Protocol):
    name: str
    #: the provider answers a repeated out-id with the first send's result instead of sending
    #: again; only then may an attempt with an unknown outcome be repeated
    dedupes_out_id: bool
    #: messages per second this channel may send (per worker process)
    rate_per_second: float

    def send(self, outgoing: Outgoing) -> SendResult:
        """Send one text; never raises for the provider's errors (they are outcomes)."""
        ...

    def receipts(self, body: bytes) -> list[Receipt]:
        """The delivery reports in a receipt webhook's body (`ChannelError` if unreadable)."""
        ...

    def inbound(self, body: bytes) -> list[Inbound]:
        """The replies in an inbound-message webhook's body (`ChannelError` if unreadable)."""
        ...

    def webhook_answer(self) -> dict[str, Any]:
        """What the provider expects as the answer to a webhook it delivered."""
        ...
