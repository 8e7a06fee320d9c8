"""Set-based writes: `INSERT … SELECT … ON CONFLICT DO NOTHING`, the SELECT built with the ORM.

The daily jobs (engagement's follow-ups and reminders, complaints' timers, feedback's survey
invitations) write thousands of rows in one statement instead of a loop over customers: a
queryset reduced to exactly the target table's columns (`select_values`, with `const` for the
fixed ones and `timestamps` for created/updated), wrapped in an INSERT by `insert_select`. The
ORM writes the SELECT, so it is right for SQLite and PostgreSQL alike; a unique key on the target
table makes a repeated run insert nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import DateTimeField, F, Func, IntegerField, QuerySet, Subquery, Value


def insert_select(model: type[models.Model], qs: Any, columns: Sequence[str]) -> int:
    """INSERT INTO model (columns) SELECT … (the values queryset `qs`, same order) ON CONFLICT
    DO NOTHING; returns the rows inserted."""
    sql, params = qs.query.sql_with_params()
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    # SQLite needs a WHERE before ON CONFLICT when the rows come from a SELECT.
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({cols}) "  # noqa: S608 (names from models)
        f"SELECT * FROM ({sql}) src WHERE 1 = 1 ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(int(cursor.rowcount), 0)


def select_values(qs: Any, **columns: Any) -> Any:
    """`qs` reduced to exactly these output columns, in this order."""
    names = {f"o_{k}": v for k, v in columns.items()}
    return qs.annotate(**names).values(*names)


def const(value: Any, field: models.Field[Any, Any]) -> Value:
    """A fixed value in every row, typed for the column it fills."""
    return Value(value, output_field=field)


def timestamps(now: dt.datetime) -> dict[str, Value]:
    """`created_at` and `updated_at` (a `TimeStampedModel`'s columns), both `now`."""
    return {
        "created_at": const(now, DateTimeField()),
        "updated_at": const(now, DateTimeField()),
    }


def count_of(qs: QuerySet[Any]) -> Subquery:
    """`SELECT COUNT(*) FROM (qs)` as a scalar subquery, so that several counts (the
    navigation's badges) are computed in one SELECT. COUNT without GROUP BY answers exactly one
    row, 0 when nothing matches."""
    counted = qs.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Subquery(counted, output_field=IntegerField())
