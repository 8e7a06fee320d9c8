"""The rows that belong to one person, for the data-rights export and the erasure.

A person is a customer row and every row ever merged into it: a merge keeps the duplicate's row,
marked `merged_into`, so after C was merged into B and B into A the person is A, B and C. Their
rows are those of every table that points at one of these customers (visits, contacts, cases,
photos, history, …) and, one level further, those of every table that points at such a row (a
visit's lines and refunds, a card's ledger). The tables are found from the model graph, so a
table a later app adds is covered without changing this module; the export and the erasure walk
the same rows, so what a customer can see of their data is what their erasure clears.

Every row is held to the customer's business: a row of another business that names the same
customer (it should not exist; the walk does not trust that it cannot) is never exported nor
touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from liuke.accounts.models import User
from liuke.customers.models import Customer


def survivor_ids(ids: Iterable[int]) -> dict[int, int]:
    """Each existing id → the customer it was finally merged into (itself when not merged)."""
    out: dict[int, int] = {}
    pending = {pk: pk for pk in ids}  # the asked id → where its chain has got to
    for _depth in range(100):  # a chain of merges is short; the bound only guards a cycle
        if not pending:
            break
        links = dict(
            Customer.objects.filter(pk__in=set(pending.values())).values_list(
                "pk", "merged_into_id"
            )
        )
        step: dict[int, int] = {}
        for asked, at in pending.items():
            if at not in links:
                continue  # no such customer
            into = links[at]
            if into is None:
                out[asked] = at
            else:
                step[asked] = into
        pending = step
    return out


def person_ids(ids: Iterable[int]) -> dict[int, int]:
    """Every customer row of the persons `ids` → the person's id: `ids` themselves and every
    customer merged into one of them, transitively (C into B into A)."""
    found = {pk: pk for pk in ids}
    frontier = dict(found)
    while frontier:
        qs = Customer.objects.filter(merged_into_id__in=frontier).exclude(pk__in=found)
        frontier = {
            pk: found[into]
            for pk, into in qs.order_by("pk").values_list("pk", "merged_into_id")
            if into is not None
        }
        found.update(frontier)
    return found


def _business_q(model: Any, business_id: int) -> Q:
    """The rows of `model` that belong to the business: by its own `business`, or (a table
    without one) by every required link to a record that has one (a step's case, a ledger
    entry's card). Links to staff are not followed: they say who did it, not whose it is."""
    names = {f.name for f in model._meta.concrete_fields}
    if "business" in names:
        return Q(business_id=business_id)
    q = Q()
    for field in model._meta.concrete_fields:
        target = getattr(field, "related_model", None)
        if not field.is_relation or field.null or target in (None, Customer, User):
            continue
        if "business" in {f.name for f in target._meta.concrete_fields}:
            q &= Q(**{f"{field.name}__business_id": business_id})
    return q


def _points_at_customer(model: Any) -> bool:
    return any(getattr(f, "related_model", None) is Customer for f in model._meta.fields)


def _linked_models() -> tuple[dict[Any, list[str]], dict[Any, list[tuple[str, Any]]]]:
    """The tables that point at a customer (model → its links to the customer) and those that
    point at one of them without naming a customer (model → its (link, parent table) pairs)."""
    first: dict[Any, list[str]] = {}
    for rel in Customer._meta.related_objects:
        model: Any = rel.related_model
        if model is Customer or rel.many_to_many:
            continue
        first.setdefault(model, []).append(rel.field.name)
    second: dict[Any, list[tuple[str, Any]]] = {}
    for model in first:
        for child_rel in model._meta.related_objects:
            child: Any = child_rel.related_model
            if child_rel.many_to_many or child in first or _points_at_customer(child):
                continue  # a table that names the customer is reached directly
            second.setdefault(child, []).append((child_rel.field.name, model))
    return first, second


def person_rows(ids: list[int], *, business_id: int) -> Iterator[tuple[Any, QuerySet[Any]]]:
    """(model, the person's rows of it) for every table linked to the customers `ids` (pass
    `person_ids(...)`), the customers' own table excepted; first the tables that point at a
    customer, then the tables that point at those. A table reached by several links (a refund
    names its visit and the visit it was exchanged for) is given once, with every link."""
    first, second = _linked_models()
    rows_of: dict[Any, QuerySet[Any]] = {}
    for model, links in first.items():
        q = Q()
        for name in links:
            q |= Q(**{f"{name}__in": ids})
        rows_of[model] = model._default_manager.filter(q & _business_q(model, business_id))
        yield model, rows_of[model]
    for child, parents in second.items():
        q = Q()
        for name, parent in parents:
            q |= Q(**{f"{name}__in": rows_of[parent].values("pk")})
        yield child, child._default_manager.filter(q & _business_q(child, business_id))


def person_tables() -> list[str]:
    """The database tables a person's rows live in (the customers' own, their join tables and
    every linked table): what is vacuumed after an erasure (`core.maintenance.scrub_storage`)."""
    first, second = _linked_models()
    tables = [Customer._meta.db_table]
    for m2m in Customer._meta.local_many_to_many:
        through: Any = m2m.remote_field.through
        tables.append(through._meta.db_table)
    tables += [model._meta.db_table for model in (*first, *second)]
    return sorted(set(tables))


def blank_value(field: models.Field[Any, Any]) -> tuple[bool, Any]:
    """(whether the field can be cleared, its cleared value): None where it may be null, the
    empty text or the empty JSON default otherwise; amounts, counts and dates that cannot be
    null stay (the books and statistics need them)."""
    if field.null:
        return True, None
    if isinstance(field, models.CharField | models.TextField):
        return True, ""
    if isinstance(field, models.JSONField):
        return True, field.get_default() if field.has_default() else {}
    return False, None
