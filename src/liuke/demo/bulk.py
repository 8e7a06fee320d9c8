"""Bulk loading for the demo: columns written with `executemany` in batches, ids chosen up front.

The generator (`liuke.demo.generator`) decides what goes in the tables; this module knows how to
put many rows in fast: batches of 10,000 rows with explicit ids (so that foreign keys are known
without reading anything back), SQLite's secondary indexes dropped for the load and rebuilt from
their stored SQL, and no row-by-row foreign-key lookups while loading (see `sqlite_bulk_mode`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from django.db import connection, models
from rich.progress import TaskID

from liuke.demo.progress import Bar
from liuke.demo.simulate.columns import NO_TIME

BATCH = 10_000
#: SQLite page cache while building (KiB): the sorts that rebuild the indexes of a
#: million-customer demo run in memory instead of spilling to temporary files.
SQLITE_BUILD_CACHE_KIB = 1_000_000


class DemoError(RuntimeError):
    """The demo cannot be built as asked (it exists already, or a username is taken)."""


class BulkWriter:
    """Writes whole columns into one table at a time, with a progress bar per table."""

    def __init__(self, bar: Bar) -> None:
        self.bar = bar
        self.sqlite = connection.vendor == "sqlite"
        # Django stores aware datetimes as naive UTC text on SQLite; PostgreSQL wants the zone.
        self.zone = "" if self.sqlite else "+00:00"

    def insert(
        self, model: type[models.Model], columns: dict[str, Sequence[Any]], rows: int, label: str
    ) -> None:
        """INSERT the columns in batches.

        The sales tables grow; a column the demo does not fill gets the database's default, or
        NULL, or the field's default, and a value for a column the model no longer has is left
        out (the subtotal of a visit, say, on an older schema).
        """
        fields = {f.column: f for f in model._meta.concrete_fields}
        columns = {k: v for k, v in columns.items() if k in fields}
        for column, f in fields.items():
            if column in columns or f.db_default is not models.NOT_PROVIDED:
                continue
            if f.null:
                columns[column] = [None] * rows
            elif f.has_default():
                columns[column] = [f.get_db_prep_save(f.get_default(), connection)] * rows
            else:
                raise DemoError(
                    f"The demo does not know how to fill {model._meta.db_table}.{column}; "
                    "teach liuke.demo.generator about it."
                )
        qn = connection.ops.quote_name
        names = list(columns)
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in names)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        task = self.bar.step(label, rows)
        values = list(columns.values())
        with connection.cursor() as cursor, self.indexes_rebuilt(model, task):
            for lo in range(0, rows, BATCH):
                hi = min(lo + BATCH, rows)
                cursor.executemany(sql, list(zip(*(col[lo:hi] for col in values), strict=True)))
                self.bar.advance(task, hi - lo)

    @contextmanager
    def indexes_rebuilt(self, model: type[models.Model], task: TaskID | None) -> Iterator[None]:
        """On SQLite, drop the table's indexes for the load and build them again afterwards.

        Building an index once from the loaded rows is cheaper than keeping it up to date row by
        row: at a million customers the whole build takes about a fifth less time than when only
        the indexes on randomly ordered columns (names, phones, the customer of a visit) are
        dropped, and much less than keeping them all. Everything happens inside the build's
        transaction (other connections keep reading the old snapshot with its indexes), and the
        indexes come back from their own stored SQL, exactly as the migrations made them.
        PostgreSQL keeps its indexes (dropping one would lock the table for every other session).
        """
        if not self.sqlite:
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [model._meta.db_table],
            )
            indexes = cursor.fetchall()
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        self.bar.describe(task, "indexing")
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
        self.bar.describe(task, "")

    def next_id(self, model: type[models.Model]) -> int:
        """The first free id: after the largest id, and after any id SQLite handed out before."""
        qn = connection.ops.quote_name
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({qn(model._meta.pk.column)}) FROM {qn(table)}")  # noqa: S608
            top = cursor.fetchone()[0] or 0
            if self.sqlite:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                top = max(top, row[0] if row else 0)
        return int(top) + 1

    def times(self, seconds: np.ndarray) -> list[str | None]:
        text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").tolist()
        out: list[str | None] = [t.replace("T", " ") + self.zone for t in text]
        for i in np.flatnonzero(seconds == NO_TIME).tolist():
            out[i] = None
        return out


def dates(days: np.ndarray) -> list[str | None]:
    text = np.datetime_as_string(days, unit="D").tolist()
    return [None if t == "NaT" else t for t in text]


def lookup(ids: np.ndarray, index: np.ndarray) -> list[int | None]:
    """ids[index], with None where index is -1."""
    out: list[int | None] = ids[np.maximum(index, 0)].tolist()
    for i in np.flatnonzero(index < 0).tolist():
        out[i] = None
    return out


@contextmanager
def sqlite_bulk_mode() -> Iterator[None]:
    """A big page cache, and no foreign-key lookups row by row while the demo is loaded.

    Every id the demo writes is one it has just written itself, so the per-row parent lookups
    (five per visit) only cost time; `connection.constraint_checks_disabled()` is what Django's
    `loaddata` uses, and it does nothing inside an outer transaction (the tests), where the checks
    stay on. PostgreSQL is left as it is.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_BUILD_CACHE_KIB}")
    try:
        with connection.constraint_checks_disabled():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
