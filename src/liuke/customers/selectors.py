"""Every read of the customer archive. Each selector takes the acting user and goes through
`accounts.policy`; there is no other way to get at customer rows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Avg, Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from liuke.accounts import policy
from liuke.accounts.models import Branch, Business, User
from liuke.accounts.policy import Cap
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import KeyAccountRestricted, NotFound, PermissionDenied, ServiceError
from liuke.core.timeutil import months_before
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import GrantStatus
from liuke.customers.errors import CustomersErrorCode
from liuke.customers.fields import EDITABLE_FIELDS
from liuke.customers.models import AccessGrant, Customer, CustomerMerge, FieldChange

_DIGITS = re.compile(r"^\+?[\d\s\-]+$")
_LETTERS = re.compile(r"^[a-z]+$")
_CARD = re.compile(r"^[A-Za-z0-9\-]+$")
_CJK = re.compile(r"[\u3400-\u9fff]")

SortKey = Literal[
    "name",
    "-name",
    "created_at",
    "-created_at",
    "completeness",
    "-completeness",
    "verified_at",
    "-verified_at",
]
_SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name_pinyin", "id"),
    "-name": ("-name_pinyin", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "completeness": ("completeness", "id"),
    "-completeness": ("-completeness", "-id"),
    "verified_at": ("verified_at", "id"),
    "-verified_at": ("-verified_at", "-id"),
}


#: Documented in the schema (so clients and API fuzzers know a NUL is refused, with a 422).
_NO_NUL = r"^[^\x00]*$"


class CustomerFilters(BaseModel):
    """The one filter definition of the customer list, shared by the page and the API."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(
        "",
        max_length=50,
        pattern=_NO_NUL,
        description="Name, pinyin, initials, phone, last 4 digits or card number",
    )
    branch: int | None = Field(None, ge=1, le=2**62)
    owner: int | None = Field(None, ge=1, le=2**62)
    tag: str = Field("", max_length=30, pattern=_NO_NUL)
    source: str = Field("", max_length=20, pattern=_NO_NUL)
    key_account: bool | None = None
    stale: bool | None = Field(None, description="Only customers whose data needs confirming")
    sort: SortKey = "-created_at"
    page: int = Field(1, ge=1, le=100000)

    @field_validator("q", "tag", "source")
    @classmethod
    def _storable(cls, value: str) -> str:
        # PostgreSQL refuses a NUL in a query parameter (a 500, not an empty result).
        if not _is_storable(value):
            raise ValueError("must not contain NUL or invalid characters")
        return value


