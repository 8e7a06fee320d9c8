"""One-time codes by SMS to a mobile number that proves itself (the public booking page).

The outbox's `Message` is a customer's; a caller who books online for the first time is not
one yet, so a code travels as a `CodeMessage`: queued here, handed to its channel by the
dispatch (`hand_over_codes`). A channel that can send codes has `send_code(*, mobile, text)`
returning (status, note); until one is configured the code waits queued and expires. The number
and the text are blanked once handed over or expired; neither is ever logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liuke.core.phone import normalise_mobile
from liuke.engagement.channels import get_channel
from liuke.engagement.choices import MessageStatus
from liuke.engagement.models import CodeMessage

#: A code not handed over by then is of no use to anyone: it expires with the code.
CODE_LIFETIME = dt.timedelta(minutes=10)
CODE_CHANNEL = "sms"
EXPIRED = "expired before it was sent"


@runtime_checkable
class CodeChannel(Protocol):
    """What a channel needs to send codes (an SMS gateway): the number and the text."""

    def send_code(self, *, mobile: str, text: str) -> tuple[str, str]:
        """Send one code; return its new status (sent or failed) and a short note."""
        ...


def mobile_hash(mobile: str) -> str:
    """The keyed hash a mobile number is recorded by (the secret key: not reversible by a
    table of the 10^10 numbers without it)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"mobile|{mobile}".encode(), hashlib.sha256).hexdigest()


def code_send(
    *,
    business_id: int,
    branch_id: int,
    mobile: str,
    text: str,
    expires_at: dt.datetime | None = None,
) -> CodeMessage:
    """Queue a code message to `mobile` (a CN mobile number; ValidationError otherwise)."""
    number = normalise_mobile(mobile)
    return CodeMessage.objects.create(
        business_id=business_id,
        branch_id=branch_id,
        channel=CODE_CHANNEL,
        mobile=number,
        mobile_hash=mobile_hash(number),
        mobile_last4=number[-4:],
        text=text[:200],
        expires_at=expires_at or timezone.now() + CODE_LIFETIME,
    )


def _channel_for(name: str) -> CodeChannel | None:
    try:
        channel = get_channel(name)
    except LookupError:
        return None
    return channel if isinstance(channel, CodeChannel) else None


def hand_over_codes(*, batch: int = 500) -> dict[str, int]:
    """Hand queued codes to their channel; expire those too old to be of use. A code whose
    channel cannot send codes (none configured yet) stays queued until it expires."""
    now = timezone.now()
    handed = expired = 0
    with transaction.atomic():
        expired = CodeMessage.objects.filter(
            status=MessageStatus.QUEUED, expires_at__lte=now
        ).update(
            status=MessageStatus.CANCELLED, status_note=EXPIRED, mobile="", text="", updated_at=now
        )
        rows = list(CodeMessage.objects.filter(status=MessageStatus.QUEUED).order_by("id")[:batch])
        for row in rows:
            channel = _channel_for(row.channel)
            if channel is None:
                continue
            row.status, row.status_note = channel.send_code(mobile=row.mobile, text=row.text)
            row.mobile, row.text, row.updated_at = "", "", now
            row.save(update_fields=["status", "status_note", "mobile", "text", "updated_at"])
            handed += 1
    return {"codes_handed": handed, "codes_expired": expired}
