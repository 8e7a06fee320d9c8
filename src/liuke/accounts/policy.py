"""The one place that decides who may read and write what.

Each app names its capabilities and the roles that hold them in its own `capabilities.py`;
`ROLE_CAPABILITIES` collects them (through `liuke.core.registry`). Views, API handlers and
selectors ask `can(user, capability)` and scope querysets with `scope_customers(user, qs)`.
Nothing else decides access: no `is_superuser` checks in views or templates. The issue on the
full access policy (key-account grants, field masking) extends this module, not its callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar, cast

from django.db.models import F, Q, QuerySet

from liuke.accounts.capabilities import Cap as Cap  # callers use `policy.Cap`
from liuke.accounts.choices import Role
from liuke.core.errors import CapabilityDenied
from liuke.core.registry import Capability, registry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from typing_extensions import TypeIs

    from liuke.accounts.models import Branch, User


class Actor(Protocol):
    """What the policy reads of whoever acts: a staff member (`User`), or an automated path
    that acts as an owner of one business (complaints' `SystemActor`)."""

    @property
    def pk(self) -> Any: ...
    @property
    def role(self) -> str: ...
    @property
    def business_id(self) -> int | None: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_authenticated(self) -> bool: ...


_QS = TypeVar("_QS", bound=QuerySet[Any])
_T = TypeVar("_T")

#: Whoever asks: an actor, a visitor who has not logged in, or nobody at all.
Requester: TypeAlias = "Actor | AnonymousUser | None"


class CustomerRow(Protocol):
    """What the policy reads of a customer (`customers.models.Customer`; accounts sits below
    customers and does not import it)."""

    @property
    def business_id(self) -> int: ...
    @property
    def branch_id(self) -> int: ...
    @property
    def owner_id(self) -> int | None: ...
    @property
    def merged_into_id(self) -> int | None: ...
    @property
    def is_key_account(self) -> bool: ...
    @property
    def mobile(self) -> str: ...


class _CollectedRoles(Mapping[str, frozenset[Capability]]):
    """The role table, read from the apps' contributions on first use (they are loaded once
    Django's apps are ready; the policy module is imported earlier, by the apps themselves)."""

    @cached_property
    def _table(self) -> dict[str, frozenset[Capability]]:
        return registry.role_capabilities()

    def __getitem__(self, role: str) -> frozenset[Capability]:
        return self._table[role]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def all_capabilities() -> list[Capability]:
    """Every capability any app declares, app by app (the rows of docs/security.md)."""
    return registry.capabilities()


#: Role → every capability it holds: the rows each app declares in its `capabilities.py`
#: (`ROLES`, a literal table that reads like the one in docs/security.md), collected through
#: the registry the first time a capability is asked for. A role not listed has none.
ROLE_CAPABILITIES: Mapping[str, frozenset[Capability]] = _CollectedRoles()

#: Roles that see every branch of their business; the others see the branches they belong to.
ALL_BRANCH_ROLES = frozenset({Role.OWNER, Role.AUDITOR})

#: Roles that read every key account's full file in their scope (besides its responsible person).
KEY_ACCOUNT_ROLES = frozenset({Role.OWNER, Role.MANAGER})

# --- Field-level rules -------------------------------------------------------------------------


class FieldClass(StrEnum):
    """What a piece of customer data is, for deciding who sees it: the one classification every
    output (page, partial, API answer, export, list, search, dashboard) renders through. The
    table in docs/security.md ("Field classes") says the same; `tests/privacy/
    test_sentinels.py` walks every route as every role and fails where an output disagrees."""

    #: The minimal card of a key account (`CARD_FIELDS`): anyone in scope.
    CARD = "card"
    #: The full mobile: `customer.view_full_mobile`, and on a key account the full file too;
    #: masked otherwise (`present_customer_mobile`, `present_listed_mobile`); in full also to
    #: whoever owns an open follow-up or callback about the customer (`present_work_mobile`).
    MOBILE = "mobile"
    #: Allergies, contraindications (`SAFETY_FIELDS`): the full file, or the beautician serving.
    SAFETY = "safety"
    #: The rest of the file and every row that hangs off it and says something about the person
    #: (contact notes, visit notes, package names, the card number): the full file only
    #: (`lists_file_details`, `has_full_file`).
    FILE = "file"
    #: `CONFIDENTIAL_FIELDS`: the responsible person, managers and owners only.
    CONFIDENTIAL = "confidential"
    #: Money about customers (visit totals, payments, balances, package prices, spend and value
    #: figures): `finance.view` (`sees_money`), whoever the customer.
    MONEY = "money"


#: The minimal card of a key account: what anyone in scope sees without a grant.
CARD_FIELDS = frozenset({"name", "gender", "mobile", "branch_id", "owner_id", "is_key_account"})
#: Health fields a beautician serving the customer always sees, even on the minimal card.
SAFETY_FIELDS = frozenset({"allergies", "contraindications"})
#: Only the customer's responsible person, managers and owners.
CONFIDENTIAL_FIELDS = frozenset({"confidential_notes"})
#: A beautician "serves" a customer when they performed a service for them this recently
#: (appointments, when they come, add "booked with them today").
SERVING_WINDOW_DAYS = 30


def is_staff_member(user: Requester) -> TypeIs[Actor]:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "business_id", None)
    )


