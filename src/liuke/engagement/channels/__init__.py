"""Message channels: one module per channel, one interface.

A channel takes a message whose text is rendered and either hands it over (an SMS or WeChat
gateway would send it and answer SENT or FAILED) or, like the default `outbox` channel, leaves
it READY for a staff member to send by hand from the outbox page. Adding a gateway is a new
module here with a `Channel` subclass and an entry in `CHANNELS`; nothing else changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from liuke.engagement.models import Message


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> tuple[str, str]:
        """Deliver (or stage) one message; return its new status and a short note."""
        ...


def get_channel(name: str) -> Channel:
    from liuke.engagement.channels.outbox import OutboxChannel

    channels: dict[str, Channel] = {OutboxChannel.name: OutboxChannel()}
    try:
        return channels[name]
    except KeyError:
        raise LookupError(f"no message channel {name!r}") from None
