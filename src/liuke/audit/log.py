"""Appending to the audit log: the leaf every app writes through.

Called by services (in the same transaction as the change they record) and by selectors that read
personal data. It imports nothing above `liuke.core` (no policy, no other app), so even the
accounts app below customers can record its changes here; reading, exporting and flagging the
log need the policy and live in `audit.selectors` / `audit.services`, a higher layer
(docs/architecture.md, "Layers").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from liuke.audit import journal as read_journal
from liuke.audit.choices import Action
from liuke.audit.models import AuditEvent, AuditHead, AuditSubject
from liuke.core import context

#: The reads of personal data. Only these are skipped when LIUKE_AUDIT_READS is off (the audit
#: benchmark's comparison); changes are always recorded.
READ_ACTIONS = frozenset({Action.VIEW, Action.LIST, Action.SEARCH, Action.HISTORY, Action.PHOTO})


def event_hash(
    *,
    seq: int,
    occurred_at: dt.datetime,
    business_id: int | None,
    actor_id: int | None,
    actor_label: str,
    action: str,
    customer_ids: list[int],
    fields: list[str],
    reason: str,
    request_id: str,
    client_ip: str,
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON encoding of everything an event says."""
    payload = [
        seq,
        occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        business_id,
        actor_id,
        actor_label,
        action,
        customer_ids,
        fields,
        reason,
        request_id,
        client_ip,
        prev_hash,
    ]
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def hash_of(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        business_id=event.business_id,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        customer_ids=list(event.customer_ids),
        fields=list(event.fields),
        reason=event.reason,
        request_id=event.request_id,
        client_ip=event.client_ip,
        prev_hash=event.prev_hash,
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    customer_ids: Iterable[int] = (),
    fields: Iterable[str] = (),
    reason: str = "",
    journal: bool = True,
) -> AuditEvent:
    """Append one event to the chain; a read during a request is noted in the request's journal
    instead (`audit.journal`: one event per request, written when the view has answered; the
    returned event is then unsaved). `journal=False` appends at once (the journal's own flush).

    The head row is locked for the append (`UPDATE … RETURNING` takes the next number and locks
    the row until commit on PostgreSQL; SQLite's IMMEDIATE transactions already serialise
    writers), so two appends never take the same predecessor: the chain cannot fork. Joins the
    caller's transaction when there is one. The statements are plain SQL, prepared before the
    lock is taken, and no ORM work happens under it: on PostgreSQL the lock is held for two
    round trips and the commit (measured in docs/benchmarks.md, "Audit").
    """
    ids = sorted({int(i) for i in customer_ids})
    if action in READ_ACTIONS and not settings.LIUKE_AUDIT_READS:
        # Only for `liuke bench` (docs/benchmarks.md): never off in production.
        return AuditEvent(action=action, customer_ids=ids)
    pending = read_journal.current() if journal and action in READ_ACTIONS else None
    if pending is not None:
        pending.note(actor=actor, action=action, customer_ids=ids, fields=fields, reason=reason)
        return AuditEvent(action=action, customer_ids=ids)
    event = AuditEvent(
        business_id=getattr(actor, "business_id", None),
        actor_id=getattr(actor, "pk", None),
        actor_label=getattr(actor, "username", "") or "",
        action=action,
        customer_ids=ids,
        fields=[str(f)[:100] for f in fields],
        reason=reason[:500],
        request_id=context.request_id.get() or "",
        client_ip=(context.client_ip.get() or "")[:45],
    )
    # Everything is prepared before the head is locked.
    insert_sql, insert_params = _insert_statement(event)
    connection = connections[AuditEvent.objects.db]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # Locks the head row (until commit) and takes the next number in one statement.
        cursor.execute(
            f"UPDATE {_HEAD} SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"  # noqa: S608
        )
        row = cursor.fetchone()
        if row is None:
            raise RuntimeError("the audit head record is missing (migration audit 0002)")
        event.seq, event.prev_hash = int(row[0]), row[1]
        event.occurred_at = timezone.now()
        event.hash = hash_of(event)
        values = [*_prepped(event, connection), *insert_params]
        if connection.vendor == "postgresql":
            # One round trip for the event, its customer rows and the head's hash.
            combined = (
                f"WITH e AS ({insert_sql}), "  # noqa: S608 (table names and placeholders only)
                f"s AS (INSERT INTO {_SUBJECT} (event_id, customer_id) "
                "SELECT e.id, c FROM e, unnest(%s::bigint[]) AS c), "
                f"h AS (UPDATE {_HEAD} SET hash = %s WHERE id = 1) "
                "SELECT id FROM e"
            )
            cursor.execute(combined, [*values, ids, event.hash])
            event.pk = cursor.fetchone()[0]
        else:
            cursor.execute(insert_sql, values)
            event.pk = cursor.fetchone()[0]
            if ids:
                cursor.executemany(
                    f"INSERT INTO {_SUBJECT} (event_id, customer_id) VALUES (%s, %s)",  # noqa: S608
                    [(event.pk, i) for i in ids],
                )
            cursor.execute(f"UPDATE {_HEAD} SET hash = %s WHERE id = 1", [event.hash])  # noqa: S608
    return event


_HEAD = AuditHead._meta.db_table
_SUBJECT = AuditSubject._meta.db_table
_LOCKED_COLUMNS = ("seq", "occurred_at", "prev_hash", "hash")
_OTHER_COLUMNS = (
    "business_id",
    "actor_id",
    "actor_label",
    "action",
    "customer_ids",
    "fields",
    "reason",
    "request_id",
    "client_ip",
)


def _prepped(
    event: AuditEvent, connection: Any, names: tuple[str, ...] = _LOCKED_COLUMNS
) -> list[Any]:
    """Column values as the model fields would send them (UTC datetimes, JSON adapters)."""
    meta = AuditEvent._meta
    return [
        meta.get_field(n).get_db_prep_save(getattr(event, n), connection)  # type: ignore[union-attr]
        for n in names
    ]


def _insert_statement(event: AuditEvent) -> tuple[str, list[Any]]:
    """INSERT … RETURNING id of one event: the locked columns first (filled in under the lock)."""
    connection = connections[AuditEvent.objects.db]
    columns = ", ".join(connection.ops.quote_name(c) for c in (*_LOCKED_COLUMNS, *_OTHER_COLUMNS))
    marks = ", ".join(["%s"] * (len(_LOCKED_COLUMNS) + len(_OTHER_COLUMNS)))
    sql = (
        f"INSERT INTO {AuditEvent._meta.db_table} ({columns}) VALUES ({marks}) "  # noqa: S608
        "RETURNING id"
    )
    return sql, _prepped(event, connection, _OTHER_COLUMNS)