def can(user: Requester, capability: Capability) -> TypeIs[Actor]:
    if not is_staff_member(user):
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def require(user: Requester, capability: Capability) -> None:
    """Refuse (`CapabilityDenied`) unless the user holds the capability: the one check that
    services and selectors make before they read or write."""
    if not can(user, capability):
        raise CapabilityDenied()


def roles_with(capability: Capability) -> frozenset[str]:
    """The roles that hold a capability (to pick the staff who may be given a kind of work)."""
    return frozenset(role for role, caps in ROLE_CAPABILITIES.items() if capability in caps)


def capabilities(user: Requester) -> frozenset[Capability]:
    if not is_staff_member(user):
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def branch_ids(user: Actor) -> list[int] | None:
    """The branches a user works in; None means every branch of their business."""
    if user.role in ALL_BRANCH_ROLES:
        return None
    cached: list[int] | None = getattr(user, "_liuke_branch_ids", None)
    if cached is None:
        # Only staff members hold a branch-bound role (automated actors act as owners).
        staff = cast("User", user)
        cached = list(staff.branches.values_list("id", flat=True))
        staff._liuke_branch_ids = cached  # type: ignore[attr-defined]
    return cached


def scope_branches(user: Requester, qs: QuerySet[Branch]) -> QuerySet[Branch]:
    if not is_staff_member(user):
        return qs.none()
    qs = qs.filter(business_id=business_of(user))
    ids = branch_ids(user)
    return qs if ids is None else qs.filter(id__in=ids)


def customer_scope(user: Requester, prefix: str = "") -> dict[str, Any] | None:
    """Filter arguments for the customers a user may see; None means none at all.

    `prefix` scopes rows that point at a customer (`prefix="customer"` for a visit).
    """
    if not can(user, Cap.CUSTOMER_VIEW):
        return None
    p = f"{prefix}__" if prefix else ""
    scope: dict[str, Any] = {f"{p}business_id": business_of(user), f"{p}merged_into__isnull": True}
    ids = branch_ids(user)
    if ids is not None:
        scope[f"{p}branch_id__in"] = ids
    return scope


def scope_customers(user: Requester, qs: _QS, prefix: str = "", *, for_search: bool = False) -> _QS:
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


def customer_visible(user: Requester, customer: CustomerRow) -> bool:
    """Whether an already-loaded customer row is within the user's scope (no query)."""
    if not can(user, Cap.CUSTOMER_VIEW) or customer.business_id != user.business_id:
        return False
    if customer.merged_into_id is not None:
        return False
    ids = branch_ids(user)
    return ids is None or customer.branch_id in ids


def may_use_branch(user: Requester, branch: Branch) -> bool:
    """Whether a user may place a customer in (or move one to) this branch."""
    if not is_staff_member(user) or branch.business_id != user.business_id:
        return False
    ids = branch_ids(user)
    return ids is None or branch.id in ids


def show_full_mobile(user: Requester) -> bool:
    return can(user, Cap.CUSTOMER_VIEW_FULL_MOBILE)


def present_mobile(user: Requester, mobile: str) -> str:
    """The mobile number as this user may see it: in full, or masked (138****5678)."""
    from liuke.core.phone import mask_mobile

    if not mobile:
        return ""
    return mobile if show_full_mobile(user) else mask_mobile(mobile)


def sees_money(user: Requester) -> bool:
    """Whether the user sees money about customers (`FieldClass.MONEY`): beauticians do not.
    Pages test `money` in their context (`web.context_processors`), API answers leave the
    figures out (null) when it is false."""
    return can(user, Cap.FINANCE_VIEW)