def _is_storable(text: str) -> bool:
    """Text either database can take as a parameter: no NUL, no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Page:
    """A page without a COUNT(*): at a million rows the count costs more than the page."""

    items: list[Customer]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def visible_customers(actor: User) -> QuerySet[Customer]:
    return policy.scope_customers(actor, Customer.objects.all())


def _audit_read(actor: User, action: str, customers: list[Customer], what: str) -> None:
    """Every read of personal data leaves an event (no event when nothing was shown).

    `what` names the view, never the search text: a typed phone number must not reach the log.
    """
    if customers:
        audit_record(
            actor=actor, action=action, customer_ids=[c.pk for c in customers], fields=[what]
        )


# --- What the policy decides from: facts about one customer and one staff member ------------


def active_grant(
    actor: User, customer: Customer, now: dt.datetime | None = None
) -> AccessGrant | None:
    """The grant in force that lets `actor` read this key account's file, if any."""
    return (
        AccessGrant.objects.filter(
            grantee_id=actor.pk,
            customer_id=customer.pk,
            status=GrantStatus.APPROVED,
            expires_at__gt=now or timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def serves_customer(actor: User, customer: Customer, now: dt.datetime | None = None) -> bool:
    """Whether `actor` performed a service for this customer in the last
    `policy.SERVING_WINDOW_DAYS` days (a line of one of the customer's visits)."""
    since = (now or timezone.now()) - dt.timedelta(days=policy.SERVING_WINDOW_DAYS)
    # Through the customer's own relation to its visits: the sales app points at customers,
    # customers never import sales (docs/architecture.md, "Layers").
    return customer.visits.filter(visited_at__gte=since, lines__staff_id=actor.pk).exists()


def has_full_file(actor: Any, customer: Any, now: dt.datetime | None = None) -> bool:
    """Whether `actor` (already in scope) may read the customer's full file, or only the card:
    `policy.has_full_file`, given the grant in force, looked up only when the policy needs it."""
    has_grant = (
        policy.needs_grant(actor, customer) and active_grant(actor, customer, now) is not None
    )
    return policy.has_full_file(actor, customer, has_grant=has_grant)


def visible_fields(
    actor: User, customer: Any, *, full_file: bool, now: dt.datetime | None = None
) -> frozenset[str]:
    """The profile fields `actor` may see on this customer: `policy.visible_fields`, given the
    fields of a full file and (only when the policy needs it) whether `actor` serves them."""
    serving = policy.needs_serving(actor, customer, full_file=full_file) and serves_customer(
        actor, customer, now
    )
    return policy.visible_fields(
        actor, customer, full_file=full_file, file_fields=EDITABLE_FIELDS, serving=serving
    )


#: Reads that need the full file; the others (a checkout, a card top-up) work from the card.
FULL_FILE_PURPOSES = frozenset(
    {"profile", "edit", "photo", "history", "export", "brief", "privacy"}
)


@dataclass(frozen=True)
class CustomerFile:
    """A customer as one staff member may see them: the full file or a key account's card."""

    customer: Customer
    full: bool
    fields: frozenset[str]
    grant: AccessGrant | None

    def shows(self, field: str) -> bool:
        return field in self.fields

    def masked(self) -> Customer:
        """The customer with every profile field the actor may not see blanked, in memory
        (never saved): for pages and answers built from the row, such as the brief."""
        customer = self.customer
        for name in EDITABLE_FIELDS:
            if name in self.fields or name == "tags":
                continue
            field: Any = Customer._meta.get_field(name)
            value = None if field.null else field.get_default()
            setattr(customer, name, value)
        if "mobile" not in self.fields or not self.full:
            customer.mobile_last4 = ""
        return customer


def customer_file(*, actor: User, customer_id: int | str, purpose: str = "profile") -> CustomerFile:
    """One customer, with what `actor` may see of them; audited (with the grant's reason when
    the file is read on borrowed access)."""
    customer = _scoped_get(actor, customer_id)
    now = timezone.now()
    grant = None
    full = has_full_file(actor, customer, now)
    borrowed = full and policy.needs_grant(actor, customer)
    if borrowed:
        grant = active_grant(actor, customer, now)
    what = purpose if full else f"{purpose}:card"
    audit_record(
        actor=actor,
        action=Action.PHOTO if purpose == "photo" else Action.VIEW,
        customer_ids=[customer.pk],
        fields=[what],
        reason=f"grant #{grant.pk}: {grant.reason}" if grant is not None else "",
    )
    return CustomerFile(
        customer=customer,
        full=full,
        fields=visible_fields(actor, customer, full_file=full, now=now),
        grant=grant,
    )


def customer_get(*, actor: User, customer_id: int | str, purpose: str = "profile") -> Customer:
    """One customer for `purpose` (audited). A purpose in `FULL_FILE_PURPOSES` on a key account
    the actor may only see as a card raises `KeyAccountRestricted`."""
    file = customer_file(actor=actor, customer_id=customer_id, purpose=purpose)
    if purpose in FULL_FILE_PURPOSES and not file.full:
        raise KeyAccountRestricted()
    return file.customer


def _scoped_get(actor: User, customer_id: int | str) -> Customer:
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    # Only the branch and the (small) business are joined: the owner and the referrer are whole
    # rows (the referrer a 40-column customer) that the API does not need and a page loads when
    # it shows them; the wide join's SQL compilation was most of a profile read's cost.
    # `[:1]` rather than `.first()`, which adds an ORDER BY to a primary-key lookup. No
    # prefetch of the tags: for one row the plain `customer.tags.all()` of the callers that show
    # them is the same one query without the prefetch machinery (0.3–0.4 ms less CPU a read).
    rows = list(visible_customers(actor).select_related("branch", "business").filter(pk=pk)[:1])
    if not rows:
        raise NotFound()
    return rows[0]


def stale_cutoff(business: Business, now: dt.datetime | None = None) -> dt.datetime:
    return months_before(now or timezone.now(), business.stale_after_months)


def stale_q(business: Business, now: dt.datetime | None = None) -> Q:
    return Q(verified_at__isnull=True) | Q(verified_at__lt=stale_cutoff(business, now))


def stale_groups(customer: Customer, business: Business) -> list[str]:
    """The groups of fields on this customer that need confirming."""
    from liuke.customers.choices import FieldGroup

    cutoff = stale_cutoff(business)
    out = []
    for group in FieldGroup.values:
        stamp = getattr(customer, f"{group}_verified_at")
        if stamp is None or stamp < cutoff:
            out.append(group)
    return out


def _prefix(field: str, prefix: str) -> dict[str, str]:
    """An index-friendly prefix match: field >= 'zs' AND field < 'zt' (no LIKE, no ESCAPE)."""
    # The next character after the last one, skipping the surrogates (a database cannot store a
    # lone one); a last character without successor (U+10FFFF) bumps the one before it.
    stem = prefix
    while stem:
        code = ord(stem[-1]) + 1
        if code == 0xD800:
            code = 0xE000
        if code <= 0x10FFFF:
            return {f"{field}__gte": prefix, f"{field}__lt": stem[:-1] + chr(code)}
        stem = stem[:-1]
    return {f"{field}__gte": prefix}


def _search_plan(query: str) -> list[dict[str, Any]]:
    """The lookups for one query, best match first."""
    from liuke.core.pinyin import name_keys

    text = query.strip()
    if not text or not _is_storable(text):
        return []
    plan: list[dict[str, Any]] = []
    if _DIGITS.match(text):
        digits = re.sub(r"\D", "", text)
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        if len(digits) == 11:
            plan.append({"mobile": digits})
        if len(digits) == 4:
            plan.append({"mobile_last4": digits})
        if 3 <= len(digits) < 11:
            plan.append(_prefix("mobile", digits))
        if digits:
            plan.append(_prefix("card_no", digits))
        return plan
    lowered = text.lower().replace(" ", "")
    if _LETTERS.match(lowered):
        plan.append({"name_initials": lowered})
        plan.append(_prefix("name_initials", lowered))
        plan.append({"name_pinyin": lowered})
        plan.append(_prefix("name_pinyin", lowered))
        plan.append({"card_no": text.upper()})
        return plan
    if _CJK.search(text):
        plan.append({"name": text})
        plan.append(_prefix("name", text))
        full, _initials = name_keys(text)
        if full:
            plan.append({"name_pinyin": full})  # homophones: 张丽 finds 章丽
        return plan
    if _CARD.match(text):
        card = text.upper()
        plan.append({"card_no": card})
        plan.append(_prefix("card_no", card))
        return plan
    plan.append(_prefix("name", text))
    return plan


def customer_search(*, actor: User, query: str, limit: int = 20) -> list[Customer]:
    """Ranked search: exact matches of the best key first, then prefixes, then homophones.

    Each step is one index range scan with a LIMIT, so the cost does not grow with the archive.
    """
    results = _search(actor=actor, query=query, limit=limit)
    _audit_read(actor, Action.SEARCH, results, "search")
    return results


def _search(*, actor: User, query: str, limit: int) -> list[Customer]:
    base = policy.scope_customers(actor, Customer.objects.all(), for_search=True).select_related(
        "branch"
    )
    found: dict[int, Customer] = {}
    for lookup in _search_plan(query[:50]):
        if len(found) >= limit:
            break
        rows = base.filter(**lookup).exclude(pk__in=list(found))[: limit - len(found)]
        for customer in rows:
            found.setdefault(customer.pk, customer)
    return list(found.values())


#: A search in the list shows at most this many matches, in rank order.
SEARCH_LIST_LIMIT = 200


def customer_list(*, actor: User, filters: CustomerFilters, page_size: int = 25) -> Page:
    """The customer list: filtered and sorted, or, with a search text, the ranked matches."""
    qs = visible_customers(actor).select_related("branch", "owner")
    ranked: list[int] | None = None
    if filters.q:
        ranked = [
            c.pk for c in customer_search(actor=actor, query=filters.q, limit=SEARCH_LIST_LIMIT)
        ]
        qs = qs.filter(pk__in=ranked)
    if filters.branch:
        qs = qs.filter(branch_id=filters.branch)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.key_account is not None:
        qs = qs.filter(is_key_account=filters.key_account)
    if filters.stale is not None and actor.business is not None:
        cond = stale_q(actor.business)
        qs = qs.filter(cond) if filters.stale else qs.exclude(cond)
    start = (filters.page - 1) * page_size
    if ranked is not None:
        # Search results keep their rank (exact before prefix before homophone).
        position = {pk: i for i, pk in enumerate(ranked)}
        rows = sorted(qs, key=lambda c: position[c.pk])[start : start + page_size + 1]
    else:
        rows = list(qs.order_by(*_SORT_COLUMNS[filters.sort])[start : start + page_size + 1])
    _audit_read(actor, Action.SEARCH if filters.q else Action.LIST, rows[:page_size], "list")
    return Page(items=rows[:page_size], number=filters.page, has_next=len(rows) > page_size)


def customer_history(*, actor: User, customer_id: int, limit: int = 200) -> list[FieldChange]:
    """A customer's change history (full file only). Values of fields the actor may not see
    (confidential notes) are blanked."""
    customer = _scoped_get(actor, customer_id)
    if not has_full_file(actor, customer):
        raise KeyAccountRestricted()
    return _history(actor, customer, visible_fields(actor, customer, full_file=True), limit)


def file_history(*, actor: User, file: CustomerFile, limit: int = 200) -> list[FieldChange]:
    """`customer_history` of a file already fetched (the profile's): no second read of the row,
    no second decision."""
    if not file.full:
        raise KeyAccountRestricted()
    return _history(actor, file.customer, file.fields, limit)


def _history(
    actor: User, customer: Customer, visible: frozenset[str], limit: int
) -> list[FieldChange]:
    _audit_read(actor, Action.HISTORY, [customer], "history")
    changes = list(
        FieldChange.objects.filter(customer=customer).select_related("changed_by")[:limit]
    )
    for change in changes:
        if change.field in policy.CONFIDENTIAL_FIELDS and change.field not in visible:
            change.old_value = change.new_value = "***"
    return changes


def customer_merges(*, actor: User, customer_id: int) -> list[CustomerMerge]:
    customer = _scoped_get(actor, customer_id)
    return list(CustomerMerge.objects.filter(survivor=customer).select_related("merged_by"))


def likely_duplicates(*, actor: User, customer: Customer, limit: int = 10) -> list[Customer]:
    """Customers that may be the same person: same mobile, same name and birthday, or a name
    that sounds the same (same pinyin) with the same birthday or phone suffix."""
    cond = Q()
    if customer.mobile:
        cond |= Q(mobile=customer.mobile)
    if customer.birthday:
        cond |= Q(name=customer.name, birthday=customer.birthday)
        if customer.name_pinyin:
            cond |= Q(name_pinyin=customer.name_pinyin, birthday=customer.birthday)
    if customer.mobile_last4 and customer.name_pinyin:
        cond |= Q(name_pinyin=customer.name_pinyin, mobile_last4=customer.mobile_last4)
    if not cond:
        return []
    found = list(
        visible_customers(actor)
        .filter(cond)
        .exclude(pk=customer.pk)
        .select_related("branch")[:limit]
    )
    _audit_read(actor, Action.LIST, found, "duplicates")
    return found


def customer_referrals(*, actor: User, customer: Customer, limit: int = 20) -> list[Customer]:
    """The customers this one brought in (that the actor may see)."""
    found = list(visible_customers(actor).filter(referrer=customer).order_by("-created_at")[:limit])
    _audit_read(actor, Action.LIST, found, "referrals")
    return found


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str  # "mobile" | "name_birthday"
    key: str
    customers: list[Customer]


def duplicate_groups(*, actor: User, limit: int = 50) -> list[DuplicateGroup]:
    """Groups of likely duplicates across the archive, for the merge page."""
    base = visible_customers(actor)
    groups: list[DuplicateGroup] = []
    by_mobile = (
        base.exclude(mobile="")
        .values("mobile")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("mobile")[:limit]
    )
    for row in by_mobile:
        members = list(base.filter(mobile=row["mobile"]).select_related("branch").order_by("id"))
        groups.append(DuplicateGroup("mobile", row["mobile"], members))
    by_name = (
        base.exclude(birthday=None)
        .values("name", "birthday")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("name")[:limit]
    )
    seen = {c.pk for g in groups for c in g.customers}
    for row in by_name:
        members = list(
            base.filter(name=row["name"], birthday=row["birthday"])
            .select_related("branch")
            .order_by("id")
        )
        if {c.pk for c in members} <= seen:
            continue
        groups.append(DuplicateGroup("name_birthday", f"{row['name']} {row['birthday']}", members))
    _audit_read(actor, Action.LIST, [c for g in groups for c in g.customers], "duplicates")
    return groups


def stale_queue(*, actor: User, page: int = 1, page_size: int = 25) -> Page:
    if actor.business is None:
        return Page([], page, False)
    qs = (
        visible_customers(actor)
        .filter(stale_q(actor.business))
        .select_related("branch", "owner")
        .order_by("verified_at", "id")
    )
    start = (page - 1) * page_size
    rows = list(qs[start : start + page_size + 1])
    _audit_read(actor, Action.LIST, rows[:page_size], "to_confirm")
    return Page(items=rows[:page_size], number=page, has_next=len(rows) > page_size)


@dataclass(frozen=True)
class BranchQuality:
    branch: Branch
    customers: int
    completeness: float
    stale: int
    stale_share: float


def branch_quality(*, actor: User) -> list[BranchQuality]:
    """Completeness and freshness per branch: how current each shop keeps its archive."""
    if actor.business is None or not policy.can(actor, policy.Cap.BRANCH_STATS_VIEW):
        return []
    branches = {b.pk: b for b in policy.scope_branches(actor, Branch.objects.all())}
    base = visible_customers(actor).filter(branch_id__in=list(branches))
    cutoff = stale_cutoff(actor.business)
    rows = base.values("branch_id").annotate(
        n=Count("id"),
        avg=Avg("completeness"),
        stale=Count("id", filter=Q(verified_at__isnull=True) | Q(verified_at__lt=cutoff)),
        last=Max("updated_at"),
    )
    out = []
    for row in rows:
        n = row["n"]
        out.append(
            BranchQuality(
                branch=branches[row["branch_id"]],
                customers=n,
                completeness=round(float(row["avg"] or 0), 1),
                stale=row["stale"],
                stale_share=round(100.0 * row["stale"] / n, 1) if n else 0.0,
            )
        )
    return sorted(out, key=lambda q: q.branch.code)


def quality_trend(*, actor: User, days: int = 30) -> list[Any]:
    """The nightly data-quality snapshots of the user's branches, newest first."""
    from liuke.customers.models import DataQualitySnapshot

    if not policy.can(actor, policy.Cap.BRANCH_STATS_VIEW):
        return []
    branches = policy.scope_branches(actor, Branch.objects.all())
    return list(
        DataQualitySnapshot.objects.filter(branch__in=branches)
        .select_related("branch")
        .order_by("-day", "branch__code")[: days * max(1, branches.count())]
    )


# --- Key accounts: requests and grants ----------------------------------------------------------


def my_access_requests(*, actor: User, customer: Customer) -> list[AccessGrant]:
    """The actor's own requests for this customer's file, newest first."""
    return list(AccessGrant.objects.filter(grantee=actor, customer=customer)[:10])


GrantView = Literal["to_decide", "active", "mine", "past"]


def access_grants(*, actor: User, view: GrantView, limit: int = 200) -> list[AccessGrant]:
    """Requests and grants as one staff member may see them.

    `to_decide`: pending requests the actor may decide (customers they are responsible for;
    every in-scope key account for managers and owners). `active`: grants in force on those
    customers. `past`: decided, revoked or expired ones. `mine`: the actor's own requests.
    """
    now = timezone.now()
    qs = AccessGrant.objects.select_related("customer", "customer__branch", "grantee", "decided_by")
    if view == "mine":
        qs = qs.filter(grantee=actor)
    else:
        scoped = policy.scope_customers(actor, qs, prefix="customer").exclude(grantee=actor)
        if policy.can(actor, Cap.CUSTOMER_GRANT_DECIDE):
            qs = scoped
        else:
            qs = scoped.filter(customer__owner=actor)
    if view == "to_decide":
        qs = qs.filter(status=GrantStatus.PENDING)
    elif view == "active":
        qs = qs.filter(status=GrantStatus.APPROVED, expires_at__gt=now)
    elif view == "past":
        qs = qs.exclude(status=GrantStatus.PENDING).exclude(
            status=GrantStatus.APPROVED, expires_at__gt=now
        )
    grants = list(qs.order_by("-requested_at", "-id")[:limit])
    _audit_read(actor, Action.LIST, [g.customer for g in grants], "grants")
    return grants


# --- Privacy: a customer's own data, retention --------------------------------------------------


def _row(obj: Any) -> dict[str, Any]:
    """A model row as plain values (foreign keys as ids, files as their names)."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if hasattr(value, "name") and not isinstance(value, str):  # a FieldFile
            value = value.name
        out[field.name if not field.is_relation else field.attname] = value
    return out


def customer_export_data(*, actor: User, customer_id: int, reason: str) -> dict[str, Any]:
    """Everything held about one customer (the right to see one's data), as plain values.

    Walks every table that points at the customer (`Customer._meta.related_objects`), and one
    level further (a visit's lines and payments, a card's ledger), so that a table added by a
    later app is included without changing this function; then who read or changed the file
    (the audit log's events about the customer). Needs `customer.export`, the full file and a
    reason; the export is itself audited with that reason.
    """
    from liuke.audit.models import AuditEvent

    if not policy.can(actor, CustomerCap.CUSTOMER_EXPORT):
        # A plain denial, not `policy.require`'s: the export page has always answered 403 here.
        raise PermissionDenied()
    reason = " ".join(reason.split())[:500]
    if len(reason) < 2:
        raise ServiceError(CustomersErrorCode.REASON_REQUIRED, _("Say why the data is exported."))
    customer = _scoped_get(actor, customer_id)
    if not has_full_file(actor, customer):
        raise KeyAccountRestricted()
    data: dict[str, Any] = {"customer": _row(customer)}
    data["customer"]["tags"] = sorted(t.name for t in customer.tags.all())
    for rel in Customer._meta.related_objects:
        if not rel.one_to_many or rel.related_model is Customer:
            continue
        model: Any = rel.related_model
        rows = list(model._default_manager.filter(**{rel.field.name: customer}).order_by("pk"))
        if not rows:
            continue
        key = model._meta.label_lower
        data[key] = [_row(r) for r in rows]
        for child_rel in model._meta.related_objects:
            child: Any = child_rel.related_model
            if not child_rel.one_to_many or child is Customer:
                continue
            if any(getattr(f, "related_model", None) is Customer for f in child._meta.fields):
                continue  # reached directly above
            children = child._default_manager.filter(
                **{f"{child_rel.field.name}__in": rows}
            ).order_by("pk")
            if children:
                data.setdefault(child._meta.label_lower, []).extend(_row(c) for c in children)
    data["referrals"] = list(
        Customer.objects.filter(referrer=customer).values_list("pk", flat=True)
    )
    data["audit_events"] = [
        {
            "seq": e.seq,
            "occurred_at": e.occurred_at,
            "actor": e.actor_label,
            "action": e.action,
            "fields": e.fields,
            "reason": e.reason,
        }
        for e in AuditEvent.objects.filter(subjects__customer_id=customer.pk).order_by("seq")
    ]
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        customer_ids=[customer.pk],
        fields=["subject_access"],
        reason=reason,
    )
    return data


def retention_candidates(*, actor: User, limit: int = 500) -> list[dict[str, Any]]:
    """Customers with no visit and no change for `Business.retention_years`: to review, and
    anonymise in bulk if nothing requires keeping them (owners only)."""
    if not policy.can(actor, Cap.SETTINGS_MANAGE) or actor.business is None:
        return []
    cutoff = timezone.now() - dt.timedelta(days=365 * actor.business.retention_years)
    rows: list[Customer] = list(
        visible_customers(actor)
        .filter(anonymised_at__isnull=True, updated_at__lt=cutoff)
        # Through the customer's own relation to its visits (a NOT EXISTS subquery): the sales
        # app points at customers, customers never import sales.
        .exclude(visits__visited_at__gte=cutoff)
        .annotate(last_visit=Max("visits__visited_at"))
        .select_related("branch")
        .order_by("updated_at", "pk")[:limit]
    )
    _audit_read(actor, Action.LIST, rows, "retention")
    return [{"customer": c, "last_visit": getattr(c, "last_visit", None)} for c in rows]
