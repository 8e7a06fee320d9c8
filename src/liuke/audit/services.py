"""Appending to the audit log. Called by services (in the same transaction as the change they
record) and by selectors that read personal data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from liuke.audit.models import AuditEvent, AuditHead, AuditSubject
from liuke.core import context


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
) -> AuditEvent:
    """Append one event to the chain.

    The head row is locked for the append (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers), so two appends never take the same
    predecessor: the chain cannot fork. Joins the caller's transaction when there is one.
    """
    ids = sorted({int(i) for i in customer_ids})
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            business_id=getattr(actor, "business_id", None),
            actor_id=getattr(actor, "pk", None),
            actor_label=getattr(actor, "username", "") or "",
            action=action,
            customer_ids=ids,
            fields=[str(f)[:100] for f in fields],
            reason=reason[:500],
            request_id=context.request_id.get() or "",
            client_ip=(context.client_ip.get() or "")[:45],
            prev_hash=head.hash,
        )
        event.hash = hash_of(event)
        event.save()
        if ids:
            AuditSubject.objects.bulk_create(
                [AuditSubject(event=event, customer_id=i) for i in ids]
            )
        AuditHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event
