"""Audit benchmark for `liuke bench` (alone: `liuke bench --only audit`): what auditing every
read costs a customer-profile read.

Three ways of reading, each against a real gunicorn (sync workers) with 16 concurrent clients,
on SQLite and on PostgreSQL (a throw-away cluster from scripts/pgserver.py):

- "audit on":  GET /api/v1/customers/<id> as a logged-in staff member (a session cookie per
  client): the session, the access policy, the profile query and its audit event (appended
  under the head-row lock), as in production;
- "audit off": the same request with LIUKE_AUDIT_READS=0 (reads leave no event; a switch that
  exists only for this comparison and must never be off in production);
- "bare view": a Django view that reads one customer row by primary key and answers JSON
  (the whole middleware stack, no authentication, no policy, no audit): the floor.

Each run gets a fresh copy of a small demo salon (`liuke demo --customers 2000 --seed 11`, built
once and cached in var/bench/audit-small.sqlite3 / cloned from a template database). The modes
are interleaved over several rounds (on, off, bare, on, off, bare, …) and each mode's rounds
pooled, so that load from other processes on the machine falls on all three alike. The clients
are one asyncio process (a client process per connection would spend the two cores on Python
instead of the server); every client reads customers in turn, after a warm-up, and each request
opens its own connection (gunicorn's sync workers close it after the response). Reported: requests
per second, p50 and p95 latency in milliseconds, p95 of each round, errors, and the server's CPU
time per request (user + system time of the gunicorn workers and, on PostgreSQL, of the backends
serving the run's database, read from /proc): unlike latency, it hardly moves with other load on
the machine, so it shows what auditing costs even on a busy host. The target
(docs/benchmarks.md): p95 < 50 ms for "audit on" on both databases; the exit code is 1 when it is
missed or a run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from liuke.bench import processes

ROOT = Path(__file__).resolve().parents[3]
CUSTOMERS = 2_000
SEED = 11
FORMAT = 2
CLIENTS = 16
WARMUP = 10
TARGET_P95_MS = 50.0
MODES = (
    ("audit on", "1", "/api/v1/customers/{id}"),
    ("audit off", "0", "/api/v1/customers/{id}"),
    ("bare view", "1", "/bench/bare/{id}"),
)


# --- the parent ---------------------------------------------------------------------------------


def run_audit_benchmarks(*, requests_each: int = 100, workers: int = 4, rounds: int = 3) -> int:
    """Measure the three reads on both databases; print a table and plain lines."""
    from django.conf import settings
    from rich.console import Console

    console = Console()
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    runs: list[dict[str, Any]] = []
    for database, runner in (("sqlite", _sqlite_runs), ("postgresql", _postgres_runs)):
        try:
            runs += runner(console, folder, requests_each, workers, rounds)
        except Exception as exc:
            console.print(f"[red]{database} audit benchmark failed: {exc}[/red]")
    results = _pool(runs)
    _report(console, results, workers, rounds)
    browsed = False
    try:
        from liuke.bench.audit_browse import run_browse_benchmark

        browsed = run_browse_benchmark(console, folder, _env, _python)
    except Exception as exc:
        console.print(f"[red]audit browse benchmark failed: {exc}[/red]")
    audited = [r for r in results if r["mode"] == "audit on"]
    ok = len(results) == 2 * len(MODES) and all(r["errors"] == 0 for r in results) and browsed
    return 0 if ok and all(r["p95_ms"] < TARGET_P95_MS for r in audited) else 1


def _pool(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rounds of one database and mode together: all latencies, summed time and errors."""
    pooled: dict[tuple[str, str], dict[str, Any]] = {}
    for run in runs:
        key = (run["database"], run["mode"])
        into = pooled.setdefault(
            key,
            {"database": key[0], "mode": key[1], "latencies": [], "seconds": 0.0, "errors": 0,
             "first_error": "", "rounds_p95": [], "cpu_seconds": 0.0},
        )  # fmt: skip
        into["latencies"] += run["latencies"]
        into["seconds"] += run["seconds"]
        into["cpu_seconds"] += run["cpu_seconds"]
        into["errors"] += run["errors"]
        into["first_error"] = into["first_error"] or run["first_error"]
        into["rounds_p95"].append(_percentile(sorted(run["latencies"]), 95))
    out = []
    for r in pooled.values():
        latencies = sorted(r.pop("latencies"))
        r.update(
            requests=len(latencies),
            per_second=len(latencies) / r["seconds"] if r["seconds"] else 0.0,
            p50_ms=_percentile(latencies, 50),
            p95_ms=_percentile(latencies, 95),
            cpu_ms=1000 * r["cpu_seconds"] / len(latencies) if latencies else 0.0,
        )
        out.append(r)
    return out


