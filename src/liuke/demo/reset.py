"""Delete a business and every row that belongs to it, with set-based SQL (fast at 1M rows).

Which rows belong to a business is read from the model graph, not from a list kept by hand: a
model belongs if it has a foreign key that owns its rows (CASCADE, PROTECT, RESTRICT or
DO_NOTHING) to the business or to a model that belongs. Today that is, deepest first: visit
lines, customer tags, field changes, photos, merges, staff branches …, then visits, customers,
tags, services, staff, branches, and the business last; tomorrow it includes whatever tables the
sales, appointments or complaints apps add, without touching this module.

Each model's rows are found through its owning foreign keys to models nearer the business (the
ones deleted later), so the subqueries still see their parents when they run. Foreign keys are
deferred on both databases (Django creates them so), so the order between tables of the same
depth does not matter. Rows outside the business that point at its rows with SET_NULL are set to
NULL first. Tables without a foreign key (the audit log names customers by plain ids) are left
alone: the audit log is append-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import connection, models

from liuke.accounts.models import Business

_OWNING = (models.CASCADE, models.PROTECT, models.RESTRICT, models.DO_NOTHING)


def _foreign_keys(model: type[models.Model]) -> Iterator[models.ForeignKey[Any, Any]]:
    for f in model._meta.concrete_fields:
        remote = f.remote_field
        if (
            f.is_relation
            and (f.many_to_one or f.one_to_one)
            and remote
            and remote.model is not model
        ):
            yield f  # type: ignore[misc]


def _models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]


def owned_models() -> dict[type[models.Model], int]:
    """Every model whose rows belong to a business, with its depth (the business is 0)."""
    depth: dict[type[models.Model], int] = {Business: 0}
    level = 0
    while True:
        found = [
            m
            for m in _models()
            if m not in depth
            and any(
                f.remote_field.on_delete in _OWNING and depth.get(f.remote_field.model) == level
                for f in _foreign_keys(m)
            )
        ]
        if not found:
            return depth
        level += 1
        depth.update(dict.fromkeys(found, level))


def delete_business(business_id: int) -> dict[str, int]:
    """Delete the business and everything under it; return rows deleted per table.

    Run it inside a transaction (the generator does): a failure leaves nothing half-deleted.
    """
    depth = owned_models()
    qn = connection.ops.quote_name

    def rows_of(model: type[models.Model]) -> tuple[str, int]:
        """A WHERE condition selecting the model's rows of the business, and its %s count."""
        if model is Business:
            return f"{qn(model._meta.pk.column)} = %s", 1
        parts, params = [], 0
        for f in _foreign_keys(model):
            parent = f.remote_field.model
            if f.remote_field.on_delete not in _OWNING or depth.get(parent, 99) >= depth[model]:
                continue
            where, n = rows_of(parent)
            target = qn(f.target_field.column)
            parts.append(
                f"{qn(f.column)} IN (SELECT {target} FROM {qn(parent._meta.db_table)} "  # noqa: S608
                f"WHERE {where})"
            )
            params += n
        return " OR ".join(parts), params

    deleted: dict[str, int] = {}
    outsiders = [m for m in _models() if m not in depth]
    with connection.cursor() as cursor:
        for model in sorted(depth, key=lambda m: -depth[m]):
            where, n = rows_of(model)
            for other in outsiders:
                for f in _foreign_keys(other):
                    if (
                        f.remote_field.model is model
                        and f.remote_field.on_delete is models.SET_NULL
                    ):
                        cursor.execute(
                            f"UPDATE {qn(other._meta.db_table)} SET {qn(f.column)} = NULL "  # noqa: S608
                            f"WHERE {qn(f.column)} IN (SELECT {qn(f.target_field.column)} "
                            f"FROM {qn(model._meta.db_table)} WHERE {where})",
                            [business_id] * n,
                        )
            cursor.execute(
                f"DELETE FROM {qn(model._meta.db_table)} WHERE {where}",  # noqa: S608
                [business_id] * n,
            )
            deleted[model._meta.db_table] = cursor.rowcount
    return deleted
