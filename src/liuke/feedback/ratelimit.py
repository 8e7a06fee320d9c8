"""Rate limits for the public pages, counted in the database.

Each submission adds one to the counter of (kind of page, client address) for the current
window, in one `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement: atomic on SQLite and
PostgreSQL, and shared by every app server and worker (a counter in process memory would let
each of N servers accept N times the limit). The address is stored only as a keyed hash.
Old windows are deleted by the hourly job. The client's address is `liuke.core.clientaddr`'s
(X-Forwarded-For only from a trusted proxy).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.db import connection, transaction

from liuke.feedback.models import RateCounter


def _key(scope: str, address: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{scope}|{address}".encode(), hashlib.sha256).hexdigest()


def hit(
    scope: str,
    address: str,
    *,
    limit: int | None = None,
    window_seconds: int | None = None,
    now: float | None = None,
) -> bool:
    """Count one submission; True while the address is within the limit for this window."""
    limit = settings.LIUKE_PUBLIC_RATE_LIMIT if limit is None else limit
    window_seconds = window_seconds or settings.LIUKE_PUBLIC_RATE_WINDOW
    window = int((time.time() if now is None else now) // window_seconds)
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (key_hash, slot, hits) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (key_hash, slot) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [_key(scope, address), window])
        (count,) = cursor.fetchone()
    return int(count) <= limit


def purge(*, now: float | None = None, keep_seconds: int = 86400) -> int:
    """Delete counters of windows that ended more than `keep_seconds` ago."""
    window_seconds = settings.LIUKE_PUBLIC_RATE_WINDOW
    oldest = int(((time.time() if now is None else now) - keep_seconds) // window_seconds)
    deleted, _ = RateCounter.objects.filter(slot__lt=oldest).delete()
    return deleted
