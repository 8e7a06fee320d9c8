"""The email channel through Django's SMTP backend, against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.test import override_settings
from tests.engagement.delivery_helpers import CREDENTIALS

from liuke.engagement import delivery
from liuke.engagement.channels import Outcome, Outgoing
from liuke.engagement.channels.email import EmailChannel
from liuke.engagement.delivery_models import ChannelAccount


class Mailbox:
    """Keeps what the server accepted; refuses recipients at refused.example."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _channel(port: int) -> EmailChannel:
    return EmailChannel(
        options={"host": "127.0.0.1", "port": port, "from_email": "shop@liyan.example",
                 "subject": "丽颜美容", "timeout": 5},
        credentials={},
    )  # fmt: skip


def test_a_mail_is_sent_with_our_out_id_as_its_message_id(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    result = _channel(port).send(
        Outgoing(out_id="lk42", to="zhang@customer.example", text="张女士您好，3月9日见")
    )
    assert result.outcome == Outcome.SENT
    [envelope] = mailbox.received
    assert envelope.rcpt_tos == ["zhang@customer.example"]
    mail = message_from_bytes(envelope.original_content or b"")
    assert mail["Message-ID"] == result.provider_id
    assert ".lk42@" in mail["Message-ID"]
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "3月9日" in body.decode()


def test_a_refused_recipient_is_permanent_and_no_server_is_temporary(
    smtp: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp
    refused = _channel(port).send(Outgoing(out_id="lk1", to="a@refused.example", text="x"))
    assert refused.outcome == Outcome.PERMANENT
    assert mailbox.received == []
    assert _channel(_free_port()).send(
        Outgoing(out_id="lk2", to="b@x.example", text="x")
    ).outcome == (Outcome.TEMPORARY)


@pytest.mark.django_db
def test_text_send_goes_through_the_businesss_email_account(
    business: Any, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp
    ChannelAccount.objects.create(
        business=business, channel="email", provider="smtp",
        options={"host": "127.0.0.1", "port": port, "from_email": "shop@liyan.example"},
    )  # fmt: skip
    with override_settings(CHANNEL_CREDENTIALS=CREDENTIALS):
        result = delivery.text_send(
            business_id=business.pk, to="li@customer.example", out="code-7", text="验证码 123456",
            channel="email",
        )  # fmt: skip
    assert result.outcome == Outcome.SENT
    assert mailbox.received[0].rcpt_tos == ["li@customer.example"]
