"""The capabilities the access policy itself decides by, and the roles that hold them.

Each app declares its own capabilities (a `Capability` enum in its `capabilities.py`) and their
rows of the role table; `accounts.policy` collects every app's rows through the registry. These
are the ones the policy's own rules name (who sees which customers, full mobiles, money, who
decides a key-account grant) and the staff and settings pages of this app.
"""

from __future__ import annotations

from liuke.accounts.choices import Role
from liuke.core.registry import Capability, RoleTable

#: The role table's columns, named as docs/security.md names them.
OWNER, MANAGER, FRONT_DESK, BEAUTICIAN, AUDITOR = (
    Role.OWNER, Role.MANAGER, Role.FRONT_DESK, Role.BEAUTICIAN, Role.AUDITOR
)  # fmt: skip
EVERYONE = frozenset(Role)
OWNERS_AND_MANAGERS = frozenset({OWNER, MANAGER})


class Cap(Capability):
    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_VIEW_FULL_MOBILE = "customer.view_full_mobile"
    CUSTOMER_GRANT_DECIDE = "customer.grant_decide"
    #: Money about customers (spend, balances, prices paid, value): the policy's MONEY class.
    FINANCE_VIEW = "finance.view"
    #: Other staff members' commissions (提成): in the branches one works in (every branch for
    #: the owner and the auditor). Everyone sees their own; nobody else's without this.
    COMMISSION_VIEW = "commission.view"
    CUSTOMER_ACCESS_REQUEST = "customer.access_request"
    BRANCH_STATS_VIEW = "branch.stats_view"
    STAFF_VIEW = "staff.view"
    STAFF_MANAGE = "staff.manage"
    BRANCH_EDIT = "branch.edit"
    SETTINGS_MANAGE = "settings.manage"


ROLES: RoleTable = {
    Cap.CUSTOMER_VIEW:             EVERYONE,
    Cap.CUSTOMER_VIEW_FULL_MOBILE: frozenset({OWNER, MANAGER, FRONT_DESK, AUDITOR}),
    Cap.CUSTOMER_GRANT_DECIDE:     OWNERS_AND_MANAGERS,
    Cap.FINANCE_VIEW:              frozenset({OWNER, MANAGER, FRONT_DESK, AUDITOR}),
    Cap.COMMISSION_VIEW:           frozenset({OWNER, MANAGER, AUDITOR}),
    # Asking to borrow a key account's file is a write (a request others must decide): not for
    # the read-only auditor.
    Cap.CUSTOMER_ACCESS_REQUEST:   frozenset({OWNER, MANAGER, FRONT_DESK, BEAUTICIAN}),
    Cap.BRANCH_STATS_VIEW:         frozenset({OWNER, MANAGER, AUDITOR}),
    Cap.STAFF_VIEW:                frozenset({OWNER, MANAGER, FRONT_DESK, AUDITOR}),
    Cap.STAFF_MANAGE:              OWNERS_AND_MANAGERS,
    Cap.BRANCH_EDIT:               OWNERS_AND_MANAGERS,
    Cap.SETTINGS_MANAGE:           frozenset({OWNER}),
}  # fmt: skip
