"""The commission benchmark for `liuke bench --only commissions` (docs/benchmarks.md).

A chain of 50 branches and 600 staff with `--commission-lines` visit lines (2,000,000 by
default) in ONE month, on SQLite: `liuke demo --customers 2000` for the base (its menu, plans
and staff), then, set-based (`INSERT … SELECT` over a recursive counter), branches up to 50,
staff up to 600 (12 a branch), half as many visits as lines with two service lines each, and
their commission lines (`sales.services.commission_bulk.commissions_backfill`, the demo's own
path). Measured in a child process:

- every staff member's statement of the month (`commission_statements`, median of 3);
- closing the month (`commission_month_close`: 600 stored statements; rolled back, median of 3);
- one staff member's statement page (GET through Django's test client, p95 of 60 staff).

The built database is cached under var/bench/ (commission-<lines>.sqlite3, with a .json stamp).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from liuke.bench import processes
from liuke.bench.sales import _env, _python

BRANCHES = 50
STAFF = 600
DEMO_CUSTOMERS = 2_000
SEED = 11
#: Bump when what the cached database holds changes.
FORMAT = 2
#: The month the lines are in (long over, so it may be closed).
MONTH = dt.date(2026, 3, 1)
PAGE_SAMPLES = 60


def run_commission_benchmarks(lines: int = 2_000_000) -> int:
    """Build (once) and measure; print the figures."""
    from django.conf import settings
    from rich.console import Console

    console = Console()
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / f"commission-{lines}.sqlite3"
    stamp = database.with_suffix(".json")
    meta: dict[str, Any] = {}
    if database.exists() and stamp.exists():
        meta = json.loads(stamp.read_text(encoding="utf-8"))
    env = _env(f"sqlite:///{database}")
    if meta.get("format") != FORMAT:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        console.print(f"[bold]Building {database}[/bold] ({lines:,} visit lines) …")
        started = time.perf_counter()
        _python(
            ["-m", "liuke.cli", "demo", "--customers", str(DEMO_CUSTOMERS), "--seed", str(SEED),
             "--quiet"], env, quiet=True,
        )  # fmt: skip
        meta = _child(["--build", str(lines)], env)
        meta.update(format=FORMAT, build_seconds=round(time.perf_counter() - started, 1))
        stamp.write_text(json.dumps(meta), encoding="utf-8")
    else:
        console.print(f"Reusing {database}.")
    result = _child(["--measure"], env)
    result.update(meta)
    console.print(
        f"commissions: {result['visit_lines']:,} visit lines, {result['commission_lines']:,} "
        f"commission lines, {result['branches']} branches, {result['staff']} staff in one month"
    )
    console.print(
        f"  all statements of the month: {result['statements_s']:.2f} s (median of 3); "
        f"closing the month: {result['close_s']:.2f} s; one statement page: "
        f"p50 {result['page_p50_ms']:.0f} ms, p95 {result['page_p95_ms']:.0f} ms "
        f"({PAGE_SAMPLES} staff); build {meta.get('build_seconds', 0)} s "
        f"(of which commission lines {meta.get('backfill_seconds', 0)} s)"
    )
    return 0


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = _python(["-m", "liuke.bench.commission", *args], env)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


# --- the child processes ------------------------------------------------------------------------


def build(lines: int) -> dict[str, Any]:
    """Branches and staff up to the chain's size, the visits and lines, their commissions."""
    from django.db import connection, transaction

    from liuke.accounts.choices import Role
    from liuke.accounts.models import Branch, User
    from liuke.sales.models import Service
    from liuke.sales.services.commission_bulk import commissions_backfill

    owner = processes.demo_owner()
    business = owner.business
    with transaction.atomic():
        have = Branch.objects.filter(business=business).count()
        Branch.objects.bulk_create(
            Branch(business=business, name=f"分店{i}", code=f"CB{i}") for i in range(have, BRANCHES)
        )
        branches = list(Branch.objects.filter(business=business).order_by("pk"))
        staff_have = User.objects.filter(business=business).count()
        new = User.objects.bulk_create(
            User(username=f"bench{i}", business=business, role=Role.BEAUTICIAN,
                 display_name=f"美容师{i}")
            for i in range(staff_have, STAFF)
        )  # fmt: skip
        through = User.branches.through
        through.objects.bulk_create(
            through(user_id=u.pk, branch_id=branches[i % BRANCHES].pk) for i, u in enumerate(new)
        )
        staff_ids = [u.pk for u in new]
        services = list(Service.objects.filter(business=business).values_list("pk", "price_fen"))
        visits = lines // 2
        _visits_and_lines(connection, business.pk, branches, staff_ids, services, visits)
    started = time.perf_counter()
    with transaction.atomic():
        written = commissions_backfill(business_id=business.pk)
    backfill = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("SELECT COUNT(*) FROM sales_visitline")
        visit_lines = cur.fetchone()[0]
    return {
        "visit_lines": visit_lines,
        "commission_lines": written,
        "branches": len(branches),
        "staff": User.objects.filter(business=business).count(),
        "backfill_seconds": round(backfill, 1),
    }


