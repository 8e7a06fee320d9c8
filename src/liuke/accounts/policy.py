"""The one place that decides who may read and write what.

Capabilities are named and mapped to roles in `ROLE_CAPABILITIES`; views, API handlers and
selectors ask `can(user, capability)` and scope querysets with `scope_customers(user, qs)`.
Nothing else decides access: no `is_superuser` checks in views or templates. The issue on the
full access policy (key-account grants, field masking) extends this module, not its callers.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from django.db.models import F, QuerySet

from liuke.accounts.choices import Role
from liuke.core.errors import CapabilityDenied

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
    # Key accounts, field rules, handover (the access-policy issue)
    CUSTOMER_GRANT_DECIDE = "customer.grant_decide"
    CUSTOMER_HANDOVER = "customer.handover"
    FINANCE_VIEW = "finance.view"
    CUSTOMER_EXPORT = "customer.export"
    # engagement (contacts, follow-ups, reminders, the brief): issue 5
    ENGAGEMENT_VIEW = "engagement.view"
    CONTACT_LOG = "engagement.contact_log"
    FOLLOWUP_WORK = "engagement.followup_work"
    REASON_MANAGE = "engagement.reason_manage"
    OUTBOX_SEND = "engagement.outbox_send"
    ENGAGEMENT_REPORTS = "engagement.reports"
    # analytics: business-wide customer value lists, dashboards and the fitted models.
    ANALYTICS_VIEW = "analytics.view"
    # analytics: recompute the stored figures now (a queued job) instead of waiting for the night.
    ANALYTICS_REFRESH = "analytics.refresh"
    # --- audit app (issue 3): browsing, exporting the audit log and its unusual-reading flags.
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    AUDIT_FLAG_ACK = "audit.flag_ack"
    # --- complaints (issue 6): cases in ten steps, approvals, targets, reports.
    COMPLAINT_VIEW = "complaint.view"
    COMPLAINT_HANDLE = "complaint.handle"
    COMPLAINT_APPROVE = "complaint.approve"
    COMPLAINT_MANAGE = "complaint.manage"
    COMPLAINT_REPORTS = "complaint.reports"
    # --- feedback app (issue 6): surveys, suggestion box, conversations, "you said, we did".
    FEEDBACK_VIEW = "feedback.view"
    FEEDBACK_RECORD = "feedback.record"
    FEEDBACK_MANAGE = "feedback.manage"


_ALL = frozenset(Cap)
_READ_ONLY = frozenset(
    {
        Cap.CUSTOMER_VIEW,
        Cap.BRANCH_STATS_VIEW,
        Cap.STAFF_VIEW,
        Cap.CUSTOMER_VIEW_FULL_MOBILE,
        Cap.SALES_VIEW,
        Cap.DAILY_CLOSE_VIEW,
        Cap.FINANCE_VIEW,
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
            Cap.FINANCE_VIEW,
        }
    ),
    Role.BEAUTICIAN: frozenset(
        {Cap.CUSTOMER_VIEW, Cap.CUSTOMER_EDIT, Cap.CUSTOMER_CONFIRM, Cap.SALES_VIEW}
    ),
    Role.AUDITOR: _READ_ONLY,
}

# engagement (issue 5): owners and managers get every capability above through _ALL.
_ENGAGEMENT_ROLE_CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.FRONT_DESK: frozenset(
        {Cap.ENGAGEMENT_VIEW, Cap.CONTACT_LOG, Cap.FOLLOWUP_WORK, Cap.OUTBOX_SEND}
    ),
    Role.BEAUTICIAN: frozenset({Cap.ENGAGEMENT_VIEW, Cap.CONTACT_LOG, Cap.FOLLOWUP_WORK}),
    Role.AUDITOR: frozenset({Cap.ENGAGEMENT_VIEW, Cap.ENGAGEMENT_REPORTS}),
}
for _role, _caps in _ENGAGEMENT_ROLE_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps
# analytics: owners and managers have every capability; auditors may read the figures too.
ROLE_CAPABILITIES[Role.AUDITOR] = ROLE_CAPABILITIES[Role.AUDITOR] | {Cap.ANALYTICS_VIEW}
# --- audit app (issue 3): only owners and auditors browse and export the log and acknowledge
# its flags; managers (who otherwise hold every capability but settings) do not.
_AUDIT = frozenset({Cap.AUDIT_VIEW, Cap.AUDIT_EXPORT, Cap.AUDIT_FLAG_ACK})
ROLE_CAPABILITIES[Role.MANAGER] = ROLE_CAPABILITIES[Role.MANAGER] - _AUDIT
ROLE_CAPABILITIES[Role.AUDITOR] = ROLE_CAPABILITIES[Role.AUDITOR] | _AUDIT

# --- complaints (issue 6): owners and managers hold every complaint capability (managers set
# targets and extend the causes); front desk and beauticians open and handle complaints;
# auditors read them and their reports. Approving compensation above a limit: owners, managers.
_COMPLAINT_ROLE_CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.FRONT_DESK: frozenset({Cap.COMPLAINT_VIEW, Cap.COMPLAINT_HANDLE}),
    Role.BEAUTICIAN: frozenset({Cap.COMPLAINT_VIEW, Cap.COMPLAINT_HANDLE}),
    Role.AUDITOR: frozenset({Cap.COMPLAINT_VIEW, Cap.COMPLAINT_REPORTS}),
}
for _role, _caps in _COMPLAINT_ROLE_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps
# --- feedback app (issue 6): owners and managers hold every feedback capability (_ALL); front
# desk reads the answers and records conversations; auditors read. Survey settings, suggestion
# handling and "you said, we did" notices stay with managers and owners.
ROLE_CAPABILITIES[Role.FRONT_DESK] = ROLE_CAPABILITIES[Role.FRONT_DESK] | {
    Cap.FEEDBACK_VIEW,
    Cap.FEEDBACK_RECORD,
}
ROLE_CAPABILITIES[Role.AUDITOR] = ROLE_CAPABILITIES[Role.AUDITOR] | {Cap.FEEDBACK_VIEW}

#: Roles that see every branch of their business; the others see the branches they belong to.
ALL_BRANCH_ROLES = frozenset({Role.OWNER, Role.AUDITOR})

#: Roles that read every key account's full file in their scope (besides its responsible person).
KEY_ACCOUNT_ROLES = frozenset({Role.OWNER, Role.MANAGER})

# --- Field-level rules -------------------------------------------------------------------------
#: The minimal card of a key account: what anyone in scope sees without a grant.
CARD_FIELDS = frozenset({"name", "gender", "mobile", "branch_id", "owner_id", "is_key_account"})
#: Health fields a beautician serving the customer always sees, even on the minimal card.
SAFETY_FIELDS = frozenset({"allergies", "contraindications"})
#: Only the customer's responsible person, managers and owners.
CONFIDENTIAL_FIELDS = frozenset({"confidential_notes"})
#: A beautician "serves" a customer when they performed a service for them this recently
#: (appointments, when they come, add "booked with them today").
SERVING_WINDOW_DAYS = 30


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


def require(user: Any, capability: Cap) -> None:
    """Refuse (`CapabilityDenied`) unless the user holds the capability: the one check that
    services and selectors make before they read or write."""
    if not can(user, capability):
        raise CapabilityDenied()


def roles_with(capability: Cap) -> frozenset[str]:
    """The roles that hold a capability (to pick the staff who may be given a kind of work)."""
    return frozenset(role for role, caps in ROLE_CAPABILITIES.items() if capability in caps)


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


def scope_customers(
    user: Any, qs: QuerySet[Any], prefix: str = "", *, for_search: bool = False
) -> QuerySet[Any]:
    """Restrict any queryset of customers (or of rows with a customer FK, via `prefix`).

    `for_search=True` writes the branch condition as `(branch_id + 0) IN (…)`: the same rows,
    but no index can serve it, so the query planner must use the search key's index (name,
    pinyin, phone, card) and check the branch on the few rows it finds. Left as a plain
    `branch_id IN (…)`, SQLite without fresh statistics prefers the (business, branch) index
    and walks half a branch for every search (docs/benchmarks.md).
    """
    scope = customer_scope(user, prefix)
    if scope is None:
        return qs.none()
    branch_key = f"{prefix}__branch_id__in" if prefix else "branch_id__in"
    if for_search and branch_key in scope:
        ids = scope.pop(branch_key)
        column = f"{prefix}__branch_id" if prefix else "branch_id"
        qs = qs.alias(_scope_branch=F(column) + 0).filter(_scope_branch__in=ids)
    return qs.filter(**scope)


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


# --- Key accounts and borrowed access ----------------------------------------------------------


def is_customer_owner(user: Any, customer: Any) -> bool:
    return customer.owner_id is not None and customer.owner_id == getattr(user, "pk", None)


def active_grant(user: Any, customer: Any, now: dt.datetime | None = None) -> Any | None:
    """The grant in force that lets `user` read this key account's file, if any."""
    from django.utils import timezone

    from liuke.customers.choices import GrantStatus
    from liuke.customers.models import AccessGrant

    return (
        AccessGrant.objects.filter(
            grantee_id=user.pk,
            customer_id=customer.pk,
            status=GrantStatus.APPROVED,
            expires_at__gt=now or timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def reads_every_key_account(user: Any) -> bool:
    """Managers and owners read every key account's full file in their scope."""
    return user.role in KEY_ACCOUNT_ROLES


def always_reads_file(user: Any, customer: Any) -> bool:
    """Whether `user` reads this customer's full file without a grant even when it is a key
    account: its responsible person, managers and owners."""
    return reads_every_key_account(user) or is_customer_owner(user, customer)


def sees_business_tokens(user: Any) -> bool:
    """The owner sees and revokes every API token of the business; others only their own."""
    return bool(user.role == Role.OWNER)


def may_lift_compensation_limit(user: Any) -> bool:
    """Only the owner removes a role's compensation limit altogether."""
    return bool(user.role == Role.OWNER)


def has_full_file(user: Any, customer: Any, now: dt.datetime | None = None) -> bool:
    """Whether `user` (already in scope) may read the customer's full file, or only the card.

    Every customer's file is open to staff in scope except a key account's: that is open to its
    responsible person, managers and owners, and to anyone holding a grant in force.
    """
    if not customer.is_key_account:
        return True
    if always_reads_file(user, customer):
        return True
    return active_grant(user, customer, now) is not None


def may_decide_grant(user: Any, customer: Any) -> bool:
    """The customer's responsible person, or a manager/owner in scope, decides requests."""
    if not customer_visible(user, customer):
        return False
    return is_customer_owner(user, customer) or can(user, Cap.CUSTOMER_GRANT_DECIDE)


def is_serving(user: Any, customer: Any, now: dt.datetime | None = None) -> bool:
    """A beautician who served this customer in the last `SERVING_WINDOW_DAYS` days."""
    from django.utils import timezone

    from liuke.sales.models import VisitLine

    since = (now or timezone.now()) - dt.timedelta(days=SERVING_WINDOW_DAYS)
    return VisitLine.objects.filter(
        visit__customer_id=customer.pk, staff_id=user.pk, visit__visited_at__gte=since
    ).exists()


def visible_fields(user: Any, customer: Any, *, full_file: bool | None = None) -> frozenset[str]:
    """The profile fields `user` may see on this customer (the customer already in scope).

    `full_file` may be passed when the caller has computed `has_full_file` already.
    """
    from liuke.customers.services import EDITABLE_FIELDS

    if full_file is None:
        full_file = has_full_file(user, customer)
    if full_file:
        fields = set(EDITABLE_FIELDS) | {"photos", "history"}
    else:
        fields = set(CARD_FIELDS)
        if user.role == Role.BEAUTICIAN and (
            is_customer_owner(user, customer) or is_serving(user, customer)
        ):
            fields |= SAFETY_FIELDS
    if not always_reads_file(user, customer):
        fields -= CONFIDENTIAL_FIELDS
    return frozenset(fields)


def present_customer_mobile(user: Any, customer: Any, *, full_file: bool = True) -> str:
    """The customer's mobile as this user may see it; always masked on a key account's card."""
    from liuke.core.phone import mask_mobile

    if not customer.mobile:
        return ""
    if full_file and show_full_mobile(user):
        return str(customer.mobile)
    return mask_mobile(customer.mobile)


def present_listed_mobile(user: Any, customer: Any) -> str:
    """The mobile in a list of customers (search results, lists, pickers, the API's lists):
    lists show card fields, so a key account's mobile stays masked unless the user is one of
    those who always read its file (a borrowed grant opens the profile, not the lists)."""
    full = not customer.is_key_account or always_reads_file(user, customer)
    return present_customer_mobile(user, customer, full_file=full)


def capability_table_markdown() -> str:
    """The role table as docs/security.md shows it (a test keeps the two identical)."""
    roles = list(Role)
    lines = [
        "| capability | " + " | ".join(str(r.label) for r in roles) + " |",
        "| --- | " + " | ".join("---" for _ in roles) + " |",
    ]
    for cap in Cap:
        marks = ["✓" if cap in ROLE_CAPABILITIES.get(r, frozenset()) else "" for r in roles]
        lines.append(f"| `{cap.value}` | " + " | ".join(marks) + " |")
    return "\n".join(lines)
