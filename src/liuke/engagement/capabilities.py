"""The engagement app's capabilities and the roles that hold them (docs/security.md)."""

from __future__ import annotations

from liuke.accounts.capabilities import (
    AUDITOR,
    BEAUTICIAN,
    EVERYONE,
    FRONT_DESK,
    MANAGER,
    OWNER,
    OWNERS_AND_MANAGERS,
)
from liuke.core.registry import Capability, RoleTable


class EngagementCap(Capability):
    ENGAGEMENT_VIEW = "engagement.view"
    CONTACT_LOG = "engagement.contact_log"
    FOLLOWUP_WORK = "engagement.followup_work"
    REASON_MANAGE = "engagement.reason_manage"
    OUTBOX_SEND = "engagement.outbox_send"
    ENGAGEMENT_REPORTS = "engagement.reports"


ROLES: RoleTable = {
    EngagementCap.ENGAGEMENT_VIEW:    EVERYONE,
    EngagementCap.CONTACT_LOG:        frozenset({OWNER, MANAGER, FRONT_DESK, BEAUTICIAN}),
    EngagementCap.FOLLOWUP_WORK:      frozenset({OWNER, MANAGER, FRONT_DESK, BEAUTICIAN}),
    EngagementCap.REASON_MANAGE:      OWNERS_AND_MANAGERS,
    EngagementCap.OUTBOX_SEND:        frozenset({OWNER, MANAGER, FRONT_DESK}),
    EngagementCap.ENGAGEMENT_REPORTS: frozenset({OWNER, MANAGER, AUDITOR}),
}  # fmt: skip
