"""Sales benchmarks for `liuke bench`: checkouts per second and the daily close at scale.

1. Checkouts per second through the service layer (`sales.services.checkout`) and through the
   HTTP API (POST /api/v1/visits against a real gunicorn with 4 workers), with 1 and 8
   concurrent clients, on SQLite and on PostgreSQL. Each measurement runs on a fresh copy of a
   small demo salon (2,000 customers) prepared once: the SQLite file is copied, the PostgreSQL
   database is cloned with CREATE DATABASE … TEMPLATE. Every client is its own process with its
   own database connection (or HTTP session) and its own customer, who holds a stored-value
   card; checkouts alternate cash and stored-value payments (two services each).
2. The daily close of the busiest day of 静安店 at over 1,000,000 visits (`bench.sales_close`).

The built databases are cached under var/bench/ (sales-*.sqlite3, with a .json stamp).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from liuke.bench import processes, sales_close

ROOT = Path(__file__).resolve().parents[3]
SMALL_CUSTOMERS = 2_000
CLOSE_CUSTOMERS = 410_000
SEED = 11
#: Bump when what the cached databases hold changes.
FORMAT = 1
#: Checkouts per client: (clients, checkouts each).
RUNS = ((1, 200), (8, 50))
WARMUP = 5


# --- the parent ---------------------------------------------------------------------------------


def run_sales_benchmarks() -> int:
    """Measure checkouts per second and the daily close; print a table and plain lines."""
    from django.conf import settings
    from rich.console import Console

    console = Console()
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    try:
        results += _throughput_sqlite(console, folder)
    except Exception as exc:
        console.print(f"[red]SQLite checkout benchmark failed: {exc}[/red]")
    try:
        results += _throughput_postgres(console, folder)
    except Exception as exc:
        console.print(f"[red]PostgreSQL checkout benchmark failed: {exc}[/red]")
    close: dict[str, Any] | None = None
    try:
        close = _daily_close(console, folder)
    except Exception as exc:
        console.print(f"[red]Daily-close benchmark failed: {exc}[/red]")
    _report(console, results, close)
    expected = 2 * 2 * len(RUNS)
    return 0 if len(results) == expected and close is not None else 1


def _report(console: Any, results: list[dict[str, Any]], close: dict[str, Any] | None) -> None:
    from rich.table import Table

    table = Table(title="Checkouts (two services; cash or stored value)")
    for column in ("database", "path", "clients", "n", "per s", "p50 ms", "p95 ms",
                   "errors"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("database", "path") else "right")
    for r in results:
        table.add_row(
            r["database"], r["path"], str(r["clients"]), str(r["checkouts"]),
            f"{r['per_second']:.1f}", f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}", str(r["errors"]),
        )  # fmt: skip
    console.print(table)
    for r in results:
        print(
            f"bench sales checkout database={r['database']} path={r['path']} "
            f"clients={r['clients']} checkouts={r['checkouts']} per_second={r['per_second']:.1f} "
            f"p50_ms={r['p50_ms']:.1f} p95_ms={r['p95_ms']:.1f} errors={r['errors']}"
        )
    if close is not None:
        print(
            f"bench sales daily_close database=sqlite branch_visits={close['branch_visits']} "
            f"day={close['day']} day_visits={close['day_visits']} payments={close['payments']} "
            f"cards={close['cards']} packages={close['packages']} "
            f"median_ms={close['median_ms']:.1f} min_ms={close['min_ms']:.1f} "
            f"max_ms={close['max_ms']:.1f} runs={close['runs']}"
        )
        for sql, plan in close.get("slow_plans", []):
            console.print(sql, markup=False)
            console.print("  " + "\n  ".join(plan), markup=False)


def _env(url: str, var_dir: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="liuke.settings")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    if var_dir is not None:
        env.update(LIUKE_VAR_DIR=str(var_dir), STATIC_ROOT=str(var_dir / "static"), DEBUG="0")
    return env


def _python(args: list[str], env: dict[str, str], *, quiet: bool = False) -> str:
    proc = subprocess.run(  # noqa: S603 (our own interpreter and modules)
        [sys.executable, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return proc.stdout


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = _python(["-m", "liuke.bench.sales", *args], env)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _build_small(url: str) -> dict[str, Any]:
    """The small demo plus the sales fixtures; returns what the clients need."""
    env = _env(url)
    _python(
        ["-m", "liuke.cli", "demo", "--customers", str(SMALL_CUSTOMERS), "--seed", str(SEED),
         "--quiet"], env, quiet=True,
    )  # fmt: skip
    return _child(["--setup", str(max(c for c, _n in RUNS))], env)


def _throughput_sqlite(console: Any, folder: Path) -> list[dict[str, Any]]:
    template = folder / "sales-small.sqlite3"
    stamp = template.with_suffix(".json")
    fixtures: dict[str, Any] | None = None
    if template.exists() and stamp.exists():
        meta = json.loads(stamp.read_text(encoding="utf-8"))
        if meta.get("format") == FORMAT:
            fixtures = meta["fixtures"]
            console.print(f"Reusing {template}.")
    if fixtures is None:
        console.print(f"[bold]Building {template}[/bold] ({SMALL_CUSTOMERS:,} customers) …")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{template}{suffix}").unlink(missing_ok=True)
        fixtures = _build_small(f"sqlite:///{template}")
        _sqlite_checkpoint(template)
        stamp.write_text(json.dumps({"format": FORMAT, "fixtures": fixtures}), encoding="utf-8")
    work = folder / "sales-work.sqlite3"
    results = []
    for path in ("service", "http"):
        for clients, each in RUNS:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, work)
            url = f"sqlite:///{work}"
            console.print(f"SQLite, {path}, {clients} client(s) × {each} checkouts …")
            results.append(
                _measure("sqlite", path, url, fixtures, clients, each, folder / "sales-var")
            )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    return results


def _sqlite_checkpoint(database: Path) -> None:
    import sqlite3

    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")


def _throughput_postgres(console: Any, folder: Path) -> list[dict[str, Any]]:
    import psycopg
    from psycopg import sql

    results = []
    with processes.pgserver().cluster("liuke_template") as base_url:
        console.print(f"[bold]PostgreSQL: building the template database[/bold] ({base_url}) …")
        fixtures = _build_small(base_url)
        head, _sep, query = base_url.partition("?")
        params = dict(p.split("=", 1) for p in query.split("&"))
        admin = {"host": params["host"], "port": int(params["port"]), "user": "postgres"}
        for i, (path, (clients, each)) in enumerate(
            (p, r) for p in ("service", "http") for r in RUNS
        ):
            name = f"liuke_bench_{i}"
            with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE liuke_template").format(
                        sql.Identifier(name)
                    )
                )
            url = head.rsplit("/", 1)[0] + f"/{name}?{query}"
            console.print(f"PostgreSQL, {path}, {clients} client(s) × {each} checkouts …")
            results.append(
                _measure("postgresql", path, url, fixtures, clients, each, folder / "sales-var")
            )
    return results


def _measure(
    database: str,
    path: str,
    url: str,
    fixtures: dict[str, Any],
    clients: int,
    each: int,
    var_dir: Path,
) -> dict[str, Any]:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = _env(url, var_dir)
    with contextlib.ExitStack() as stack:
        base = ""
        if path == "http":
            base = stack.enter_context(_gunicorn(env, var_dir))
        outs = processes.run_clients(
            [
                [sys.executable, "-m", "liuke.bench.sales", "--client", str(k), "--path", path,
                 "--checkouts", str(each), "--base", base, "--fixtures", json.dumps(fixtures)]
                for k in range(clients)
            ],
            env,
        )  # fmt: skip
    latencies = sorted(x for o in outs for x in o["latencies_ms"])
    began = min(o["began"] for o in outs)
    ended = max(o["ended"] for o in outs)
    done = len(latencies)
    return {
        "database": database,
        "path": path,
        "clients": clients,
        "checkouts": done,
        "errors": sum(o["errors"] for o in outs),
        "per_second": done / (ended - began) if ended > began else 0.0,
        "p50_ms": processes.percentile(latencies, 50),
        "p95_ms": processes.percentile(latencies, 95),
        "first_error": next((o["first_error"] for o in outs if o["first_error"]), ""),
    }


@contextlib.contextmanager
def _gunicorn(env: dict[str, str], var_dir: Path) -> Iterator[str]:
    """Liuke itself with four workers; yields its base URL."""
    with processes.gunicorn(env, var_dir, 4, app="liuke.wsgi:application", backlog=None) as (
        port,
        _pid,
    ):
        yield f"http://127.0.0.1:{port}"


# --- the daily close at a million visits --------------------------------------------------------


def _daily_close(console: Any, folder: Path) -> dict[str, Any]:
    database = folder / f"sales-close-{CLOSE_CUSTOMERS}.sqlite3"
    stamp = database.with_suffix(".json")
    meta: dict[str, Any] = {}
    if database.exists() and stamp.exists():
        meta = json.loads(stamp.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        console.print(
            f"[bold]Building {database}[/bold] ({CLOSE_CUSTOMERS:,} customers, then payments, "
            "cards and packages) — several minutes, once …"
        )
        started = time.perf_counter()
        env = _env(f"sqlite:///{database}")
        _python(
            ["-m", "liuke.cli", "demo", "--customers", str(CLOSE_CUSTOMERS), "--seed", str(SEED),
             "--quiet"], env, quiet=True,
        )  # fmt: skip
        meta = _child(["--augment"], env)
        meta.update(format=FORMAT, build_seconds=round(time.perf_counter() - started, 1))
        stamp.write_text(json.dumps(meta), encoding="utf-8")
    else:
        console.print(f"Reusing {database}.")
    console.print("Timing the daily close …")
    result = _child(["--close"], _env(f"sqlite:///{database}"))
    result.update({k: meta[k] for k in ("payments", "cards", "packages") if k in meta})
    return result


# --- the child processes ------------------------------------------------------------------------


def setup(clients: int) -> dict[str, Any]:
    """Cards for `clients` customers of 静安店, an API token; the ids the clients need."""
    from liuke.accounts.choices import Role
    from liuke.accounts.models import Branch, User
    from liuke.accounts.services import api_token_create
    from liuke.customers.models import Customer
    from liuke.sales import services
    from liuke.sales.models import Service

    owner = processes.demo_owner()
    branch = Branch.objects.get(business=owner.business, code="B01")
    staff = User.objects.filter(
        business=owner.business, role=Role.BEAUTICIAN, branches=branch
    ).order_by("pk")[0]
    service_ids = list(
        Service.objects.filter(business=owner.business).order_by("pk").values_list("pk", flat=True)
    )[:2]
    customers = list(
        Customer.objects.filter(business=owner.business, branch=branch)
        .order_by("pk")
        .values_list("pk", flat=True)[:clients]
    )
    cards = []
    for i, customer_id in enumerate(customers):
        card = services.card_issue(
            actor=owner, customer_id=customer_id, branch_id=branch.pk, number=f"BENCH{i:04d}"
        )
        services.card_topup(actor=owner, card_id=card.pk, amount_fen=100_000_000, method="cash")
        cards.append(card.pk)
    _token, secret = api_token_create(actor=owner, name="bench")
    return {
        "owner_id": owner.pk,
        "branch_id": branch.pk,
        "staff_id": staff.pk,
        "service_ids": service_ids,
        "clients": [
            {"customer_id": c, "card_id": k} for c, k in zip(customers, cards, strict=True)
        ],
        "token": secret,
    }


def client(
    k: int, path: str, checkouts: int, base: str, fixtures: dict[str, Any]
) -> dict[str, Any]:
    """One client: `checkouts` checkouts (after a warm-up), alternating cash and stored value."""
    me = fixtures["clients"][k]
    lines = [{"service_id": s, "staff_id": fixtures["staff_id"]} for s in fixtures["service_ids"]]
    data: dict[str, Any] = {
        "customer_id": me["customer_id"],
        "branch_id": fixtures["branch_id"],
        "lines": lines,
    }
    if path == "service":
        from liuke.accounts.models import User
        from liuke.sales import services

        actor = User.objects.get(pk=fixtures["owner_id"])
        total = services.checkout_quote(actor=actor, data=data).total_fen

        def one(i: int) -> None:
            services.checkout(actor=actor, data=dict(data, payments=_payments(i, total, me)))

    else:
        import requests

        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {fixtures['token']}"
        quote = session.post(f"{base}/api/v1/checkout/quote", json=data, timeout=60)
        quote.raise_for_status()
        total = quote.json()["total_fen"]

        def one(i: int) -> None:
            answer = session.post(
                f"{base}/api/v1/visits",
                json=dict(data, payments=_payments(i, total, me)),
                timeout=60,
            )
            if answer.status_code != 201:
                raise RuntimeError(f"{answer.status_code}: {answer.text[:300]}")

    errors, first_error = 0, ""
    for i in range(WARMUP):
        one(i)
    print("ready", flush=True)
    sys.stdin.readline()  # the parent's "go", once every client is ready
    latencies = []
    began = time.time()
    for i in range(checkouts):
        t0 = time.perf_counter()
        try:
            one(i)
        except Exception as exc:
            errors += 1
            first_error = first_error or repr(exc)[:300]
            continue
        latencies.append((time.perf_counter() - t0) * 1000)
    ended = time.time()
    return {
        "latencies_ms": latencies,
        "began": began,
        "ended": ended,
        "errors": errors,
        "first_error": first_error,
    }


def _payments(i: int, total: int, me: dict[str, Any]) -> list[dict[str, Any]]:
    if i % 2:
        return [{"method": "stored_value", "amount_fen": total, "card_id": me["card_id"]}]
    return [{"method": "cash", "amount_fen": total}]


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m liuke.bench.sales")
    parser.add_argument("--setup", type=int)
    parser.add_argument("--client", type=int)
    parser.add_argument("--path", choices=("service", "http"), default="service")
    parser.add_argument("--checkouts", type=int, default=100)
    parser.add_argument("--base", default="")
    parser.add_argument("--fixtures", default="{}")
    parser.add_argument("--augment", action="store_true")
    parser.add_argument("--close", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    if args.setup is not None:
        out = setup(args.setup)
    elif args.client is not None:
        out = client(
            args.client,
            args.path,
            args.checkouts,
            args.base,
            json.loads(args.fixtures),
        )
    elif args.augment:
        out = sales_close.augment(processes.demo_owner())
    elif args.close:
        out = sales_close.close(processes.demo_owner())
    else:
        parser.error("nothing to do")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
