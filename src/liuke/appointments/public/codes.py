"""One-time codes that prove a mobile number on the public booking page.

Six digits, sent through `engagement.services.codes.code_send`, valid for ten minutes, five
wrong guesses and the code is dead. Only keyed hashes are stored (of the number, of the asking
address, of the code). The code rows of the last hour and day are the rate limits: per number
and per client address, counted in the database, so every app server sees the same count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts.models import Branch
from liuke.appointments.errors import TooManyCodes
from liuke.appointments.models import OnlineCode
from liuke.core.locking import lock_one
from liuke.engagement.services.codes import CODE_LIFETIME, code_send, mobile_hash

MAX_ATTEMPTS = 5
#: (how many codes, in how long) per mobile number and per client address
PER_NUMBER = ((3, dt.timedelta(minutes=15)), (8, dt.timedelta(days=1)))
PER_ADDRESS = ((10, dt.timedelta(hours=1)), (30, dt.timedelta(days=1)))


def _keyed(purpose: str, value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def _code_hash(row_salt: str, code: str) -> str:
    return _keyed("online-code", f"{row_salt}|{code}")


def address_hash(address: str) -> str:
    return _keyed("address", address)


def _over(field: str, value: str, limits: tuple[tuple[int, dt.timedelta], ...]) -> bool:
    now = timezone.now()
    return any(
        OnlineCode.objects.filter(**{field: value}, created_at__gte=now - span).count() >= most
        for most, span in limits
    )


@transaction.atomic
def code_request(*, branch: Branch, mobile: str, address: str) -> OnlineCode:
    """Send a code to `mobile` (normalised by the caller) for the booking page of `branch`;
    refused (429 `too_many_codes`) over the limits per number or per address."""
    number_key, address_key = mobile_hash(mobile), address_hash(address)
    if _over("mobile_hash", number_key, PER_NUMBER) or _over(
        "address_hash", address_key, PER_ADDRESS
    ):
        raise TooManyCodes()
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    row = OnlineCode.objects.create(
        business_id=branch.business_id,
        branch=branch,
        mobile_hash=number_key,
        address_hash=address_key,
        code_hash="",
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    row.code_hash = _code_hash(str(row.pk), code)
    row.save(update_fields=["code_hash"])
    text = _("%(branch)s booking code: %(code)s (valid for 10 minutes; do not share it).") % {
        "branch": branch.name,
        "code": code,
    }
    code_send(
        business_id=branch.business_id,
        branch_id=branch.pk,
        mobile=mobile,
        text=text,
        expires_at=row.expires_at,
    )
    return row


@transaction.atomic
def code_check(*, branch: Branch, mobile: str, code: str) -> bool:
    """Whether `code` is the live code last sent to `mobile` for this branch's page; a wrong
    guess counts against it, and a code is good for one proof only."""
    now = timezone.now()
    latest = (
        OnlineCode.objects.filter(
            branch=branch,
            mobile_hash=mobile_hash(mobile),
            verified_at__isnull=True,
            expires_at__gt=now,
        )
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        return False
    row = lock_one(OnlineCode.objects.all(), latest)
    if row is None or row.attempts >= MAX_ATTEMPTS or row.verified_at is not None:
        return False
    given = (code or "").strip()[:12]
    if hmac.compare_digest(row.code_hash, _code_hash(str(row.pk), given)):
        row.verified_at = now
        row.save(update_fields=["verified_at"])
        return True
    row.attempts += 1
    row.save(update_fields=["attempts"])
    return False


def codes_purge(*, keep: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Delete code rows older than the longest rate-limit window (the hourly job)."""
    deleted, _rows = OnlineCode.objects.filter(created_at__lt=timezone.now() - keep).delete()
    return deleted
