"""Reads of calls from numbers that are no customer yet (`engagement.models.ProspectCall`)."""

from __future__ import annotations

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.phone import mask_mobile
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.models import ProspectCall


def prospect_calls(*, actor: User, limit: int = 50) -> list[ProspectCall]:
    """Calls from numbers that are no customer yet, still to call back, newest first, in the
    actor's branches. Staff who may log contacts there see the number in full (`phone`, with a
    `tel` link) to call back; anyone else sees it masked. Showing them is audited."""
    if not policy.can(actor, EngagementCap.ENGAGEMENT_VIEW):
        return []
    qs = ProspectCall.objects.filter(
        business_id=policy.business_of(actor), converted_at__isnull=True
    ).select_related("reason", "staff", "branch")
    ids = policy.branch_ids(actor)
    if ids is not None:
        qs = qs.filter(branch_id__in=ids)
    rows = list(qs.order_by("-occurred_at", "-id")[:limit])
    full = policy.can(actor, EngagementCap.CONTACT_LOG)
    for row in rows:
        row.phone = row.mobile if full else mask_mobile(row.mobile)  # type: ignore[attr-defined]
        row.tel = row.mobile if full else ""  # type: ignore[attr-defined]
    if rows:
        audit_record(actor=actor, action=Action.LIST, fields=["prospect_calls"])
    return rows
