"""Reading the audit log: for owners and auditors only, always within the actor's business.

One filter definition (`AuditFilters`) serves the page, the exports and the API. Pages are keyset
pages on `seq` (newest first, `cursor` = the seq to continue below), so the millionth event costs
what the first does; the indexes `audit_biz_seq`, `audit_biz_actor_seq`, `audit_biz_action_seq`,
`audit_biz_time` and `audit_subject_cust` serve each filter.

Events name customers by id only, so browsing the log reads no personal data and writes no event;
exporting it does (`audit.services.audit_export_record`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, field_validator

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit import journal
from liuke.audit.capabilities import AuditCap
from liuke.audit.choices import Action
from liuke.audit.models import AuditEvent, AuditFlag, AuditSubject
from liuke.core.errors import PermissionDenied
from liuke.core.registry import Capability, registry
from liuke.customers.selectors import customer_search

_Row = TypeVar("_Row", AuditEvent, AuditFlag)

#: At most this many customers from a customer search narrow the log.
CUSTOMER_SEARCH_LIMIT = 50
PAGE_SIZE = 50


class AuditFilters(BaseModel):
    """The filters of the audit log, shared by the page, the exports and the API."""

    model_config = ConfigDict(extra="ignore")

    staff: int | None = Field(None, ge=1, le=2**62, description="A staff member's id")
    customer: int | None = Field(None, ge=1, le=2**62, description="A customer's id")
    customer_q: str = Field(
        "",
        max_length=50,
        pattern=r"^[^\x00]*$",
        description="A customer search (name, pinyin, phone…), as the customer list takes it",
    )
    action: Action | None = None
    since: dt.datetime | None = Field(None, description="From this moment (inclusive)")
    until: dt.datetime | None = Field(None, description="Up to this moment (exclusive)")
    cursor: int | None = Field(None, ge=1, le=2**62, description="Events before this seq")

    @field_validator("customer_q")
    @classmethod
    def _storable(cls, value: str) -> str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must not contain invalid characters") from None
        return value.strip()

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso(cls, value: Any) -> Any:
        # ISO 8601 only: pydantic would also read "0.5" as seconds since 1970.
        if value is None or isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError("must be an ISO 8601 date and time, e.g. 2026-03-01T09:00")

    @field_validator("since", "until")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        # Far-off years would overflow when converted to UTC (a 500 instead of an answer); no
        # event is older than 1970 or newer than 2999, so clamping changes no result.
        if value.year < 1970:
            return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        if value.year > 2999:
            return dt.datetime(3000, 1, 1, tzinfo=dt.UTC)
        # A form's datetime-local has no zone: it is the salon's local time.
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    def as_fields(self) -> list[str]:
        """The filters as audit-event fields (ids and bounds only: never the search text)."""
        out = []
        for name in ("staff", "customer", "action", "since", "until"):
            value = getattr(self, name)
            if value is not None:
                text = value.isoformat() if isinstance(value, dt.datetime) else str(value)
                out.append(f"{name}:{text}")
        if self.customer_q:
            out.append("customer_search")
        return out


@dataclass(frozen=True)
class EventPage:
    items: list[AuditEvent]
    next_cursor: int | None
    #: Customers found by `customer_q` (ids), when a search narrowed the log.
    searched: list[int] | None


def require(actor: User, capability: Capability = AuditCap.AUDIT_VIEW) -> int:
    """The actor's business id, when they may do this with the log."""
    if not policy.can(actor, capability):
        raise PermissionDenied()
    return policy.business_of(actor)


def _search_customers(actor: User, query: str) -> list[int]:
    """The customer search the policy allows (audited as a search by the customers app)."""
    return [c.pk for c in customer_search(actor=actor, query=query, limit=CUSTOMER_SEARCH_LIMIT)]


