"""The planner-statistics job: after it runs, the database has statistics for the customer
indexes (the search benchmark depends on them, docs/benchmarks.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from tests.factories import customer_make

from liuke.accounts.models import User
from liuke.core.maintenance import optimize_database
from liuke.core.tasks import nightly_optimize_database


def _stat_rows() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name='sqlite_stat1'")
            if cursor.fetchone() is None:
                return set()
            cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl='customers_customer'")
        else:
            cursor.execute("SELECT attname FROM pg_stats WHERE tablename='customers_customer'")
        return {row[0] for row in cursor.fetchall() if row[0]}


@pytest.mark.django_db
@pytest.mark.sqlite_only
def test_optimize_gives_sqlite_statistics_for_the_customer_table(owner: User) -> None:
    for i in range(30):
        customer_make(actor=owner, name=f"顾客{i}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name='sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute("DELETE FROM sqlite_stat1")
    assert _stat_rows() == set()
    ran = optimize_database()
    assert ran == "PRAGMA optimize"
    assert {"cust_biz_name", "cust_biz_initials", "cust_biz_branch_created"} <= _stat_rows()


@pytest.mark.django_db
@pytest.mark.postgres_only
def test_optimize_gives_postgres_statistics_for_the_customer_table(owner: User) -> None:
    for i in range(30):
        customer_make(actor=owner, name=f"顾客{i}")
    ran = optimize_database()
    assert ran == "ANALYZE customers_customer"
    assert {"name", "name_initials", "branch_id"} <= _stat_rows()


@pytest.mark.django_db
def test_the_nightly_task_runs_the_same_job(owner: User) -> None:
    customer_make(actor=owner, name="王芳")
    assert nightly_optimize_database.call_local() == optimize_database()
