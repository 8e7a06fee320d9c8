"""`Idempotency-Key` for API writes that move money.

The record is inserted *first*, in the same transaction as the work: a second request with the
same key blocks on the unique index (PostgreSQL) or on the write lock (SQLite) until the first
commits, then fails to insert and replays the stored answer. So twenty identical requests sent at
once do the work once and all get the same answer; a failed first attempt (an error response)
leaves nothing behind and may be retried.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[A-Za-z0-9._:\-]{8,100}$")
PENDING = 0


class IdempotencyConflict(ServiceError):
    status = 422

    def __init__(self) -> None:
        super().__init__(
            CoreErrorCode.IDEMPOTENCY_KEY_REUSED,
            _("This Idempotency-Key was already used for a different request."),
        )


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(request.path.encode())
    digest.update(request.body or b"")
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> tuple[int, Any]:
    if record.fingerprint != fingerprint:
        raise IdempotencyConflict()
    return record.status_code, record.response


def run_idempotent(
    request: HttpRequest, user_id: int, work: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run `work` once per (user, Idempotency-Key); without the header, just run it."""
    key = request.headers.get(HEADER)
    if key is None:
        return work()
    if not _KEY.match(key):
        raise ServiceError(
            CoreErrorCode.INVALID_IDEMPOTENCY_KEY,
            _("The Idempotency-Key must be 8 to 100 letters, digits or . _ : -"),
        )
    fingerprint = _fingerprint(request)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user_id=user_id,
                key=key,
                fingerprint=fingerprint,
                status_code=PENDING,
                response={},
            )
            status, body = work()
            record.status_code = status
            record.response = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            record.save(update_fields=["status_code", "response"])
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    return status, record.response
