"""Appending to the audit log. Called by services (in the same transaction as the change they
record) and by selectors that read personal data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liuke.audit.choices import Action
from liuke.audit.models import AuditEvent, AuditFlag, AuditHead, AuditSubject
from liuke.core import context

if TYPE_CHECKING:
    from liuke.audit.selectors import AuditFilters

EXPORT_FORMATS = ("xlsx", "csv")

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
) -> AuditEvent:
    """Append one event to the chain.

    The head row is locked for the append (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers), so two appends never take the same
    predecessor: the chain cannot fork. Joins the caller's transaction when there is one.
    """
    ids = sorted({int(i) for i in customer_ids})
    if action in READ_ACTIONS and not settings.LIUKE_AUDIT_READS:
        # Only for `liuke bench` (docs/benchmarks.md): never off in production.
        return AuditEvent(action=action, customer_ids=ids)
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


def audit_export_record(
    *, actor: Any, filters: AuditFilters, file_format: str, reason: str
) -> AuditEvent:
    """An export of the audit log is itself an audited event, with its reason and filters.

    Raises ServiceError `reason_required` without a reason, PermissionDenied without
    `audit.export`.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from liuke.accounts.policy import Cap
    from liuke.audit.selectors import filtered_events
    from liuke.core.errors import ServiceError
    from liuke.core.text import clean_text

    if file_format not in EXPORT_FORMATS:
        raise ServiceError("invalid_format", _("Export as xlsx or csv."))
    try:
        reason = clean_text(reason, max_length=500, field=_("Reason"))
    except ValidationError as exc:
        raise ServiceError(
            "invalid_reason", exc.messages[0], fields={"reason": exc.messages}
        ) from None
    if not reason:
        message = _("Give a reason for the export: it is kept in the audit log.")
        raise ServiceError("reason_required", message, fields={"reason": [message]})
    _qs, searched = filtered_events(actor=actor, filters=filters, capability=Cap.AUDIT_EXPORT)
    customers = (
        searched if searched is not None else ([filters.customer] if filters.customer else [])
    )
    return audit_record(
        actor=actor,
        action=Action.EXPORT,
        customer_ids=customers,
        fields=["audit_log", f"format:{file_format}", *filters.as_fields()],
        reason=reason,
    )


def audit_flag_acknowledge(*, actor: Any, flag_id: int, note: str = "") -> AuditFlag:
    """Mark an unusual-reading flag as looked into (by whom, when, with an optional note)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from liuke.accounts import policy
    from liuke.accounts.policy import Cap
    from liuke.core.errors import NotFound, PermissionDenied, ServiceError
    from liuke.core.text import clean_text

    if not policy.can(actor, Cap.AUDIT_FLAG_ACK):
        raise PermissionDenied()
    try:
        note = clean_text(note, max_length=500, field=_("Note"))
    except ValidationError as exc:
        raise ServiceError("invalid_note", exc.messages[0], fields={"note": exc.messages}) from None
    with transaction.atomic():
        flag = (
            AuditFlag.objects.select_for_update()
            .filter(pk=flag_id, business_id=policy.business_of(actor))
            .first()
        )
        if flag is None:
            raise NotFound()
        if flag.acknowledged_at is None:
            flag.acknowledged_at = timezone.now()
            flag.acknowledged_by = actor
            flag.note = note
            flag.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
    return flag