def filtered_events(
    *,
    actor: User,
    filters: AuditFilters,
    capability: Capability = AuditCap.AUDIT_VIEW,
    searched: list[int] | None = None,
) -> tuple[QuerySet[AuditEvent], list[int] | None]:
    """The events matching `filters` in the actor's business, newest first, and the customers
    the customer search found (`searched`: the result of an earlier identical search)."""
    business_id = require(actor, capability)
    qs = AuditEvent.objects.filter(business_id=business_id)
    if filters.staff:
        qs = qs.filter(actor_id=filters.staff)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.since:
        qs = qs.filter(occurred_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(occurred_at__lt=filters.until)
    customers: list[int] | None = None
    if filters.customer:
        customers = [filters.customer]
    if filters.customer_q:
        found = searched if searched is not None else _search_customers(actor, filters.customer_q)
        customers = [c for c in found if customers is None or c in customers]
    if customers is not None:
        qs = qs.filter(
            pk__in=AuditSubject.objects.filter(customer_id__in=customers).values("event_id")
        )
    if filters.cursor:
        qs = qs.filter(seq__lt=filters.cursor)
    # The reader's own reads so far (the search above) belong in what they read.
    journal.flush_pending()
    return qs.order_by("-seq"), (customers if filters.customer_q else None)


def with_staff_names(business_id: int, rows: list[_Row]) -> list[_Row]:
    """Sets `staff_name` on events or flags: the staff member's name today, or the login name
    recorded at the time (someone since removed)."""
    ids = {r.actor_id for r in rows if r.actor_id}
    names = {u.pk: str(u) for u in User.objects.filter(business_id=business_id, pk__in=ids)}
    for row in rows:
        row.staff_name = names.get(row.actor_id or 0, row.actor_label)  # type: ignore[attr-defined]
    return rows


def audit_events(*, actor: User, filters: AuditFilters, limit: int = PAGE_SIZE) -> EventPage:
    """One keyset page of the log (no COUNT: at millions of events it costs more than the page)."""
    qs, searched = filtered_events(actor=actor, filters=filters)
    rows = list(qs[: limit + 1])
    items = with_staff_names(policy.business_of(actor), rows[:limit])
    return EventPage(
        items=items,
        next_cursor=items[-1].seq if len(rows) > limit and items else None,
        searched=searched,
    )


def export_rows(
    *, actor: User, filters: AuditFilters, chunk: int = 2000, searched: list[int] | None = None
) -> Iterator[list[Any]]:
    """Every matching event as a spreadsheet row (header first), read in chunks by seq.
    `searched`: the customers the export's own customer search found (not searched again)."""
    labels = dict(Action.choices)
    yield [
        "seq",
        "occurred_at",
        "staff_id",
        "staff",
        "action",
        "action_label",
        "customer_ids",
        "fields",
        "reason",
        "request_id",
        "client_ip",
        "hash",
    ]
    base, _searched = filtered_events(
        actor=actor, filters=filters, capability=AuditCap.AUDIT_EXPORT, searched=searched
    )
    business_id = policy.business_of(actor)
    cursor: int | None = None
    while True:
        qs = base if cursor is None else base.filter(seq__lt=cursor)
        batch = with_staff_names(business_id, list(qs[:chunk]))
        for e in batch:
            yield [
                e.seq,
                timezone.localtime(e.occurred_at).isoformat(),
                e.actor_id,
                e.staff_name,  # type: ignore[attr-defined]
                e.action,
                str(labels.get(e.action, e.action)),
                " ".join(str(i) for i in e.customer_ids),
                " ".join(e.fields),
                e.reason,
                e.request_id,
                e.client_ip,
                e.hash,
            ]
        if len(batch) < chunk:
            return
        cursor = batch[-1].seq


def staff_choices(*, actor: User) -> QuerySet[User]:
    """Everyone who may appear in the log of the actor's business (former staff included)."""
    business_id = require(actor)
    return User.objects.filter(business_id=business_id).order_by("username")


def audit_flags(*, actor: User, open_only: bool = False, limit: int = 200) -> list[AuditFlag]:
    """The unusual-reading flags of the actor's business, open ones first, newest first."""
    business_id = require(actor)
    qs = AuditFlag.objects.filter(business_id=business_id).select_related("acknowledged_by")
    newest = ("-window_start", "-id")
    flags = list(qs.filter(acknowledged_at__isnull=True).order_by(*newest)[:limit])
    if not open_only and len(flags) < limit:
        done = qs.filter(acknowledged_at__isnull=False).order_by(*newest)
        flags += list(done[: limit - len(flags)])
    return with_staff_names(business_id, flags)


def _audit_words() -> dict[str, str]:
    """Code → word, from every app's `audit_words` and the profile panels' titles."""
    words: dict[str, str] = {}
    for panel in registry.items("profile_panels"):
        words[panel.key] = str(panel.title)
    for _label, table in registry.each("audit_words"):
        words.update({code: str(word) for code, word in table.items()})
    return words


def field_words(fields: Sequence[str]) -> list[str]:
    """An event's fields as a reader of the log says them, in the active language: each part of
    "grant:12" or "complaint:approve:voucher" by the word its app gives it, numbers as "#12".
    A part no app names (a search's text, a changed value) is shown as it was written."""
    words = _audit_words()
    out = []
    for item in fields:
        parts, rest = [], str(item)
        while rest:
            head, _sep, tail = rest.partition(":")
            if head.isdigit():
                parts.append(f"#{head}")
            elif head in words:
                parts.append(words[head])
            else:  # not a code: the rest is a value (a time has colons of its own)
                parts.append(rest)
                break
            rest = tail
        out.append(" ".join(parts))
    return out
