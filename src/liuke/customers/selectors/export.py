"""Privacy: everything held about one customer (the right to see one's data), and retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.accounts.policy import Cap
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import KeyAccountRestricted, PermissionDenied, ServiceError
from liuke.customers.capabilities import CustomerCap
from liuke.customers.errors import CustomersErrorCode
from liuke.customers.models import Customer
from liuke.customers.person import person_ids, person_rows
from liuke.customers.selectors.access import (
    _audit_read,
    _scoped_get,
    has_full_file,
    visible_customers,
)

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


def _customer_row(customer: Customer) -> dict[str, Any]:
    row = _row(customer)
    row["tags"] = sorted(t.name for t in customer.tags.all())
    return row


def customer_export_data(*, actor: User, customer_id: int, reason: str) -> dict[str, Any]:
    """Everything held about one customer (the right to see one's data), as plain values.

    The person's rows as `customers.person` walks them (the rows merged into the customer, every
    table that points at them and one level further: a visit's lines, a card's ledger), so that a
    table added by a later app is included without changing this function; then who read or
    changed the file (the audit log's events about the customer). Every row is the customer's
    business's: another business's event or row that names the same customer id is not theirs to
    see (nor theirs to write into this export). Needs `customer.export`, the full file and a
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
    business_id = customer.business_id
    members = list(person_ids([customer.pk]))
    data: dict[str, Any] = {"customer": _customer_row(customer)}
    merged = Customer.objects.filter(pk__in=members, business_id=business_id).exclude(
        pk=customer.pk
    )
    # The rows merged into this one are the same person's (the merge kept them as they were).
    if merged_rows := [_customer_row(c) for c in merged.order_by("pk")]:
        data["merged_customers"] = merged_rows
    for model, rows in person_rows(members, business_id=business_id):
        found = [_row(r) for r in rows.order_by("pk")]
        if found:
            data[model._meta.label_lower] = found
    data["referrals"] = list(
        Customer.objects.filter(referrer_id__in=members, business_id=business_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    events = AuditEvent.objects.filter(
        business_id=business_id, subjects__customer_id__in=members
    ).distinct()
    data["audit_events"] = [
        {
            "seq": e.seq,
            "occurred_at": e.occurred_at,
            "actor": e.actor_label,
            "action": e.action,
            "fields": e.fields,
            "reason": e.reason,
        }
        for e in events.order_by("seq")
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
