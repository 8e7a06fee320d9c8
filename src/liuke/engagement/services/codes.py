"""One-time codes by SMS to a mobile number that proves itself (the public booking page).

The outbox's `Message` is a customer's; a caller who books online for the first time is not
one yet, so a code travels as a `CodeMessage`: queued here, handed to its channel by the
dispatch (`hand_over_codes`) through the business's SMS account (`delivery.text_send`, the same
adapter as every message); until one is configured the code waits queued and expires. The number
and the text are blanked once handed over or expired; neither is ever logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liuke.core.phone import normalise_mobile
from liuke.engagement.channels import Outcome
from liuke.engagement.channels.config import account_for, template_of
from liuke.engagement.choices import MessageStatus
from liuke.engagement.delivery import text_send
from liuke.engagement.models import CodeMessage

#: A code not handed over by then is of no use to anyone: it expires with the code.
CODE_LIFETIME = dt.timedelta(minutes=10)
CODE_CHANNEL = "sms"
EXPIRED = "expired before it was sent"
#: the message kind a channel account names its template for codes by (options["templates"])
CODE_TEMPLATE = "online_code"


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


def hand_over_codes(*, batch: int = 500) -> dict[str, int]:
    """Send queued codes through the business's channel (`delivery.text_send`); expire those
    too old to be of use. A code whose business has no account on its channel yet, or whose
    provider is busy, stays queued until it expires."""
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
        account = account_for(row.business_id, row.channel)
        if account is None:
            continue
        template, names = template_of(account, CODE_TEMPLATE)
        result = text_send(
            business_id=row.business_id,
            to=row.mobile,
            out=f"code-{row.pk}",
            text=row.text,
            template=template,
            params={name: row.text for name in names},
            channel=row.channel,
        )
        if result.outcome == Outcome.TEMPORARY:
            continue
        status = MessageStatus.FAILED if result.outcome == Outcome.PERMANENT else MessageStatus.SENT
        CodeMessage.objects.filter(pk=row.pk, status=MessageStatus.QUEUED).update(
            status=status, status_note=result.reason[:200], mobile="", text="", updated_at=now
        )
        handed += 1
    return {"codes_handed": handed, "codes_expired": expired}
