"""The appointment book's day view for `liuke bench` (alone: `liuke bench --only book`).

A branch with 30 staff rostered 10:00-21:00 with a half-hour break and 300 appointments on the
day shown (ten an hour apart for each staff member, a customer each, one in three on a bed),
in a fresh SQLite file under var/bench/. Measured: the whole request of the day view
(`/appointments/?branch=&day=`) through Django's handler and middleware, as the front desk
(session, policy, the scoped and audited read, the roster's shading, the template), i.e. the
server's time without the network. Target: p95 under 100 ms (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from liuke.bench.rosters import _percentile

ROOT = Path(__file__).resolve().parents[3]
STAFF = 30
PER_STAFF = 10
RUNS = 60
WARMUP = 5
TARGET_MS = 100.0
DAY = dt.date(2030, 5, 6)  # a Monday


def run_book_benchmarks() -> int:
    from django.conf import settings
    from rich.console import Console

    console = Console()
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "book.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="liuke.settings"
    )
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    console.print(
        f"[bold]Appointment book, day view[/bold]: {STAFF} staff, {STAFF * PER_STAFF} "
        "appointments …"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "liuke.bench.book"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        console.print("[red]The appointment book benchmark failed.[/red]")
        return 2
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for label, key in (("server time", "wall"), ("  its CPU time", "cpu")):
        figures = result[key]
        console.print(
            f"  {label:14} p50 {figures['p50_ms']:.1f} ms  p95 {figures['p95_ms']:.1f} ms"
        )
    console.print(
        f"  ({result['runs']} runs, {result['blocks']} blocks, {result['kb']} kB of HTML, "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    ok = result["wall"]["p95_ms"] < TARGET_MS
    console.print("  target p95 < 100 ms: " + ("[green]met[/green]" if ok else "[red]missed[/red]"))
    return 0 if ok else 1


def _salon() -> tuple[Any, Any]:
    """A branch, its 30 rostered beauticians, a front desk, 300 appointments on DAY."""
    from liuke.accounts.choices import Role
    from liuke.accounts.models import Branch, Business, User
    from liuke.appointments.models import Appointment, AppointmentItem, Resource
    from liuke.customers.models import Customer
    from liuke.rosters.choices import SpanKind
    from liuke.rosters.models import RosterSpan
    from liuke.sales.models import Service

    business = Business.objects.create(name="bench salon")
    branch = Branch.objects.create(business=business, name="bench", code="B1")
    desk = User.objects.create(username="bench-desk", business=business, role=Role.FRONT_DESK)
    desk.branches.add(branch)
    staff = []
    for n in range(STAFF):
        user = User.objects.create(
            username=f"bench-staff-{n}", business=business, role=Role.BEAUTICIAN
        )
        user.branches.add(branch)
        staff.append(user)
    RosterSpan.objects.bulk_create(
        RosterSpan(staff=member, branch=branch, weekday=weekday, kind=kind, starts_at=a, ends_at=b)
        for member in staff
        for weekday in range(7)
        for kind, a, b in (
            (SpanKind.WORK, dt.time(10), dt.time(21)),
            (SpanKind.BREAK, dt.time(20), dt.time(20, 30)),
        )
    )
    service = Service.objects.create(
        business=business, category="facial", name="bench facial", duration_min=45, price_fen=1
    )
    bed = Resource.objects.create(
        business=business, branch=branch, name="bed", kind="bed", count=STAFF
    )
    customers = Customer.objects.bulk_create(
        Customer(business=business, branch=branch, name=f"客户{n}", mobile=f"139{n:08d}")
        for n in range(STAFF * PER_STAFF)
    )
    start = dt.datetime.combine(DAY, dt.time(2), tzinfo=dt.UTC)  # 10:00 in Shanghai
    appointments = Appointment.objects.bulk_create(
        Appointment(
            business=business,
            branch=branch,
            customer=customers[n],
            starts_at=start + dt.timedelta(hours=n % PER_STAFF),
        )
        for n in range(STAFF * PER_STAFF)
    )
    AppointmentItem.objects.bulk_create(
        AppointmentItem(
            appointment=a,
            branch=branch,
            service=service,
            staff=staff[n // PER_STAFF],
            resource=bed if n % 3 == 0 else None,
            resource_unit=n // PER_STAFF if n % 3 == 0 else None,
            start_at=a.starts_at,
            end_at=a.starts_at + dt.timedelta(minutes=45),
        )
        for n, a in enumerate(appointments)
    )
    return branch, desk


def _measure() -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    branch, desk = _salon()
    setup_test_environment()
    # Static files from the apps (no collectstatic manifest in the benchmark's var/).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(desk)
    url = f"/appointments/?branch={branch.pk}&day={DAY.isoformat()}"
    walls: list[float] = []
    cpus: list[float] = []
    body = b""
    for run in range(WARMUP + RUNS):
        cpu = time.process_time()
        began = time.perf_counter()
        response = client.get(url)
        wall = time.perf_counter() - began
        cpu = time.process_time() - cpu
        assert response.status_code == 200, response.status_code
        body = response.content
        if run >= WARMUP:
            walls.append(wall * 1000)
            cpus.append(cpu * 1000)
    return {
        "runs": RUNS,
        "blocks": body.count(b'class="appt status-'),
        "kb": len(body) // 1024,
        "wall": {"p50_ms": _percentile(walls, 50), "p95_ms": _percentile(walls, 95)},
        "cpu": {"p50_ms": _percentile(cpus, 50), "p95_ms": _percentile(cpus, 95)},
    }


def _main() -> int:
    argparse.ArgumentParser(prog="python -m liuke.bench.book").parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    print(json.dumps(_measure()))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