def commission_staff_q(user: Requester) -> Q | None:
    """The staff members (a filter on users) whose commissions `user` may read: their own
    always; with `commission.view` the staff of the branches they work in (the owner and the
    auditor: every staff member of the business). A beautician or a front desk never sees
    another's commission. None: nobody's."""
    if not is_staff_member(user):
        return None
    business = Q(business_id=business_of(user))
    own = Q(pk=user.pk)
    if not can(user, Cap.COMMISSION_VIEW):
        return business & own
    ids = branch_ids(user)
    return business if ids is None else business & (own | Q(branches__in=ids))


def without_money(user: Requester, data: _T) -> _T:
    """An API answer (dicts and lists) as `user` may see it: every money figure, a key named
    `*_fen` (the API's spelling of money), set to None for those who do not see money. Its
    schema declares those figures `core.money.MoneyOut` (nullable)."""
    if sees_money(user):
        return data
    return cast("_T", _null_money(data))


def _null_money(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: None if k.endswith("_fen") else _null_money(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_null_money(v) for v in data]
    return data


def business_of(user: Requester) -> int:
    """The business id of a staff member; every caller has passed `can()` first."""
    business_id = getattr(user, "business_id", None)
    if not isinstance(business_id, int):
        raise ValueError("not a staff member of a business")
    return business_id


# --- Key accounts and borrowed access ----------------------------------------------------------


def is_customer_owner(user: Actor, customer: CustomerRow) -> bool:
    return customer.owner_id is not None and customer.owner_id == getattr(user, "pk", None)


def needs_grant(user: Actor, customer: CustomerRow) -> bool:
    """Whether this customer's full file is closed to `user` (already in scope) unless a grant
    is in force: a key account's file is open to its responsible person, managers and owners."""
    return bool(customer.is_key_account) and not always_reads_file(user, customer)


def reads_every_key_account(user: Actor) -> bool:
    """Managers and owners read every key account's full file in their scope."""
    return user.role in KEY_ACCOUNT_ROLES


def always_reads_file(user: Actor, customer: CustomerRow) -> bool:
    """Whether `user` reads this customer's full file without a grant even when it is a key
    account: its responsible person, managers and owners."""
    return reads_every_key_account(user) or is_customer_owner(user, customer)


def sees_business_tokens(user: Actor) -> bool:
    """The owner sees and revokes every API token of the business; others only their own."""
    return bool(user.role == Role.OWNER)


def may_lift_compensation_limit(user: Actor) -> bool:
    """Only the owner removes a role's compensation limit altogether."""
    return bool(user.role == Role.OWNER)


def has_full_file(user: Actor, customer: CustomerRow, *, has_grant: bool) -> bool:
    """Whether `user` (already in scope) may read the customer's full file, or only the card.

    Every customer's file is open to staff in scope except a key account's: that is open to its
    responsible person, managers and owners, and to anyone holding a grant in force. `has_grant`
    is that fact, fetched by the caller (`customers.selectors.has_full_file`); it matters only
    when `needs_grant`.
    """
    return not needs_grant(user, customer) or has_grant


def may_decide_grant(user: Actor, customer: CustomerRow) -> bool:
    """The customer's responsible person, or a manager/owner in scope, decides requests."""
    if not customer_visible(user, customer):
        return False
    return is_customer_owner(user, customer) or can(user, Cap.CUSTOMER_GRANT_DECIDE)


def needs_serving(user: Actor, customer: CustomerRow, *, full_file: bool) -> bool:
    """Whether `visible_fields` depends on `user` serving the customer (a beautician who is not
    the responsible person, reading the card): only then need the caller fetch that fact."""
    return not full_file and user.role == Role.BEAUTICIAN and not is_customer_owner(user, customer)


def visible_fields(
    user: Actor,
    customer: CustomerRow,
    *,
    full_file: bool,
    file_fields: Iterable[str],
    serving: bool = False,
) -> frozenset[str]:
    """The profile fields `user` may see on this customer (the customer already in scope).

    The facts come from the caller (`customers.selectors.visible_fields`): `full_file` from
    `has_full_file`, `file_fields` the fields of a full file, `serving` whether the user
    performed a service for the customer in the last `SERVING_WINDOW_DAYS` days (needed only
    when `needs_serving`).
    """
    if full_file:
        fields = set(file_fields) | {"photos", "history"}
    else:
        fields = set(CARD_FIELDS)
        if user.role == Role.BEAUTICIAN and (is_customer_owner(user, customer) or serving):
            fields |= SAFETY_FIELDS
    if not always_reads_file(user, customer):
        fields -= CONFIDENTIAL_FIELDS
    return frozenset(fields)


def present_customer_mobile(user: Actor, customer: CustomerRow, *, full_file: bool = True) -> str:
    """The customer's mobile as this user may see it; always masked on a key account's card."""
    from liuke.core.phone import mask_mobile

    if not customer.mobile:
        return ""
    if full_file and show_full_mobile(user):
        return str(customer.mobile)
    return mask_mobile(customer.mobile)


def lists_file_details(user: Actor, customer: CustomerRow) -> bool:
    """Whether a list row of this customer (a list, a search, a dashboard, a page about a
    visit, card or package) may show `FieldClass.FILE` details: every customer's, but a key
    account's only to those who always read its file (a borrowed grant opens the profile, not
    the lists). A page about one of the customer's rows that has fetched the grant in force
    asks `has_full_file` instead."""
    return not customer.is_key_account or always_reads_file(user, customer)


def present_listed_mobile(user: Actor, customer: CustomerRow) -> str:
    """The mobile in a list of customers (search results, lists, pickers, the API's lists):
    lists show card fields, so a key account's mobile stays masked unless the user is one of
    those who always read its file (a borrowed grant opens the profile, not the lists)."""
    return present_customer_mobile(user, customer, full_file=lists_file_details(user, customer))


def sees_mobile_for_work(
    user: Actor, customer: CustomerRow, *, assignee_id: int | None, is_open: bool
) -> bool:
    """Whether `user` sees the customer's full mobile to call them about a piece of work they
    own (a follow-up, a callback task), whatever their role: while the work is open, the
    customer's responsible person and the staff member it is assigned to. A key account's
    number stays with those who look after it (the work on one belongs to its responsible
    person; a list never opens its card). Once the work is done or cancelled the ordinary rule
    applies again. The caller audits the read like any other (`fields=["mobile"]`)."""
    if not is_open or not customer.mobile:
        return False
    if is_customer_owner(user, customer):
        return True
    pk = getattr(user, "pk", None)
    return pk is not None and assignee_id == pk and lists_file_details(user, customer)


def present_work_mobile(
    user: Actor, customer: CustomerRow, *, assignee_id: int | None, is_open: bool
) -> str:
    """The mobile on a row of work about the customer (the follow-up and task lists): in full
    for whoever owns the work (`sees_mobile_for_work`), otherwise as any list shows it."""
    if sees_mobile_for_work(user, customer, assignee_id=assignee_id, is_open=is_open):
        return str(customer.mobile)
    return present_listed_mobile(user, customer)


# --- Setting up: branches and staff -----------------------------------------------------------

#: The branch fields a manager may change on their own branches; the rest (name, code, time
#: zone, opening hours, open or closed) are the owner's: opening hours decide the audit's
#: after-hours flags, which a manager's own exports would otherwise escape.
MANAGER_BRANCH_FIELDS = frozenset({"address", "phone", "receipt_header", "receipt_footer"})


def branch_fields_editable(user: Actor) -> frozenset[str] | None:
    """The branch fields `user` may change (on the branches they work in); None: every one."""
    if not can(user, Cap.BRANCH_EDIT):
        return frozenset()
    return None if can(user, Cap.SETTINGS_MANAGE) else MANAGER_BRANCH_FIELDS


def grantable_roles(user: Actor) -> frozenset[str]:
    """The roles `user` may give a staff member: an owner any; a manager none above their own,
    nor the auditor's (an auditor reads every branch, beyond any manager's)."""
    if not can(user, Cap.STAFF_MANAGE):
        return frozenset()
    if user.role == Role.OWNER:
        return frozenset(Role)
    return frozenset({Role.MANAGER, Role.FRONT_DESK, Role.BEAUTICIAN})


def may_manage_staff(user: Actor, role: str, member_branch_ids: Iterable[int]) -> bool:
    """Whether `user` may change or end a staff member holding `role` in those branches: an
    owner anyone of the business; a manager only staff whose role they may give and whose
    every branch is one of theirs."""
    if not can(user, Cap.STAFF_MANAGE):
        return False
    ids = branch_ids(user)
    if ids is None:
        return True
    member = set(member_branch_ids)
    return role in grantable_roles(user) and bool(member) and member <= set(ids)


def capability_table_markdown() -> str:
    """The role table as docs/security.md shows it (a test keeps the two identical)."""
    roles = list(Role)
    lines = [
        "| capability | " + " | ".join(str(r.label) for r in roles) + " |",
        "| --- | " + " | ".join("---" for _ in roles) + " |",
    ]
    for cap in all_capabilities():
        marks = ["✓" if cap in ROLE_CAPABILITIES.get(r, frozenset()) else "" for r in roles]
        lines.append(f"| `{cap.value}` | " + " | ".join(marks) + " |")
    return "\n".join(lines)