def _report(console: Any, results: list[dict[str, Any]], workers: int, rounds: int) -> None:
    from rich.table import Table

    table = Table(
        title=f"Customer-profile read, {CLIENTS} clients, gunicorn {workers} workers, "
        f"{rounds} interleaved rounds"
    )
    for column in ("database", "read", "requests", "per s", "p50 ms", "p95 ms",
                   "p95 per round", "server CPU ms", "errors"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("database", "read") else "right")
    for r in results:
        table.add_row(
            r["database"], r["mode"], str(r["requests"]), f"{r['per_second']:.0f}",
            f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}",
            " / ".join(f"{v:.0f}" for v in r["rounds_p95"]), f"{r['cpu_ms']:.2f}",
            str(r["errors"]),
        )  # fmt: skip
    console.print(table)
    print(f"bench audit load_average={' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for r in results:
        print(
            f"bench audit read database={r['database']} mode={r['mode'].replace(' ', '_')} "
            f"clients={CLIENTS} workers={workers} rounds={rounds} requests={r['requests']} "
            f"per_second={r['per_second']:.0f} p50_ms={r['p50_ms']:.1f} "
            f"p95_ms={r['p95_ms']:.1f} server_cpu_ms={r['cpu_ms']:.2f} errors={r['errors']}"
            + (f" first_error={r['first_error']!r}" if r["first_error"] else "")
        )


def _env(url: str, var_dir: Path, audit_reads: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="liuke.settings")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env.update(
        LIUKE_VAR_DIR=str(var_dir),
        STATIC_ROOT=str(var_dir / "static"),
        DEBUG="0",
        LIUKE_AUDIT_READS=audit_reads,
        # Persistent connections, as a production deployment configures them.
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
    )
    return env


def _python(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(  # noqa: S603 (our own interpreter and modules)
        [sys.executable, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return proc.stdout


def _build(url: str, var_dir: Path) -> dict[str, Any]:
    env = _env(url, var_dir, "1")
    _python(
        ["-m", "liuke.cli", "demo", "--customers", str(CUSTOMERS), "--seed", str(SEED),
         "--quiet"], env,
    )  # fmt: skip
    out = _python(["-m", "liuke.bench.audit", "--setup"], env)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _sqlite_runs(
    console: Any, folder: Path, requests_each: int, workers: int, rounds: int
) -> list[dict[str, Any]]:
    import sqlite3

    template = folder / "audit-small.sqlite3"
    stamp = template.with_suffix(".json")
    var_dir = folder / "audit-var"
    var_dir.mkdir(parents=True, exist_ok=True)
    fixtures: dict[str, Any] | None = None
    if template.exists() and stamp.exists():
        meta = json.loads(stamp.read_text(encoding="utf-8"))
        if meta.get("format") == FORMAT:
            fixtures = meta["fixtures"]
            console.print(f"Reusing {template} (brought up to the current migrations).")
            _python(["-m", "django", "migrate", "--noinput", "-v", "0"],
                    _env(f"sqlite:///{template}", var_dir, "1"))  # fmt: skip
    if fixtures is None:
        console.print(f"[bold]Building {template}[/bold] ({CUSTOMERS:,} customers) …")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{template}{suffix}").unlink(missing_ok=True)
        fixtures = _build(f"sqlite:///{template}", var_dir)
        with contextlib.closing(sqlite3.connect(template)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        stamp.write_text(json.dumps({"format": FORMAT, "fixtures": fixtures}), encoding="utf-8")
    work = folder / "audit-work.sqlite3"
    runs = []
    for round_no in range(1, rounds + 1):
        for mode, audit_reads, path in MODES:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, work)
            console.print(f"SQLite, round {round_no}, {mode} …")
            env = _env(f"sqlite:///{work}", var_dir, audit_reads)
            runs.append(
                _measure("sqlite", mode, path, env, var_dir, fixtures, requests_each, workers)
            )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    return runs


def _postgres_runs(
    console: Any, folder: Path, requests_each: int, workers: int, rounds: int
) -> list[dict[str, Any]]:
    import psycopg
    from psycopg import sql

    from liuke.bench.processes import pgserver

    var_dir = folder / "audit-var"
    var_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    with pgserver().cluster("liuke_audit_template") as base_url:
        console.print(f"[bold]PostgreSQL: building the template database[/bold] ({base_url}) …")
        fixtures = _build(base_url, var_dir)
        head, _sep, query = base_url.partition("?")
        params = dict(p.split("=", 1) for p in query.split("&"))
        admin = {"host": params["host"], "port": int(params["port"]), "user": "postgres"}
        for round_no in range(1, rounds + 1):
            for i, (mode, audit_reads, path) in enumerate(MODES):
                name = f"liuke_audit_bench_{round_no}_{i}"
                with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} TEMPLATE liuke_audit_template").format(
                            sql.Identifier(name)
                        )
                    )
                console.print(f"PostgreSQL, round {round_no}, {mode} …")
                env = _env(head.rsplit("/", 1)[0] + f"/{name}?{query}", var_dir, audit_reads)
                runs.append(
                    _measure(
                        "postgresql", mode, path, env, var_dir, fixtures, requests_each, workers
                    )
                )
                with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
                    conn.execute(
                        sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
                    )
    return runs


def _measure(
    database: str,
    mode: str,
    path: str,
    env: dict[str, str],
    var_dir: Path,
    fixtures: dict[str, Any],
    requests_each: int,
    workers: int,
) -> dict[str, Any]:
    database_name = env["DATABASE_URL"].split("?")[0].rsplit("/", 1)[-1]
    with processes.gunicorn(env, var_dir, workers) as (port, pid):

        def cpu() -> float:
            """Seconds of CPU used so far by the server: its workers and, on PostgreSQL, the
            backends serving this run's database (its name is in their command line)."""
            total = processes.cpu_seconds(processes.children(pid))
            if database == "postgresql":
                total += processes.cpu_seconds(processes.backends(database_name))
            return total

        out = asyncio.run(
            _clients(port, path, fixtures["sessions"], fixtures["customers"], requests_each, cpu)
        )
        if mode == "audit on":
            chain = json.loads(
                _python(["-m", "liuke.bench.audit", "--count"], env).strip().splitlines()[-1]
            )
            if not chain["ok"]:
                out["errors"] += 1
                out["first_error"] = f"audit chain damaged: {chain['problems']}"
    return {
        "database": database,
        "mode": mode,
        "latencies": out["latencies_ms"],
        "cpu_seconds": out["cpu_seconds"],
        "seconds": out["seconds"],
        "errors": out["errors"],
        "first_error": out["first_error"],
    }


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(pct / 100 * (len(values) - 1))))
    return values[index]


