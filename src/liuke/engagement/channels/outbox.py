"""The default channel: the message waits in the outbox page, where a staff member copies it
to WeChat or SMS and marks it sent (who and when are recorded)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from liuke.engagement.channels import ChannelError, Inbound, Outcome, Outgoing, Receipt, SendResult


class OutboxChannel:
    name = "outbox"
    dedupes_out_id = True
    rate_per_second = 1e9

    def __init__(
        self,
        *,
        options: Mapping[str, Any] | None = None,
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        # the outbox sends nothing itself (a person does): it has no options and no secrets
        del options, credentials

    def send(self, outgoing: Outgoing) -> SendResult:
        return SendResult(Outcome.STAGED)

    def receipts(self, body: bytes) -> list[Receipt]:
        raise ChannelError("the outbox has no receipts")

    def inbound(self, body: bytes) -> list[Inbound]:
        raise ChannelError("the outbox has no replies")

    def webhook_answer(self) -> dict[str, Any]:
        return {}
