"""The audit app's capabilities and the roles that hold them (docs/security.md).

Only owners and auditors browse and export the log and acknowledge its flags; managers, who
hold nearly everything else, do not.
"""

from __future__ import annotations

from liuke.accounts.capabilities import AUDITOR, OWNER
from liuke.core.registry import Capability, RoleTable


class AuditCap(Capability):
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    AUDIT_FLAG_ACK = "audit.flag_ack"


ROLES: RoleTable = {
    AuditCap.AUDIT_VIEW:     frozenset({OWNER, AUDITOR}),
    AuditCap.AUDIT_EXPORT:   frozenset({OWNER, AUDITOR}),
    AuditCap.AUDIT_FLAG_ACK: frozenset({OWNER, AUDITOR}),
}  # fmt: skip
