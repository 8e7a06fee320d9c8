"""Browsing the audit log at 1,000,000 events (part of `liuke bench --only audit`; SQLite).

The database: the audit benchmark's small demo salon (var/bench/audit-small.sqlite3) plus
1,000,000 events added set-based (one INSERT … SELECT over a recursive counter): a year of reads
and changes by the salon's staff, one customer each, 10 % of them in a second business (another
tenant in the same table); and their per-customer index rows. Their hashes are placeholders (the
chain does not verify; this database serves only to time the browse queries). Built once and
cached as var/bench/audit-browse.sqlite3.

Measured in a child process as the owner: `audit.selectors.audit_events` (the page and the API)
for each filter, the first page and a page in the middle of the log (cursor at the salon's
450,000th newest event); median of 15 runs after one warm-up, with SQLite's plan of the query.
"""

from __future__ import annotations

import json
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

EVENTS = 1_000_000
FORMAT = 1
RUNS = 15


def run_browse_benchmark(console: Any, folder: Path, env_for: Any, python: Any) -> bool:
    """Build (or reuse) the database, measure in a child, print the figures."""
    import sqlite3

    template = folder / "audit-small.sqlite3"
    database = folder / "audit-browse.sqlite3"
    stamp = database.with_suffix(".json")
    fresh = stamp.exists() and json.loads(stamp.read_text()).get("format") == FORMAT
    if not (database.exists() and fresh):
        console.print(f"[bold]Building {database}[/bold] ({EVENTS:,} audit events) …")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, database)
        with sqlite3.connect(database) as conn:
            _fill(conn)
            conn.execute("ANALYZE")
        stamp.write_text(json.dumps({"format": FORMAT}), encoding="utf-8")
    env = env_for(f"sqlite:///{database}", folder / "audit-var", "1")
    out = python(["-m", "liuke.bench.audit_browse"], env)
    result = json.loads(out.strip().splitlines()[-1])
    for row in result["rows"]:
        print(
            f"bench audit browse database=sqlite events={result['events']} "
            f"filter={row['filter']} page={row['page']} median_ms={row['median_ms']:.2f} "
            f"max_ms={row['max_ms']:.2f} rows={row['rows']}"
        )
        console.print(f"  plan: {' | '.join(row['plan'])}", markup=False)
    return bool(result["rows"])


def _fill(conn: Any) -> None:
    """EVENTS events after the existing ones, over the last 365 days, and their subjects."""
    (business,) = conn.execute(
        "SELECT business_id FROM customers_customer GROUP BY business_id "
        "ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()
    staff = [r[0] for r in conn.execute("SELECT id FROM accounts_user WHERE business_id = ?",
                                        (business,))]  # fmt: skip
    customers = conn.execute(
        "SELECT MIN(id), MAX(id) FROM customers_customer WHERE business_id = ?", (business,)
    ).fetchone()
    start = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_auditevent").fetchone()[0]
    conn.execute("CREATE TEMP TABLE staff_list (n INTEGER PRIMARY KEY, id INTEGER)")
    conn.executemany("INSERT INTO staff_list VALUES (?, ?)", list(enumerate(staff)))
    span = customers[1] - customers[0] + 1
    conn.execute(
        f"""
        WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {EVENTS})
        INSERT INTO audit_auditevent (seq, occurred_at, business_id, actor_id, actor_label,
            action, customer_ids, fields, reason, request_id, client_ip, prev_hash, hash)
        SELECT {start} + n,
               strftime('%Y-%m-%d %H:%M:%f', 'now', '-365 days',
                        '+' || (n * 31536.0 / {EVENTS} * 1000) || ' seconds'),
               CASE WHEN n % 10 = 0 THEN {business} + 100000 ELSE {business} END,
               (SELECT id FROM staff_list WHERE staff_list.n = c.n % {len(staff)}),
               'staff', CASE n % 7 WHEN 0 THEN 'update' WHEN 1 THEN 'list'
                                   WHEN 2 THEN 'search' ELSE 'view' END,
               '[' || ({customers[0]} + (n * 7919) % {span}) || ']', '["profile"]', '', '',
               '127.0.0.1', printf('%064x', {start} + n - 1), printf('%064x', {start} + n)
        FROM c
        """  # noqa: S608 (integers computed above)
    )
    conn.execute(
        f"""
        INSERT INTO audit_auditsubject (event_id, customer_id)
        SELECT id, json_extract(customer_ids, '$[0]') FROM audit_auditevent WHERE seq > {start}
        """  # noqa: S608
    )
    conn.execute(
        "UPDATE audit_audithead SET seq = (SELECT MAX(seq) FROM audit_auditevent), "
        "hash = printf('%064x', (SELECT MAX(seq) FROM audit_auditevent)) WHERE id = 1"
    )


def measure() -> dict[str, Any]:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from liuke.audit import selectors
    from liuke.audit.models import AuditEvent
    from liuke.bench.processes import demo_owner

    owner = demo_owner()
    events = AuditEvent.objects.count()
    deep = (
        AuditEvent.objects.filter(business_id=owner.business_id)
        .order_by("-seq")
        .values_list("seq", flat=True)[450_000 - 1 : 450_000]
    )
    deep_cursor = deep[0] if deep else None
    sample = AuditEvent.objects.filter(business_id=owner.business_id).order_by("-seq").first()
    assert sample is not None
    long_ago = timezone.now() - dt.timedelta(days=200)
    filters = {
        "none": {},
        "staff": {"staff": sample.actor_id},
        "customer": {"customer": sample.customer_ids[0]},
        "action": {"action": "update"},
        "time": {"since": long_ago, "until": long_ago + dt.timedelta(days=2)},
        "staff+action": {"staff": sample.actor_id, "action": "update"},
    }
    rows = []
    for name, values in filters.items():
        for page, cursor in (("first", None), ("deep", deep_cursor)):
            f = selectors.AuditFilters(**values, cursor=cursor)
            selectors.audit_events(actor=owner, filters=f)  # warm-up
            times = []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                result = selectors.audit_events(actor=owner, filters=f)
                times.append((time.perf_counter() - t0) * 1000)
            qs, _searched = selectors.filtered_events(actor=owner, filters=f)
            sql, params = qs[: selectors.PAGE_SIZE + 1].query.sql_with_params()
            with connection.cursor() as cursor_:
                cursor_.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = [str(r[-1]) for r in cursor_.fetchall()]
            rows.append(
                {
                    "filter": name,
                    "page": page,
                    "median_ms": statistics.median(times),
                    "max_ms": max(times),
                    "rows": len(result.items),
                    "plan": plan,
                }
            )
    return {"events": events, "rows": rows}


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    print(json.dumps(measure()))
