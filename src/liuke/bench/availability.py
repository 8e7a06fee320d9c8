"""Availability with the appointment book behind it, for `liuke bench --only rosters`.

The rosters part's salon (30 staff, 10:00-21:00, a break and a day off a week) in a fresh
SQLite file, now with 20,000 real appointments in the next 14 days (their items in the table,
30 to 90 minutes, spread at random over the staff) and a service that needs a bed (2 beds).
Measured: `appointments.availability.availability` for "any staff" over the 14 days (the
service layer: performers, rosters, the 20,000 busy items, the bed's use, the search), and
`GET /api/v1/appointments/availability` over HTTP against gunicorn (one sync worker, a staff
member's API token), each p50/p95 of 60 runs after 5 warm-up runs, with the CPU time.

Run by `liuke.bench.rosters` (`--setup` builds the file and prints the fixtures; `--measure`
measures the service layer); the HTTP figures are taken by the parent around a gunicorn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import urllib.request
from typing import Any

APPOINTMENTS = 20_000
DAYS = 14
RUNS = 60
WARMUP = 5
CUSTOMERS = 500


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def figures(values: list[float]) -> dict[str, float]:
    return {"p50_ms": _percentile(values, 50), "p95_ms": _percentile(values, 95)}


def _first_day() -> dt.datetime:
    """Tomorrow 00:00 in Shanghai, in UTC (the window the bench asks about)."""
    now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)
    return dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC) - (
        dt.timedelta(hours=8)
    )


def _setup() -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from liuke.accounts.choices import Role
    from liuke.accounts.models import User
    from liuke.accounts.services import api_token_create
    from liuke.appointments.models import Appointment, AppointmentItem, Resource, ServiceResource
    from liuke.bench.rosters import _salon
    from liuke.customers.models import Customer

    branch, service, staff = _salon()
    owner = User.objects.create(username="bench-owner", business=branch.business, role=Role.OWNER)
    _token, secret = api_token_create(actor=owner, name="bench")
    beds = Resource.objects.create(
        business=branch.business, branch=branch, name="bed", kind="bed", count=2
    )
    ServiceResource.objects.create(service=service, kind="bed")
    customers = Customer.objects.bulk_create(
        Customer(business=branch.business, branch=branch, name=f"客{n}") for n in range(CUSTOMERS)
    )
    rng = random.Random(13)
    start = _first_day()
    appointments, items = [], []
    for n in range(APPOINTMENTS):
        # 10:00-21:00 Shanghai is 02:00-13:00 UTC
        begin = start + dt.timedelta(
            days=rng.randrange(DAYS), hours=2, minutes=5 * rng.randrange(120)
        )
        end = begin + dt.timedelta(minutes=rng.choice((30, 45, 60, 90)))
        appointments.append(
            Appointment(
                business=branch.business,
                branch=branch,
                customer=customers[n % CUSTOMERS],
                starts_at=begin,
            )
        )
        on_bed = n % 10 == 0
        items.append(
            AppointmentItem(
                branch=branch,
                service=service,
                staff_id=rng.choice(staff),
                resource=beds if on_bed else None,
                resource_unit=(n // 10) % 2 if on_bed else None,
                start_at=begin,
                end_at=end,
            )
        )
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    for row, appointment in zip(items, appointments, strict=True):
        row.appointment = appointment
    AppointmentItem.objects.bulk_create(items, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as `liuke serve` refreshes them
    return {
        "branch_id": branch.pk,
        "service_id": service.pk,
        "token": secret,
        "day": (start + dt.timedelta(hours=8)).date().isoformat(),
    }


def _measure(branch_id: int, service_id: int) -> dict[str, Any]:
    from liuke.accounts.models import Branch
    from liuke.appointments.availability import availability
    from liuke.sales.models import Service

    branch = Branch.objects.select_related("business").get(pk=branch_id)
    service = Service.objects.get(pk=service_id)
    start = _first_day()
    end = start + dt.timedelta(days=DAYS)
    wall: list[float] = []
    cpu: list[float] = []
    found = None
    for run in range(WARMUP + RUNS):
        cpu_began = time.process_time()
        began = time.perf_counter()
        found = availability(branch=branch, service=service, start=start, end=end)
        done = time.perf_counter()
        if run >= WARMUP:
            wall.append((done - began) * 1000)
            cpu.append((time.process_time() - cpu_began) * 1000)
    assert found is not None
    return {"service": figures(wall), "service_cpu": figures(cpu), "starts": len(found.any_staff)}


def http_runs(port: int, fixtures: dict[str, Any]) -> list[float]:
    """The API's wall time per request (ms), sequential, after the warm-up."""
    url = (
        f"http://127.0.0.1:{port}/api/v1/appointments/availability?branch_id="
        f"{fixtures['branch_id']}&service_id={fixtures['service_id']}&day={fixtures['day']}"
        "&days=14"
    )
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {fixtures['token']}"})
    out: list[float] = []
    for run in range(WARMUP + RUNS):
        began = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local)
            response.read()
            if response.status != 200:
                raise RuntimeError(f"availability answered {response.status}")
        if run >= WARMUP:
            out.append((time.perf_counter() - began) * 1000)
    return out


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m liuke.bench.availability")
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--measure", nargs=2, type=int, metavar=("BRANCH", "SERVICE"))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    if args.setup:
        print(json.dumps(_setup()))
    elif args.measure:
        print(json.dumps(_measure(*args.measure)))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
