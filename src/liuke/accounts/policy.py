"""The one place that decides who may read and write what.

Capabilities are named and mapped to roles in `ROLE_CAPABILITIES`; views, API handlers and
selectors ask `can(user, capability)` and scope querysets with `scope_customers(user, qs)`.
Nothing else decides access: no `is_superuser` checks in views or templates. The issue on the
full access policy (key-account grants, field masking) extends this module, not its callers.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from liuke.accounts.choices import Role

if TYPE_CHECKING:
    from liuke.accounts.models import Branch, User


class Cap(enum.StrEnum):
    """A named capability."""

    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_CREATE = "customer.create"
    CUSTOMER_EDIT = "customer.edit"
    CUSTOMER_CONFIRM = "customer.confirm"
    CUSTOMER_MERGE = "customer.merge"
    CUSTOMER_VIEW_FULL_MOBILE = "customer.view_full_mobile"
    BRANCH_STATS_VIEW = "branch.stats_view"
    STAFF_VIEW = "staff.view"
    STAFF_MANAGE = "staff.manage"
    SETTINGS_MANAGE = "settings.manage"
    SALE_CHECKOUT = "sale.checkout"
    CARD_MANAGE = "card.manage"
    PACKAGE_SELL = "package.sell"
    PACKAGE_EXTEND = "package.extend"
    SALE_REFUND = "sale.refund"
    CATALOGUE_MANAGE = "catalogue.manage"
    STOCK_MANAGE = "stock.manage"
    SALES_VIEW = "sales.view"
    DAILY_CLOSE_VIEW = "sales.daily_close"
    # --- audit app (issue 3): browsing, exporting the audit log and its unusual-reading flags.
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    AUDIT_FLAG_ACK = "audit.flag_ack"


_ALL = frozenset(Cap)
_READ_ONLY = frozenset(
    {
        Cap.CUSTOMER_VIEW,
        Cap.BRANCH_STATS_VIEW,
        Cap.STAFF_VIEW,
        Cap.CUSTOMER_VIEW_FULL_MOBILE,
        Cap.SALES_VIEW,
        Cap.DAILY_CLOSE_VIEW,
    }
)

#: The access table shown in docs/security.md. A role not listed has no capability.
ROLE_CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.OWNER: _ALL,
    Role.MANAGER: _ALL - {Cap.SETTINGS_MANAGE},
    Role.FRONT_DESK: frozenset(
        {
            Cap.CUSTOMER_VIEW,
            Cap.CUSTOMER_CREATE,
            Cap.CUSTOMER_EDIT,
            Cap.CUSTOMER_CONFIRM,
            Cap.CUSTOMER_VIEW_FULL_MOBILE,
            Cap.STAFF_VIEW,
            Cap.SALE_CHECKOUT,
            Cap.CARD_MANAGE,
            Cap.PACKAGE_SELL,
            Cap.SALES_VIEW,
            Cap.DAILY_CLOSE_VIEW,
        }
    ),
    Role.BEAUTICIAN: frozenset(
        {Cap.CUSTOMER_VIEW, Cap.CUSTOMER_EDIT, Cap.CUSTOMER_CONFIRM, Cap.SALES_VIEW}
    ),
    Role.AUDITOR: _READ_ONLY,
}

# --- audit app (issue 3): only owners and auditors browse and export the log and acknowledge
# its flags; managers (who otherwise hold every capability but settings) do not.
_AUDIT = frozenset({Cap.AUDIT_VIEW, Cap.AUDIT_EXPORT, Cap.AUDIT_FLAG_ACK})
ROLE_CAPABILITIES[Role.MANAGER] = ROLE_CAPABILITIES[Role.MANAGER] - _AUDIT
ROLE_CAPABILITIES[Role.AUDITOR] = ROLE_CAPABILITIES[Role.AUDITOR] | _AUDIT

#: Roles that see every branch of their business; the others see the branches they belong to.
ALL_BRANCH_ROLES = frozenset({Role.OWNER, Role.AUDITOR})


def is_staff_member(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "business_id", None)
    )


def can(user: Any, capability: Cap) -> bool:
    if not is_staff_member(user):
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def capabilities(user: Any) -> frozenset[Cap]:
    if not is_staff_member(user):
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def branch_ids(user: User) -> list[int] | None:
    """The branches a user works in; None means every branch of their business."""
    if user.role in ALL_BRANCH_ROLES:
        return None
    cached = getattr(user, "_liuke_branch_ids", None)
    if cached is None:
        cached = list(user.branches.values_list("id", flat=True))
        user._liuke_branch_ids = cached  # type: ignore[attr-defined]
    return cached


def scope_branches(user: Any, qs: QuerySet[Branch]) -> QuerySet[Branch]:
    if not is_staff_member(user):
        return qs.none()
    qs = qs.filter(business_id=user.business_id)
    ids = branch_ids(user)
    return qs if ids is None else qs.filter(id__in=ids)


def customer_scope(user: Any, prefix: str = "") -> dict[str, Any] | None:
    """Filter arguments for the customers a user may see; None means none at all.

    `prefix` scopes rows that point at a customer (`prefix="customer"` for a visit).
    """
    if not can(user, Cap.CUSTOMER_VIEW):
        return None
    p = f"{prefix}__" if prefix else ""
    scope: dict[str, Any] = {f"{p}business_id": user.business_id, f"{p}merged_into__isnull": True}
    ids = branch_ids(user)
    if ids is not None:
        scope[f"{p}branch_id__in"] = ids
    return scope


def scope_customers(user: Any, qs: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    """Restrict any queryset of customers (or of rows with a customer FK, via `prefix`)."""
    scope = customer_scope(user, prefix)
    return qs.none() if scope is None else qs.filter(**scope)


def customer_visible(user: Any, customer: Any) -> bool:
    """Whether an already-loaded customer row is within the user's scope (no query)."""
    if not can(user, Cap.CUSTOMER_VIEW) or customer.business_id != user.business_id:
        return False
    if customer.merged_into_id is not None:
        return False
    ids = branch_ids(user)
    return ids is None or customer.branch_id in ids


def may_use_branch(user: Any, branch: Branch) -> bool:
    """Whether a user may place a customer in (or move one to) this branch."""
    if not is_staff_member(user) or branch.business_id != user.business_id:
        return False
    ids = branch_ids(user)
    return ids is None or branch.id in ids


def show_full_mobile(user: Any) -> bool:
    return can(user, Cap.CUSTOMER_VIEW_FULL_MOBILE)


def present_mobile(user: Any, mobile: str) -> str:
    """The mobile number as this user may see it: in full, or masked (138****5678)."""
    from liuke.core.phone import mask_mobile

    if not mobile:
        return ""
    return mobile if show_full_mobile(user) else mask_mobile(mobile)


def business_of(user: Any) -> int:
    """The business id of a staff member; every caller has passed `can()` first."""
    business_id = getattr(user, "business_id", None)
    if not isinstance(business_id, int):
        raise ValueError("not a staff member of a business")
    return business_id
