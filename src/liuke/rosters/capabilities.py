"""The rosters app's capabilities and the roles that hold them (docs/security.md).

Everyone who works at a branch reads its roster (the front desk books by it); a beautician
sees her own only (`rosters.selectors`). Owners set every branch's rosters, managers those of
their own branches.
"""

from __future__ import annotations

from liuke.accounts.capabilities import EVERYONE, OWNERS_AND_MANAGERS
from liuke.core.registry import Capability, RoleTable


class RosterCap(Capability):
    ROSTER_VIEW = "roster.view"
    ROSTER_MANAGE = "roster.manage"


ROLES: RoleTable = {
    RosterCap.ROSTER_VIEW:   EVERYONE,
    RosterCap.ROSTER_MANAGE: OWNERS_AND_MANAGERS,
}  # fmt: skip