async def _get(port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        data = await reader.read()  # the sync worker closes the connection after answering
    finally:
        writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


async def _clients(
    port: int,
    path: str,
    sessions: list[str],
    customers: list[int],
    each: int,
    cpu: Callable[[], float],
) -> dict[str, Any]:
    """CLIENTS concurrent clients, each `each` reads after WARMUP; closed loop."""
    latencies: list[float] = []
    errors = 0
    first_error = ""
    warm = 0
    started = asyncio.Event()
    began = cpu_began = 0.0

    def request(k: int, i: int) -> bytes:
        target = path.format(id=customers[i % len(customers)])
        return (
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: sessionid={sessions[k % len(sessions)]}\r\nConnection: close\r\n\r\n"
        ).encode()

    async def client(k: int) -> None:
        nonlocal errors, first_error, warm, began, cpu_began
        for i in range(WARMUP):
            await _get(port, request(k, k * 7919 + i))
        warm += 1
        if warm == CLIENTS:  # the last one warmed up starts everyone at once
            began = time.perf_counter()
            cpu_began = cpu()
            started.set()
        await started.wait()
        for i in range(each):
            t0 = time.perf_counter()
            status, data = await _get(port, request(k, k * each + i))
            if status != 200:
                errors += 1
                first_error = first_error or data[:200].decode("latin-1")
                continue
            latencies.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(client(k) for k in range(CLIENTS)))
    cpu_used = cpu() - cpu_began
    return {
        "latencies_ms": latencies,
        "errors": errors,
        "first_error": first_error,
        "seconds": time.perf_counter() - began,
        "cpu_seconds": cpu_used,
    }


# --- inside the server and the children ---------------------------------------------------------


def setup() -> dict[str, Any]:
    """A logged-in session of the demo owner per client (as a browser or the pages' htmx calls
    would hold one) and the customers to read (every branch)."""
    from django.test import Client

    from liuke.bench.processes import demo_owner
    from liuke.customers.models import Customer

    owner = demo_owner()
    sessions = []
    for _ in range(CLIENTS):
        client = Client()
        client.force_login(owner)
        sessions.append(client.cookies["sessionid"].value)
    ids = list(
        Customer.objects.filter(business=owner.business, merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    return {"sessions": sessions, "customers": ids}


def count() -> dict[str, Any]:
    """After an "audit on" run: the chain is intact."""
    from liuke.audit.verify import verify_chain

    result = verify_chain()
    return {"ok": result.ok, "checked": result.checked, "problems": result.problems[:3]}


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m liuke.bench.audit")
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--count", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    if args.setup:
        out = setup()
    elif args.count:
        out = count()
    else:
        parser.error("nothing to do")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
