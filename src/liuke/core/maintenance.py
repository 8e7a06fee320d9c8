"""Keeping the query planner informed, and erased values out of the database's storage.

Search at a million customers depends on the planner choosing the name, pinyin, initials or
phone index over the (business, branch) index that a branch-scoped query also matches. SQLite
makes that choice from the statistics in `sqlite_stat1`; without them it prefers whichever
index matches more equality terms, the wrong one (docs/benchmarks.md). The demo generator
ANALYZEs after its bulk load; this job keeps the statistics current as a real archive grows.
PostgreSQL's autovacuum daemon analyses by itself; there the job runs a plain ANALYZE of the
customer table, which is cheap (it samples).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

#: Rows SQLite reads per index while analysing (`PRAGMA analysis_limit`): enough for good
#: estimates, and it keeps the job to well under a second at a million customers.
ANALYSIS_LIMIT = 2000


def optimize_database() -> str:
    """Refresh the planner statistics; returns what was run."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            # 0x10002: analyse every table whose statistics are missing or out of date.
            cursor.execute("PRAGMA optimize=0x10002")
            return "PRAGMA optimize"
        cursor.execute("ANALYZE customers_customer")
        return "ANALYZE customers_customer"


def scrub_storage(tables: Sequence[str], *, own: BaseDatabaseWrapper | None = None) -> list[str]:
    """Make the old versions of rows that were erased unreachable in the database's storage;
    returns the statements run.

    SQLite overwrites deleted content on every connection (`PRAGMA secure_delete`, settings);
    the old page images stay in the write-ahead log until a checkpoint, forced here with
    TRUNCATE, which also empties the log file. PostgreSQL keeps an updated row's old version as
    a dead tuple until a VACUUM removes it (autovacuum does, in its own time): the tables are
    vacuumed here. VACUUM cannot run inside a transaction block, so the work runs on a
    connection of its own (`own`, closed afterwards; a new one to the default database unless
    given), in autocommit, whatever the caller holds open.
    """
    own = own or connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        if own.vendor == "sqlite":
            if own.is_in_memory_db():  # type: ignore[attr-defined]
                return []  # no file, no log: nothing outlives the rows
            statements = ["PRAGMA wal_checkpoint(TRUNCATE)"]
        else:
            statements = [f"VACUUM {own.ops.quote_name(table)}" for table in tables]
        own.set_autocommit(True)
        with own.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        return statements
    finally:
        own.close()
