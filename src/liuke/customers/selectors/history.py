"""A customer's change history and merges."""

from __future__ import annotations

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.core.errors import KeyAccountRestricted
from liuke.customers.models import Customer, CustomerMerge, FieldChange
from liuke.customers.selectors.access import (
    CustomerFile,
    _audit_read,
    _scoped_get,
    has_full_file,
    visible_fields,
)


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
