"""The transfer app's capabilities and the roles that hold them (docs/security.md).

Bringing a salon's archive in writes thousands of files at once and can be undone as a batch:
owners and managers only.
"""

from __future__ import annotations

from liuke.accounts.capabilities import OWNERS_AND_MANAGERS
from liuke.core.registry import Capability, RoleTable


class TransferCap(Capability):
    DATA_IMPORT = "transfer.import"


ROLES: RoleTable = {
    TransferCap.DATA_IMPORT: OWNERS_AND_MANAGERS,
}  # fmt: skip
