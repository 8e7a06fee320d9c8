"""Email through Django's SMTP backend (any SMTP relay: the business's mailbox provider, a
transactional service's SMTP endpoint). Options: host, port, use_tls, use_ssl, from_email,
subject, timeout; credentials: username, password.

Our out-id becomes the Message-ID, so a bounce or a reply can be traced to the message. SMTP
has no delivery report and no deduplication: an answer lost after DATA is an unknown outcome
and is not sent again (`liuke.engagement.delivery`).
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.utils import make_msgid
from typing import Any

from django.core.mail import EmailMessage, get_connection

from liuke.engagement.channels import ChannelError, Inbound, Outcome, Outgoing, Receipt, SendResult

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class EmailChannel:
    name = "email"
    dedupes_out_id = False

    def __init__(self, *, options: Mapping[str, Any], credentials: Mapping[str, str]) -> None:
        self.host = str(options.get("host") or "localhost")
        self.port = int(options.get("port") or 25)
        self.use_tls = bool(options.get("use_tls", False))
        self.use_ssl = bool(options.get("use_ssl", False))
        self.from_email = str(options.get("from_email") or "")
        self.subject = str(options.get("subject") or "")
        self.timeout = float(options.get("timeout") or 10)
        self.rate_per_second = float(options.get("rate_per_second") or 10)
        self._credentials = dict(credentials)

    def __repr__(self) -> str:
        return f"EmailChannel(host={self.host!r}, port={self.port})"

    def send(self, outgoing: Outgoing) -> SendResult:
        connection = get_connection(
            SMTP_BACKEND,
            host=self.host,
            port=self.port,
            username=self._credentials.get("username", ""),
            password=self._credentials.get("password", ""),
            use_tls=self.use_tls,
            use_ssl=self.use_ssl,
            timeout=self.timeout,
            fail_silently=False,
        )
        domain = self.from_email.rpartition("@")[2] or None
        mail = EmailMessage(
            subject=outgoing.subject or self.subject,
            body=outgoing.text,
            from_email=self.from_email or None,
            to=[outgoing.to],
            headers={"Message-ID": make_msgid(idstring=outgoing.out_id, domain=domain)},
            connection=connection,
        )
        try:
            sent = mail.send()
        except smtplib.SMTPRecipientsRefused:
            return SendResult(Outcome.PERMANENT, reason="recipient refused")
        except smtplib.SMTPResponseException as error:
            outcome = Outcome.TEMPORARY if 400 <= error.smtp_code < 500 else Outcome.PERMANENT
            return SendResult(outcome, reason=f"SMTP {error.smtp_code}")
        except (ConnectionRefusedError, smtplib.SMTPConnectError):
            return SendResult(Outcome.TEMPORARY, reason="connection refused")
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError):
            return SendResult(Outcome.UNKNOWN, reason="connection lost")
        if sent != 1:
            return SendResult(Outcome.PERMANENT, reason="not accepted")
        return SendResult(Outcome.SENT, provider_id=str(mail.extra_headers["Message-ID"])[:64])

    def receipts(self, body: bytes) -> list[Receipt]:
        raise ChannelError("email has no delivery reports")

    def inbound(self, body: bytes) -> list[Inbound]:
        raise ChannelError("email replies are not read here")

    def webhook_answer(self) -> dict[str, Any]:
        return {}
