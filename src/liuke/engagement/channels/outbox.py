"""The default channel: the message waits in the outbox page, where a staff member copies it
to WeChat or SMS and marks it sent (who and when are recorded)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from liuke.engagement.choices import MessageStatus

if TYPE_CHECKING:
    from liuke.engagement.models import Message


class OutboxChannel:
    name = "outbox"

    def send(self, message: Message) -> tuple[str, str]:
        return MessageStatus.READY, ""
