"""Finding customers: the search plan (each query shape on its own index), the filtered list,
and which customers count as stale."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Q
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, field_validator

from liuke.accounts import policy
from liuke.accounts.models import Business, User
from liuke.audit.choices import Action
from liuke.core.timeutil import months_before
from liuke.customers.models import Customer
from liuke.customers.selectors.access import _audit_read, visible_customers

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


def stale_labels(customer: Customer, business: Business | None) -> list[str]:
    """The names of the groups to confirm with the customer, for the prompt the profile, the
    brief and the checkout show while the customer is there (no query)."""
    from liuke.customers.choices import FieldGroup

    if business is None:
        return []
    stale = stale_groups(customer, business)
    return [str(label) for group, label in FieldGroup.choices if group in stale]


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
