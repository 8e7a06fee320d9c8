"""The customers app's capabilities and the roles that hold them (docs/security.md).

Seeing customers at all (`customer.view`), full mobiles and deciding key-account grants are the
policy's own capabilities (`accounts.capabilities.Cap`).
"""

from __future__ import annotations

from liuke.accounts.capabilities import (
    BEAUTICIAN,
    FRONT_DESK,
    MANAGER,
    OWNER,
    OWNERS_AND_MANAGERS,
)
from liuke.core.registry import Capability, RoleTable


class CustomerCap(Capability):
    CUSTOMER_CREATE = "customer.create"
    CUSTOMER_EDIT = "customer.edit"
    CUSTOMER_CONFIRM = "customer.confirm"
    CUSTOMER_MERGE = "customer.merge"
    CUSTOMER_HANDOVER = "customer.handover"
    CUSTOMER_EXPORT = "customer.export"


ROLES: RoleTable = {
    CustomerCap.CUSTOMER_CREATE:   frozenset({OWNER, MANAGER, FRONT_DESK}),
    CustomerCap.CUSTOMER_EDIT:     frozenset({OWNER, MANAGER, FRONT_DESK, BEAUTICIAN}),
    CustomerCap.CUSTOMER_CONFIRM:  frozenset({OWNER, MANAGER, FRONT_DESK, BEAUTICIAN}),
    CustomerCap.CUSTOMER_MERGE:    OWNERS_AND_MANAGERS,
    CustomerCap.CUSTOMER_HANDOVER: OWNERS_AND_MANAGERS,
    CustomerCap.CUSTOMER_EXPORT:   OWNERS_AND_MANAGERS,
}  # fmt: skip
