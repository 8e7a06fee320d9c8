"""Locking a row that belongs to a customer after the customer (docs/money.md, "Locks and
retries": the customer first), for the apps above whose writes lock such rows: a visit to refund,
a complaint to resolve."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from liuke.core.locking import lock_one
from liuke.customers.models import Customer

_Owned = TypeVar("_Owned", bound=Model)


def lock_with_customer(rows: QuerySet[_Owned], pk: Any) -> _Owned | None:
    """The row of `rows` (a scoped queryset of a model with a `customer` key) with this key,
    locked after its customer; None when `rows` has no such row.

    A merge that commits between the read of the customer and the locks moves the row to the
    survivor: that customer is then locked too (out of key order, which the service's retry
    covers), so the write goes on against the row where it now is instead of failing."""
    customer_id = rows.filter(pk=pk).values_list("customer_id", flat=True).first()
    if customer_id is None:
        return None
    lock_one(Customer, customer_id)
    found = lock_one(rows, pk)
    owner = getattr(found, "customer_id", None)
    if owner is not None and owner != customer_id:
        lock_one(Customer, owner)
    return found
