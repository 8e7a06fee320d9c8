"""Booking throughput over HTTP for `liuke bench` (alone: `liuke bench --only booking`).

POST /api/v1/appointments against Liuke itself under gunicorn (4 workers), with 1 and 16
concurrent clients, on SQLite and on PostgreSQL, each on a fresh database (migrated, then a
branch with one beautician per two clients, a 30-minute service and a customer per client).
Every client books its staff member's half-hour slots, 08:00-22:00 from tomorrow, each slot
twice in a row, and two clients share each staff member: so each slot is asked for two or four
times at about the same moment and exactly one of those may succeed. Counted: bookings per
second, requests per second, p50/p95 latency, and whether the refusals are exactly the
conflicts (409 `slot_taken`, every other answer an error) with no staff member booked twice.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from liuke.bench import processes

ROOT = Path(__file__).resolve().parents[3]
#: (clients, requests each)
RUNS = ((1, 120), (16, 60))
SLOTS_PER_DAY = 28  # 08:00-22:00 in half hours
WARMUP = 3


def run_booking_benchmarks() -> int:
    """Measure booking throughput; print a table; 0 when every refusal was a true conflict."""
    from django.conf import settings
    from rich.console import Console

    console = Console()
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    for database in ("sqlite", "postgresql"):
        try:
            with _databases(database, folder) as urls:
                for (clients, each), url in zip(RUNS, urls, strict=True):
                    console.print(f"{database}, {clients} client(s) × {each} requests …")
                    results.append(_measure(database, url, clients, each, folder / "booking-var"))
        except Exception as exc:
            console.print(f"[red]{database} booking benchmark failed: {exc}[/red]")
    _report(console, results)
    ok = len(results) == 2 * len(RUNS) and all(r["refusals_right"] for r in results)
    return 0 if ok else 1


def _report(console: Any, results: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title="Bookings over HTTP (gunicorn, 4 workers)")
    columns = ("database", "clients", "requests", "booked", "refused 409", "expected 409",
               "errors", "booked/s", "requests/s", "p50 ms", "p95 ms", "double-booked")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "database" else "right")
    for r in results:
        table.add_row(
            r["database"], str(r["clients"]), str(r["requests"]), str(r["booked"]),
            str(r["refused"]), str(r["expected_refused"]), str(r["errors"]),
            f"{r['booked_per_second']:.1f}", f"{r['per_second']:.1f}", f"{r['p50_ms']:.1f}",
            f"{r['p95_ms']:.1f}", str(r["double_booked"]),
        )  # fmt: skip
    console.print(table)
    for r in results:
        console.print(
            f"booking {r['database']} clients={r['clients']} per_s={r['per_second']:.1f} "
            f"booked_per_s={r['booked_per_second']:.1f} p95_ms={r['p95_ms']:.1f} "
            f"refused={r['refused']}/{r['expected_refused']} errors={r['errors']} "
            f"double_booked={r['double_booked']}"
            + (f" first_error={r['first_error']}" if r["first_error"] else ""),
            markup=False,
        )


def _env(url: str, var_dir: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="liuke.settings")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    if var_dir is not None:
        env.update(LIUKE_VAR_DIR=str(var_dir), STATIC_ROOT=str(var_dir / "static"), DEBUG="0")
    return env


@contextlib.contextmanager
def _databases(database: str, folder: Path) -> Iterator[list[str]]:
    """A fresh, migrated database per run."""
    if database == "sqlite":
        urls = []
        for n in range(len(RUNS)):
            path = folder / f"booking-{n}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            urls.append(f"sqlite:///{path}")
        yield urls
        return
    with processes.pgserver().cluster("liuke_booking") as base_url:
        head, _sep, query = base_url.partition("?")
        yield [base_url] + [
            head.rsplit("/", 1)[0] + f"/liuke_booking_{n}?{query}" for n in range(1, len(RUNS))
        ]


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "liuke.bench.booking", *args],
        env=env, stdout=subprocess.PIPE, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _measure(database: str, url: str, clients: int, each: int, var_dir: Path) -> dict[str, Any]:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = _env(url, var_dir)
    if database == "postgresql" and not url.split("?")[0].endswith("/liuke_booking"):
        _create_database(url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    fixtures = _child(["--setup", str(clients)], env)
    with processes.gunicorn(
        env, var_dir, 4, app="liuke.wsgi:application", backlog=None, start_timeout=300
    ) as (port, _pid):
        base = f"http://127.0.0.1:{port}"
        outs = processes.run_clients(
            [
                [sys.executable, "-m", "liuke.bench.booking", "--client", str(k),
                 "--each", str(each), "--base", base, "--fixtures", json.dumps(fixtures)]
                for k in range(clients)
            ],
            env,
        )  # fmt: skip
    check = _child(["--check", json.dumps(dict(fixtures, each=each))], env)
    latencies = sorted(x for o in outs for x in o["latencies_ms"])
    began, ended = min(o["began"] for o in outs), max(o["ended"] for o in outs)
    seconds = ended - began if ended > began else 1.0
    booked = sum(o["booked"] for o in outs)
    refused = sum(o["refused"] for o in outs)
    requests = len(latencies)
    expected = requests - check["distinct_slots_asked"]
    return {
        "database": database,
        "clients": clients,
        "requests": requests,
        "booked": booked,
        "refused": refused,
        "expected_refused": expected,
        "errors": sum(o["errors"] for o in outs),
        "double_booked": check["double_booked"],
        "refusals_right": refused == expected
        and booked == check["booked"]
        and check["double_booked"] == 0,
        "per_second": requests / seconds,
        "booked_per_second": booked / seconds,
        "p50_ms": processes.percentile(latencies, 50),
        "p95_ms": processes.percentile(latencies, 95),
        "first_error": next((o["first_error"] for o in outs if o["first_error"]), ""),
    }


def _create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    head, _sep, query = url.partition("?")
    params = dict(p.split("=", 1) for p in query.split("&"))
    name = head.rsplit("/", 1)[1]
    with psycopg.connect(
        dbname="postgres",
        autocommit=True,
        host=params["host"],
        port=int(params["port"]),
        user="postgres",
    ) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- the child processes ------------------------------------------------------------------------


def setup(clients: int) -> dict[str, Any]:
    """A business, a branch open 08:00-22:00, a beautician per two clients, a 30-minute service,
    a customer per client and an API token of the owner."""
    from liuke.accounts.choices import Role
    from liuke.accounts.models import Branch, Business, User
    from liuke.accounts.services import api_token_create, business_provision
    from liuke.customers.services import customer_create
    from liuke.rosters.services import roster_day_set
    from liuke.sales.models import Service

    business = Business.objects.create(name="预约压测", opens_at=dt.time(8), closes_at=dt.time(22))
    business_provision(business_id=business.pk)
    branch = Branch.objects.create(business=business, name="压测店", code="BK1")
    owner = User.objects.create(username="bench-owner", business=business, role=Role.OWNER)
    owner.branches.add(branch)
    staff = []
    for n in range(max(1, clients // 2)):
        member = User.objects.create(
            username=f"bench-staff{n}", business=business, role=Role.BEAUTICIAN
        )
        member.branches.add(branch)
        staff.append(member.pk)
        for weekday in range(7):  # rostered all week, in case booking checks the roster
            roster_day_set(
                actor=owner, staff_id=member.pk, branch_id=branch.pk, weekday=weekday,
                work=[(dt.time(8), dt.time(22))],
            )  # fmt: skip
    service = Service.objects.create(
        business=business, category="facial", name="压测护理", duration_min=30, price_fen=100
    )
    customers = [
        customer_create(actor=owner, data={"name": f"客户{k}", "branch_id": branch.pk}).pk
        for k in range(clients)
    ]
    _token, secret = api_token_create(actor=owner, name="bench")
    return {
        "branch_id": branch.pk,
        "service_id": service.pk,
        "staff": staff,
        "customers": customers,
        "token": secret,
        "zone": branch.time_zone,
    }


def _slot(fixtures: dict[str, Any], j: int) -> str:
    """Slot j: tomorrow 08:00 on the branch's clock, half an hour apart, 28 a day."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(fixtures["zone"])
    day = dt.datetime.now(zone).date() + dt.timedelta(days=1 + j // SLOTS_PER_DAY)
    start = dt.datetime.combine(day, dt.time(8), tzinfo=zone)
    return (start + dt.timedelta(minutes=30 * (j % SLOTS_PER_DAY))).isoformat()


def client(k: int, each: int, base: str, fixtures: dict[str, Any]) -> dict[str, Any]:
    """Client k: `each` requests for its staff member's slots, each slot twice in a row (the
    warm-up reads the day, it books nothing)."""
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {fixtures['token']}"
    staff = fixtures["staff"][k % len(fixtures["staff"])]
    for _ in range(WARMUP):
        day = _slot(fixtures, 0)[:10]
        session.get(
            f"{base}/api/v1/appointments",
            params={"branch_id": fixtures["branch_id"], "day": day},
            timeout=60,
        ).raise_for_status()
    print("ready", flush=True)
    sys.stdin.readline()
    latencies: list[float] = []
    booked = refused = errors = 0
    first_error = ""
    began = time.time()
    for i in range(each):
        body = {
            "branch_id": fixtures["branch_id"],
            "customer_id": fixtures["customers"][k],
            "items": [
                {"service_id": fixtures["service_id"], "staff_id": staff,
                 "start_at": _slot(fixtures, i // 2)}
            ],
        }  # fmt: skip
        t0 = time.perf_counter()
        answer = session.post(f"{base}/api/v1/appointments", json=body, timeout=60)
        latencies.append((time.perf_counter() - t0) * 1000)
        if answer.status_code == 201:
            booked += 1
        elif answer.status_code == 409 and answer.json().get("code") == "slot_taken":
            refused += 1
        else:
            errors += 1
            first_error = first_error or f"{answer.status_code}: {answer.text[:200]}"
    return {
        "latencies_ms": latencies,
        "began": began,
        "ended": time.time(),
        "booked": booked,
        "refused": refused,
        "errors": errors,
        "first_error": first_error,
    }


def check(fixtures: dict[str, Any], clients: int, each: int) -> dict[str, Any]:
    """What the database holds afterwards: bookings, staff members booked twice at one time,
    and how many distinct (staff member, slot) pairs the clients asked for."""
    from django.db.models import Count

    from liuke.appointments.models import AppointmentItem

    items = AppointmentItem.objects.filter(branch_id=fixtures["branch_id"], active=True)
    twice = items.values("staff_id", "start_at").annotate(n=Count("pk")).filter(n__gt=1).count()
    asked = {
        (fixtures["staff"][k % len(fixtures["staff"])], i // 2)
        for k in range(clients)
        for i in range(each)
    }
    return {"booked": items.count(), "double_booked": twice, "distinct_slots_asked": len(asked)}


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m liuke.bench.booking")
    parser.add_argument("--setup", type=int)
    parser.add_argument("--client", type=int)
    parser.add_argument("--each", type=int, default=60)
    parser.add_argument("--base", default="")
    parser.add_argument("--fixtures", default="{}")
    parser.add_argument("--check")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    if args.setup is not None:
        out = setup(args.setup)
    elif args.client is not None:
        out = client(args.client, args.each, args.base, json.loads(args.fixtures))
    else:
        fixtures = json.loads(args.check)
        out = check(fixtures, len(fixtures["customers"]), fixtures["each"])
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
