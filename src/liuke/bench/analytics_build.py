"""The analytics benchmark's cached database (`liuke.bench.analytics`, steps 2 to 4): simulated
customers and visits written set-based into the real schema, then what the dashboards read beyond
visits (the "extras")."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import numpy as np

from liuke.bench.analytics_models import END, HISTORY_DAYS, SEED, SPEND, TRUE


def build_database(customers: int) -> dict[str, Any]:
    """Migrate a fresh SQLite file and write simulated customers and visits set-based."""
    from django.core.management import call_command
    from django.db import connection

    from liuke.accounts.models import Branch, Business
    from liuke.analytics.clv import bgnbd, simulate
    from liuke.analytics.clv import gamma_gamma as gg
    from liuke.customers.models import Customer

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    business = Business.objects.create(name="基准美容")
    branches = [
        Branch.objects.create(business=business, name=f"{i + 1}号店", code=f"B{i + 1}")
        for i in range(4)
    ]
    rng = np.random.default_rng(SEED)
    first = rng.integers(0, HISTORY_DAYS, customers)
    end_day = HISTORY_DAYS - 1
    customer, day, amount = simulate.transactions(
        bgnbd.Params(**TRUE), gg.Params(**SPEND), first, end_day, rng
    )
    order = np.lexsort((day, customer))
    customer, day = customer[order], day[order]
    amount = np.rint(100 * amount[order]).astype(np.int64)  # fen
    start = END - dt.timedelta(days=end_day)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    first_id = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    ids = np.arange(first_id, first_id + customers)
    branch_of = np.array([b.pk for b in branches])[rng.integers(0, len(branches), customers)]
    _write_customers(ids, business.pk, branch_of, now)
    visits = len(customer)
    days = np.datetime64(start, "D") + day
    _write_visits(rng, business.pk, ids[customer], branch_of[customer], days, amount)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    database = Path(connection.settings_dict["NAME"])
    np.savez(f"{database}.npz", customer=ids[customer], day=days.astype(np.int64), amount=amount)
    return {
        "visits": visits,
        "seconds": round(time.perf_counter() - started, 1),
        "bytes": database.stat().st_size,
    }


def _write_customers(ids: np.ndarray, business_id: int, branch_of: np.ndarray, now: str) -> None:
    """The customers, 100,000 rows a statement, every column at its default but the names."""
    from django.db import connection, transaction

    customers = len(ids)
    columns, defaults = _customer_columns()
    with transaction.atomic(), connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO customers_customer ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        for lo in range(0, customers, 100_000):
            rows = []
            for i in range(lo, min(lo + 100_000, customers)):
                row = dict(defaults)
                row.update(
                    id=int(ids[i]),
                    business_id=business_id,
                    branch_id=int(branch_of[i]),
                    name=f"顾客{i}",
                    name_pinyin=f"guke{i}",
                    name_initials="gk",
                    created_at=now,
                    updated_at=now,
                )
                rows.append([row[c] for c in columns])
            cursor.executemany(sql, rows)


def _write_visits(
    rng: np.random.Generator,
    business_id: int,
    visit_customer: np.ndarray,
    visit_branch: np.ndarray,
    days: np.ndarray,
    amount: np.ndarray,
) -> None:
    """The visits (customer, branch, day and amount each), at a random hour of the salon's day,
    500,000 rows a statement."""
    from django.db import connection, transaction

    visits = len(days)
    hours = rng.integers(1, 13, visits)  # 09:00–21:00 in Shanghai, in UTC
    moments = days.astype("datetime64[s]") + (hours * 3600 + rng.integers(0, 3600, visits))
    at_text = np.datetime_as_string(moments.astype("datetime64[s]"), unit="s")
    on_text = np.datetime_as_string(days, unit="D")
    visit_columns = (
        "created_at, updated_at, business_id, branch_id, customer_id, visited_at, visited_on, "
        "total_fen, subtotal_fen"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for lo in range(0, visits, 500_000):
            hi = min(lo + 500_000, visits)
            at = [t.replace("T", " ") for t in at_text[lo:hi].tolist()]
            cust = visit_customer[lo:hi].tolist()
            branch = visit_branch[lo:hi].tolist()
            money = amount[lo:hi].tolist()
            cursor.executemany(
                f"INSERT INTO sales_visit ({visit_columns}) VALUES "  # noqa: S608
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                list(
                    zip(
                        at,
                        at,
                        [business_id] * (hi - lo),
                        branch,
                        cust,
                        at,
                        on_text[lo:hi].tolist(),
                        money,
                        money,
                        strict=True,
                    )
                ),
            )


def _customer_columns() -> tuple[list[str], dict[str, Any]]:
    """Every column of customers_customer with the model's default (NULL where nullable)."""
    from liuke.customers.models import Customer

    columns: list[str] = []
    defaults: dict[str, Any] = {}
    for field in Customer._meta.concrete_fields:
        columns.append(field.column)
        value = field.get_default()
        if value is None and not field.null and field.get_internal_type() == "BooleanField":
            value = False
        defaults[field.column] = value
    return columns, defaults


def add_extras() -> dict[str, Any]:
    """Migrate the cached database, then add what the dashboards read beyond visits."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from liuke.accounts.choices import Role
    from liuke.accounts.models import Business, User
    from liuke.sales.choices import ServiceCategory
    from liuke.sales.models import Service

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    business = Business.objects.get(name="基准美容")
    with transaction.atomic():
        staff = [
            User.objects.create(
                username=f"bench-staff-{i}", business=business, role=Role.BEAUTICIAN
            ).pk
            for i in range(12)
        ]
        services = [
            Service.objects.create(
                business=business,
                category=ServiceCategory.values[i % len(ServiceCategory.values)],
                name=f"基准项目{i}",
                duration_min=60,
                price_fen=10_000 * (i + 1),
            ).pk
            for i in range(20)
        ]
    assert staff == list(range(staff[0], staff[0] + 12)), "staff ids are not consecutive"
    assert services == list(range(services[0], services[0] + 20)), "service ids not consecutive"
    first = int(business.customers.order_by("pk").values_list("pk", flat=True).first() or 0)
    with transaction.atomic(), connection.cursor() as cursor:
        # one service line per visit: a service and a staff member spread over the visits
        cursor.execute(
            "INSERT INTO sales_visitline (visit_id, kind, service_id, staff_id, quantity, "
            "unit_price_fen, amount_fen, package_value_fen, refunded_quantity, refunded_fen) "
            "SELECT id, 'service', %s + (customer_id * 7 + id) % 20, %s + customer_id % 12, 1, "
            "total_fen, total_fen, 0, 0, 0 FROM sales_visit WHERE business_id = %s",
            [services[0], staff[0], business.pk],
        )
        lines = cursor.rowcount
        cursor.execute(
            "UPDATE customers_customer SET is_key_account = 1, "
            "owner_id = CASE WHEN id % 2 = 0 THEN %s ELSE NULL END "
            "WHERE business_id = %s AND id % 100 = 7",
            [staff[0], business.pk],
        )
        keys = cursor.rowcount
        cursor.execute(
            "UPDATE customers_customer SET referrer_id = id - 1 - id % 97 "
            "WHERE business_id = %s AND id % 10 = 3 AND id - 1 - id % 97 >= %s",
            [business.pk, first],
        )
        referred = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "lines": lines,
        "key_accounts": keys,
        "referred": referred,
        "seconds": round(time.perf_counter() - started, 1),
    }
