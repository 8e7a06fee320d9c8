"""The audit log's own writes, for owners and auditors: an export recorded with its reason, an
unusual-reading flag acknowledged, the thresholds changed. Appending an event is
`audit.log.audit_record` (the leaf every app writes through)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Business, User
from liuke.accounts.policy import Cap
from liuke.audit.capabilities import AuditCap
from liuke.audit.choices import Action
from liuke.audit.errors import AuditErrorCode
from liuke.audit.log import audit_record
from liuke.audit.models import AuditEvent, AuditFlag
from liuke.audit.selectors import AuditFilters, filtered_events
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.core.locking import lock_get, lock_one
from liuke.core.text import clean_text

EXPORT_FORMATS = ("xlsx", "csv")


def audit_export_record(
    *, actor: Any, filters: AuditFilters, file_format: str, reason: str
) -> AuditEvent:
    """An export of the audit log is itself an audited event, with its reason and filters.

    Raises ServiceError `reason_required` without a reason, PermissionDenied without
    `audit.export`.
    """
    if file_format not in EXPORT_FORMATS:
        raise ServiceError(AuditErrorCode.INVALID_FORMAT, _("Export as xlsx or csv."))
    try:
        reason = clean_text(reason, max_length=500, field=_("Reason"))
    except ValidationError as exc:
        raise ServiceError(
            AuditErrorCode.INVALID_REASON, exc.messages[0], fields={"reason": exc.messages}
        ) from None
    if not reason:
        message = _("Give a reason for the export: it is kept in the audit log.")
        raise ServiceError(AuditErrorCode.REASON_REQUIRED, message, fields={"reason": [message]})
    _qs, searched = filtered_events(actor=actor, filters=filters, capability=AuditCap.AUDIT_EXPORT)
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


def audit_flag_acknowledge(*, actor: User, flag_id: int, note: str = "") -> AuditFlag:
    """Mark an unusual-reading flag as looked into (by whom, when, with an optional note)."""
    if not policy.can(actor, AuditCap.AUDIT_FLAG_ACK):
        raise PermissionDenied()
    try:
        note = clean_text(note, max_length=500, field=_("Note"))
    except ValidationError as exc:
        raise ServiceError(
            AuditErrorCode.INVALID_NOTE, exc.messages[0], fields={"note": exc.messages}
        ) from None
    with transaction.atomic():
        flag = lock_one(AuditFlag.objects.filter(business_id=policy.business_of(actor)), flag_id)
        if flag is None:
            raise NotFound()
        if flag.acknowledged_at is None:
            flag.acknowledged_at = timezone.now()
            flag.acknowledged_by = actor
            flag.note = note
            flag.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
    return flag


@transaction.atomic
def audit_thresholds_update(
    *, actor: Any, files_per_hour: int, opens_at: dt.time, closes_at: dt.time
) -> None:
    """The business's unusual-reading thresholds (owners: `settings.manage`); a change is
    itself recorded (action `settings`, the changed fields)."""
    if not policy.can(actor, Cap.SETTINGS_MANAGE):
        raise PermissionDenied()
    if not 1 <= files_per_hour <= 10000:
        message = _("Between 1 and 10,000 customer files an hour.")
        raise ServiceError(
            AuditErrorCode.INVALID_THRESHOLD, message, fields={"files_per_hour": [message]}
        )
    if opens_at == closes_at:
        message = _("Opening and closing times must differ.")
        raise ServiceError(AuditErrorCode.INVALID_HOURS, message, fields={"closes_at": [message]})
    business = lock_get(Business, policy.business_of(actor))
    values = {"audit_files_per_hour": files_per_hour, "opens_at": opens_at, "closes_at": closes_at}
    changed = sorted(k for k, v in values.items() if getattr(business, k) != v)
    if not changed:
        return
    for key in changed:
        setattr(business, key, values[key])
    business.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action=Action.SETTINGS, fields=changed)
