"""Reading one customer's file: the facts the policy decides from (scope, responsibility, a
grant in force), the file with the fields the actor may see, and the audit of every read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils import timezone

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.accounts.policy import Cap
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.bulksql import count_of
from liuke.core.errors import KeyAccountRestricted, NotFound
from liuke.customers.choices import GrantStatus
from liuke.customers.fields import EDITABLE_FIELDS
from liuke.customers.models import AccessGrant, Customer


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
    """One customer for `purpose` (audited), with every field the actor may not see blanked
    (`CustomerFile.masked`: a page that starts from the row, such as the checkout or a new
    contact, cannot show what the file hides). A purpose in `FULL_FILE_PURPOSES` on a key
    account the actor may only see as a card raises `KeyAccountRestricted`."""
    file = customer_file(actor=actor, customer_id=customer_id, purpose=purpose)
    if purpose in FULL_FILE_PURPOSES and not file.full:
        raise KeyAccountRestricted()
    return file.masked()


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


def decisions_waiting(actor: User) -> Any:
    """The navigation's count of access requests `actor` may decide (`access_grants`'
    "to_decide"), as an SQL count; None for those who decide none."""
    if not policy.is_staff_member(actor) or not policy.can(actor, Cap.CUSTOMER_VIEW):
        return None
    qs = policy.scope_customers(actor, AccessGrant.objects.all(), prefix="customer").exclude(
        grantee=actor
    )
    if not policy.can(actor, Cap.CUSTOMER_GRANT_DECIDE):
        qs = qs.filter(customer__owner=actor)
    return count_of(qs.filter(status=GrantStatus.PENDING))
