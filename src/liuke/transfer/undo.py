"""Undoing an import: what still refers to the records a batch created, and their removal."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from liuke.customers.models import Customer, FieldChange
from liuke.transfer.models import ImportBatch, ImportRecord

#: Rows that belong to an imported customer and go with it: its history and its tags.
_OWNED = {FieldChange}


def _created(batch: ImportBatch) -> QuerySet[ImportRecord, Any]:
    """The ids of the customers the batch created, as a subquery (a batch may hold a million)."""
    return ImportRecord.objects.filter(batch=batch, created=True).values("object_id")


def blockers(batch: ImportBatch) -> list[str]:
    """What refers to the customers the batch created, as "3 visits": every table that points
    at a customer (found from the model's relations, so a table added later is counted too),
    except the customer's own history and, for the customer's referrer and merge links, the
    batch's own customers."""
    ids = _created(batch)
    out: list[str] = []
    for relation in Customer._meta.related_objects:
        model = relation.related_model
        if model in _OWNED or relation.many_to_many or not isinstance(model, type):
            continue
        rows = model._default_manager.filter(**{f"{relation.field.name}__in": ids})
        if model is Customer:
            rows = rows.exclude(pk__in=ids)
        n = rows.aggregate(n=Count("pk"))["n"]
        if n:
            out.append(f"{n} {model._meta.verbose_name_plural}")
    return out


def remove_created(batch: ImportBatch) -> list[int]:
    """Delete the customers the batch created (their history and tags with them) and its keys;
    their ids."""
    removed = list(_created(batch).values_list("object_id", flat=True))
    ids = _created(batch)
    Customer.tags.through.objects.filter(customer_id__in=ids).delete()
    FieldChange.objects.filter(customer_id__in=ids).delete()
    Customer.objects.filter(pk__in=ids).update(referrer=None)
    Customer.objects.filter(pk__in=ids).delete()
    ImportRecord.objects.filter(batch=batch, created=True).delete()
    return removed
