"""Keeping the query planner informed.

Search at a million customers depends on the planner choosing the name, pinyin, initials or
phone index over the (business, branch) index that a branch-scoped query also matches. SQLite
makes that choice from the statistics in `sqlite_stat1`; without them it prefers whichever
index matches more equality terms, the wrong one (docs/benchmarks.md). The demo generator
ANALYZEs after its bulk load; this job keeps the statistics current as a real archive grows.
PostgreSQL's autovacuum daemon analyses by itself; there the job runs a plain ANALYZE of the
customer table, which is cheap (it samples).
"""

from __future__ import annotations

from django.db import connection

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