def _visits_and_lines(
    connection: Any,
    business: int,
    branches: list[Any],
    staff_ids: list[int],
    services: list[tuple[int, int]],
    visits: int,
) -> None:
    """`visits` visits in MONTH, spread over the branches and the demo's customers, each with two
    service lines by staff members of its branch (set-based: a recursive counter)."""
    first_branch = branches[0].pk
    start = dt.datetime.combine(MONTH, dt.time(2), tzinfo=dt.UTC)
    seconds = 27 * 86400
    with connection.cursor() as cur:
        cur.execute("SELECT MIN(id), COUNT(*) FROM customers_customer WHERE business_id = %s",
                    [business])  # fmt: skip
        first_customer, customers = cur.fetchone()
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM sales_visit")
        base = cur.fetchone()[0]
        cur.execute(
            f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {visits})
            INSERT INTO sales_visit (id, business_id, branch_id, customer_id, visited_at,
                visited_on, status, subtotal_fen, discount_fen, discount_reason, total_fen,
                note, served_by_id, created_at, updated_at)
            SELECT {base} + i, %s, {first_branch} + (i % {len(branches)}),
                {first_customer} + (i % {customers}),
                datetime(%s, '+' || ((i * 7919) % {seconds}) || ' seconds'),
                date(%s, '+' || ((i * 7919) % {seconds}) || ' seconds'),
                'completed', 0, 0, '', 0, '', NULL,
                datetime(%s, '+' || ((i * 7919) % {seconds}) || ' seconds'),
                datetime(%s, '+' || ((i * 7919) % {seconds}) || ' seconds')
            FROM n
            """,  # noqa: S608 (numbers only)
            [business, *[start.strftime("%Y-%m-%d %H:%M:%S")] * 4],
        )
        # Staff of a visit's branch: the new staff are assigned round-robin to the branches,
        # so staff k (0-based) works at branch k % BRANCHES.
        per_branch = len(staff_ids) // len(branches)
        first_staff = staff_ids[0]
        first_service, price = services[0]
        cur.execute(
            f"""
            INSERT INTO sales_visitline (visit_id, kind, service_id, staff_id, quantity,
                unit_price_fen, amount_fen, package_value_fen, refunded_quantity, refunded_fen)
            SELECT v.id, 'service', {first_service}, {first_staff}
                    + (v.branch_id - {first_branch})
                    + {len(branches)} * ((v.id + k.k) % {per_branch}),
                1, {price}, {price}, 0, 0, 0
            FROM sales_visit v, (SELECT 0 AS k UNION ALL SELECT 1) k
            WHERE v.id > {base}
            """  # noqa: S608 (numbers only)
        )
        cur.execute(
            f"UPDATE sales_visit SET subtotal_fen = {2 * price}, total_fen = {2 * price} "  # noqa: S608
            f"WHERE id > {base}"
        )


def measure() -> dict[str, Any]:
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    from liuke.sales.commission_selectors import commission_statements
    from liuke.sales.models import CommissionLine
    from liuke.sales.services.commission_setup import commission_month_close

    owner = processes.demo_owner()
    timings = []
    rows: list[Any] = []
    for _ in range(3):
        started = time.perf_counter()
        rows = commission_statements(actor=owner, month=MONTH)
        timings.append(time.perf_counter() - started)
    closes = []
    for _ in range(3):
        with transaction.atomic():
            started = time.perf_counter()
            commission_month_close(actor=owner, month=MONTH)
            closes.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    setup_test_environment()
    # Static files from the apps (no collectstatic manifest in the benchmark's var/).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(owner)
    staff = [r.staff_id for r in rows[:: max(1, len(rows) // PAGE_SAMPLES)]][:PAGE_SAMPLES]
    # one request first (templates compiled, the session read), as a running server has had
    client.get(f"/sales/commissions/staff/{rows[-1].staff_id}/?month={MONTH:%Y-%m}")
    pages = []
    for staff_id in staff:
        started = time.perf_counter()
        response = client.get(f"/sales/commissions/staff/{staff_id}/?month={MONTH:%Y-%m}")
        pages.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    pages.sort()
    total = sum(r.total_fen for r in rows)
    lines_total = CommissionLine.objects.filter(
        occurred_on__gte=MONTH, occurred_on__lt=dt.date(2026, 4, 1)
    ).count()
    return {
        "statements": len(rows),
        "statements_total_fen": total,
        "month_lines": lines_total,
        "statements_s": statistics.median(timings),
        "close_s": statistics.median(closes),
        "page_p50_ms": pages[len(pages) // 2],
        "page_p95_ms": pages[min(len(pages) - 1, int(len(pages) * 0.95))],
    }


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m liuke.bench.commission")
    parser.add_argument("--build", type=int)
    parser.add_argument("--measure", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    if args.build is not None:
        out = build(args.build)
    elif args.measure:
        out = measure()
    else:
        parser.error("nothing to do")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
