"""The demo builds that need a database of their own: `ensure_demo` on an empty one, and a
committed build (the tests that read a built salon share one, in test_generator.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from tests.demo.test_generator import PASSWORD, build

from liuke.accounts.models import Business
from liuke.customers.models import Customer
from liuke.demo.builder import ensure_demo


def test_ensure_demo_builds_once(db: None) -> None:
    assert ensure_demo(customers=50, seed=1, username="owner", password=PASSWORD) is True
    customers = Customer.objects.count()

    assert ensure_demo(customers=50, seed=1, username="owner", password=PASSWORD) is False
    assert Business.objects.filter(name="丽颜美容").count() == 1
    assert Customer.objects.count() == customers == 50


@pytest.mark.sqlite_only  # the bulk load drops and rebuilds indexes only on SQLite
@pytest.mark.django_db(transaction=True)
def test_a_committed_build_keeps_its_indexes_and_the_foreign_key_checks() -> None:
    def indexes() -> set[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            return set(cursor.fetchall())

    before = indexes()

    build(customers=100)

    assert indexes() == before
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA foreign_key_check")
        assert cursor.fetchall() == []
