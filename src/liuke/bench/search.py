"""`liuke bench`: customer search latency on the demo salon at 10,000 and 1,000,000 customers.

Each size gets its own SQLite file, var/bench/demo-<size>.sqlite3, built once by
`liuke demo --customers <size> --seed 7` in a child process (DATABASE_URL pointing at the file)
and reused while it holds that demo (var/bench/demo-<size>.json records the build). A second
child process measures, so that the figures come from a fresh process on a database that is
not the one the parent has open.

The measurement: `customers.selectors.customer_search` as the owner, for `queries` different
queries drawn from the archive (full names, surnames, pinyin initials, full pinyin, the last four
digits of a mobile, full mobiles, card numbers), after a warm-up with other queries. Reported per
kind and overall: median and 95th percentile in milliseconds. The target (docs/benchmarks.md):
p95 < 20 ms at 1,000,000 customers for name, initials, phone-suffix and card searches. The exit
code is 1 when a measured target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SEED = 7
TARGET_MS = 20.0
TARGET_SIZE = 1_000_000
TARGET_KINDS = ("name", "initials", "phone4", "card")
KINDS = ("name", "surname", "initials", "pinyin", "phone4", "mobile", "card")
#: Bump when the generator changes what it builds: older bench databases are rebuilt.
DEMO_FORMAT = 2
#: Who searches: the owner sees every branch; the front desk only theirs (the policy adds a
#: branch condition, which the query planner must not prefer to the search index).
PERSONAS = (("the owner", "owner"), ("the front desk of 静安店", "front_jingan"))


def run_benchmarks(*, sizes: list[int], queries: int) -> int:
    """Build (or reuse) each demo database, measure search, print the results."""
    from django.conf import settings
    from rich.console import Console

    console = Console()
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    ok = True
    for size in sizes:
        database = folder / f"demo-{size}.sqlite3"
        build = _ensure_database(console, database, size)
        for label, username in PERSONAS:
            console.print(
                f"[bold]Measuring {queries:,} searches at {size:,} customers as {label}[/bold] …"
            )
            args = ["--measure", str(size), "--queries", str(queries), "--as", username]
            result = _child(database, args)
            if result is not None and result["customers"] != size:
                # The file no longer holds the demo it was built with: build it again, once.
                build = _ensure_database(console, database, size, force=True)
                result = _child(database, args)
            if result is None or result["customers"] != size:
                console.print("[red]The measurement failed.[/red]")
                return 2
            ok &= _report(console, size, label, result)
        _report_build(size, build)
    return 0 if ok else 1


def _ensure_database(
    console: Any, database: Path, size: int, *, force: bool = False
) -> dict[str, Any]:
    meta_path = database.with_suffix(".json")
    if not force and database.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("customers") == size and meta.get("format") == DEMO_FORMAT:
            console.print(
                f"Reusing {database} (built {meta['built']}; migrated to the current schema)."
            )
            subprocess.run(
                [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"],
                env=_env(database), check=True,
            )  # fmt: skip
            return dict(meta, reused=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)
    console.print(f"[bold]Building the demo salon with {size:,} customers[/bold] in {database} …")
    started = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "liuke.cli", "demo", "--customers", str(size), "--seed", str(SEED)],
        env=_env(database),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    console.print(proc.stdout.strip())
    found = re.search(r"([\d,]+) visits in ([\d.]+) s", proc.stdout)
    meta = {
        "customers": size,
        "seed": SEED,
        "format": DEMO_FORMAT,
        "visits": int(found.group(1).replace(",", "")) if found else None,
        "generator_seconds": float(found.group(2)) if found else None,
        "wall_seconds": round(wall, 1),
        "built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "bytes": database.stat().st_size,
    }
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return dict(meta, reused=False)


def _env(database: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{database.resolve()}",
        DJANGO_SETTINGS_MODULE="liuke.settings",
    )


def _child(database: Path, args: list[str]) -> dict[str, Any] | None:
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "liuke.bench.search", *args],
        env=_env(database),
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def _report(console: Any, size: int, persona: str, result: dict[str, Any]) -> bool:
    from rich.table import Table

    table = Table(title=f"customer_search as {persona}, {size:,} customers (ms)")
    columns = ("kind", "queries", "median", "p95", "max", "CPU median", "DB median", "DB p95",
               "avg results")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "kind" else "right")
    rows = [*[(k, result["kinds"][k]) for k in KINDS], ("all", result["all"])]
    for kind, s in rows:
        table.add_row(
            kind, str(s["n"]), f"{s['median']:.2f}", f"{s['p95']:.2f}", f"{s['max']:.2f}",
            f"{s['cpu_median']:.2f}", f"{s['db_median']:.3f}", f"{s['db_p95']:.3f}",
            f"{s['results']:.1f}",
        )  # fmt: skip
    console.print(table)
    who = result["persona"]
    for kind, s in rows:
        print(
            f"bench size={size} as={who} kind={kind} n={s['n']} median_ms={s['median']:.2f} "
            f"p95_ms={s['p95']:.2f} max_ms={s['max']:.2f} cpu_median_ms={s['cpu_median']:.2f} "
            f"db_median_ms={s['db_median']:.3f} db_p95_ms={s['db_p95']:.3f} "
            f"results={s['results']:.1f}"
        )
    load = result.get("load", [0, 0])
    print(
        f"bench size={size} as={who} cpus={result.get('cpus')} load_avg={load[0]:.2f}->"
        f"{load[1]:.2f} database={result.get('database')} sqlite={result.get('sqlite')}"
    )
    if size < TARGET_SIZE:
        return True
    slow = [k for k in TARGET_KINDS if result["kinds"][k]["p95"] >= TARGET_MS]
    verdict = "PASS" if not slow else "FAIL (" + ", ".join(slow) + ")"
    print(
        f"target p95 < {TARGET_MS:.0f} ms at {size:,} customers as {who} for "
        f"{', '.join(TARGET_KINDS)}: {verdict}"
    )
    for kind in slow:
        console.print(f"[bold]Query plans for {kind} as {persona}[/bold]")
        for sql, plan in result["plans"].get(kind, []):
            console.print(sql, markup=False)
            console.print("  " + "\n  ".join(plan), markup=False)
    return not slow


def _report_build(size: int, build: dict[str, Any]) -> None:
    how = "reused" if build.get("reused") else "built now"
    print(
        f"bench size={size} demo_build_s={build.get('generator_seconds')} "
        f"wall_s={build.get('wall_seconds')} visits={build.get('visits')} "
        f"db_bytes={build.get('bytes')} ({how}, {build.get('built')})"
    )


# --- the measuring child process ----------------------------------------------------------------


def measure(size: int, queries: int, username: str = "owner") -> dict[str, Any]:
    """Time `customer_search` for `queries` queries as `username` (a demo login).

    The queries are the same for every user: a front desk also looks for customers of the
    other branch, and finds nothing, which is the slow case when a plan is wrong.
    """
    import numpy as np
    from django.db import connection

    from liuke.accounts.choices import Role
    from liuke.accounts.models import User
    from liuke.customers.models import Customer
    from liuke.customers.selectors import customer_search
    from liuke.demo.generator import demo_business

    business = demo_business()
    if business is None:
        return {"customers": 0}
    actor = (
        User.objects.get(business=business, role=Role.OWNER)
        if username == "owner"
        else User.objects.get(business=business, username=username)
    )
    count = Customer.objects.filter(business=business).count()
    rng = np.random.default_rng(size)
    warm, measured, order = _pick_queries(business, rng, queries)

    for query in warm:
        customer_search(actor=actor, query=query)
    load_before = os.getloadavg()[0]
    wall: dict[str, list[float]] = {k: [] for k in KINDS}
    cpu: dict[str, list[float]] = {k: [] for k in KINDS}
    found: dict[str, list[int]] = {k: [] for k in KINDS}
    for i in order.tolist():
        kind, query = measured[i]
        started, cpu_started = time.perf_counter(), time.thread_time()
        rows = customer_search(actor=actor, query=query)
        wall[kind].append((time.perf_counter() - started) * 1000)
        cpu[kind].append((time.thread_time() - cpu_started) * 1000)
        found[kind].append(len(rows))
    load_after = os.getloadavg()[0]

    db, plans = _database_share(actor, measured)

    def stats(kinds: tuple[str, ...]) -> dict[str, float]:
        def pick(values: dict[str, list[float]]) -> np.ndarray:
            return np.array([v for k in kinds for v in values[k]] or [0.0])

        w, c, d = pick(wall), pick(cpu), pick(db)
        return {
            "n": int(sum(len(wall[k]) for k in kinds)),
            "median": float(np.median(w)),
            "p95": float(np.percentile(w, 95)),
            "max": float(w.max()),
            "cpu_median": float(np.median(c)),
            "cpu_p95": float(np.percentile(c, 95)),
            "db_median": float(np.median(d)),
            "db_p95": float(np.percentile(d, 95)),
            "results": float(np.mean([h for k in kinds for h in found[k]] or [0])),
        }

    return {
        "customers": count,
        "persona": actor.username,
        "kinds": {k: stats((k,)) for k in KINDS},
        "all": stats(KINDS),
        "plans": plans,
        "load": [load_before, load_after],
        "cpus": os.cpu_count(),
        "database": connection.vendor,
        "sqlite": sqlite3.sqlite_version if connection.vendor == "sqlite" else "",
    }


def _pick_queries(
    business: Any, rng: Any, queries: int
) -> tuple[list[str], list[tuple[str, str]], Any]:
    """Queries of every kind from random customers: (warm-up queries, measured (kind, query)
    pairs, the order to run the measured ones in)."""
    from liuke.customers.models import Customer

    per_kind = -(-queries // len(KINDS))
    warmup = 200
    low, high = (
        Customer.objects.filter(business=business).order_by("id").values_list("id", flat=True)[0],
        Customer.objects.filter(business=business).order_by("-id").values_list("id", flat=True)[0],
    )
    picked = rng.integers(low, high + 1, size=3 * (per_kind * len(KINDS) + warmup))
    people = list(
        Customer.objects.filter(pk__in=picked.tolist()).values_list(
            "name", "name_pinyin", "name_initials", "mobile", "card_no"
        )
    )
    rng.shuffle(people)
    pool: dict[str, list[str]] = {k: [] for k in KINDS}
    for name, pinyin, initials, mobile, card in people:
        candidates = {
            "name": name,
            "surname": name[:2] if name[:2] in ("欧阳", "上官") else name[:1],
            "initials": initials,
            "pinyin": pinyin,
            "phone4": mobile[-4:] if mobile else "",
            "mobile": mobile,
            "card": card or "",
        }
        for kind, query in candidates.items():
            if query and len(pool[kind]) < per_kind + warmup // len(KINDS):
                pool[kind].append(query)
    warm = [q for k in KINDS for q in pool[k][per_kind:]]
    measured = [(k, q) for k in KINDS for q in pool[k][:per_kind]][:queries]
    return warm, measured, rng.permutation(len(measured))


def _database_share(
    actor: Any, measured: list[tuple[str, str]]
) -> tuple[dict[str, list[float]], dict[str, list[tuple[str, list[str]]]]]:
    """The database's share: the same searches' SELECTs on the customer table, run again raw
    (milliseconds per query by kind), and each kind's query plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from liuke.customers.selectors import customer_search

    db: dict[str, list[float]] = {k: [] for k in KINDS}
    plans: dict[str, list[tuple[str, list[str]]]] = {}
    with connection.cursor() as cursor:
        for kind, query in measured:
            with CaptureQueriesContext(connection) as ctx:
                customer_search(actor=actor, query=query)
            selects = [
                q["sql"]
                for q in ctx.captured_queries
                if q["sql"].startswith("SELECT") and "customers_customer" in q["sql"]
            ]
            started = time.perf_counter()
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()
            db[kind].append((time.perf_counter() - started) * 1000)
            if kind not in plans:
                plans[kind] = [(sql, _explain(connection, sql)) for sql in selects]

    return db, plans


def _explain(connection: Any, sql: str) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return [" ".join(str(part) for part in row) for row in cursor.fetchall()]


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m liuke.bench.search")
    parser.add_argument("--measure", type=int, required=True, help="the expected size")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--as", dest="username", default="owner", help="a demo login")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    from django.core.management import call_command

    # A cached benchmark database may predate the newest migrations: bring it up to date.
    call_command("migrate", interactive=False, verbosity=0)
    # What `liuke serve` does at start: a migration may have rebuilt a table (and with it lost
    # its planner statistics). The search must not depend on them (policy.scope_customers'
    # `for_search`), but measure the database as it is served.
    from liuke.core.maintenance import optimize_database

    optimize_database()
    print(json.dumps(measure(args.measure, args.queries, args.username)))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
