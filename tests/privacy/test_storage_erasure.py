"""Erased values leave the database's storage, not only its rows: SQLite overwrites deleted
content (`PRAGMA secure_delete` on every connection) and the erasure job checkpoints the WAL;
on PostgreSQL the job vacuums every table a person's rows live in (dead tuples removed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.utils import ConnectionHandler
from django.utils import timezone
from pytest_django import DjangoDbBlocker
from tests.factories import customer_make

from liuke.accounts.models import User
from liuke.core.maintenance import scrub_storage
from liuke.customers.person import person_tables
from liuke.customers.services import customer_anonymise
from liuke.customers.tasks import erasure_scrub, nightly_erasure_scrub

SENTINEL = "SENTINEL-13912345678-erased-allergy"


def _sqlite_file_after_delete(path: Path, init_command: str) -> bytes:
    """A SQLite database configured with `init_command` in which a row holding the sentinel
    was written and checkpointed, then deleted and another overwritten, then checkpointed with
    TRUNCATE: the bytes of the file and of its write-ahead log."""
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(path),
                "OPTIONS": {"init_command": init_command},
            }
        }
    )
    db = handler["default"]
    try:
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, notes TEXT)")
            for i in range(50):
                cursor.execute("INSERT INTO person (notes) VALUES (%s)", [f"{SENTINEL}-{i}"])
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("DELETE FROM person WHERE id % 2 = 0")
            cursor.execute("UPDATE person SET notes = '' WHERE id % 2 = 1")
    finally:
        db.close()
    assert scrub_storage([], own=handler["default"]) == ["PRAGMA wal_checkpoint(TRUNCATE)"]
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_sqlite_connections_overwrite_deleted_values(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    ours = settings.SQLITE_INIT_COMMAND
    # set explicitly: SQLite's default depends on how it was built (Debian's is on, most are off)
    assert "PRAGMA secure_delete=ON;" in ours
    plain = ours.replace("PRAGMA secure_delete=ON;", "PRAGMA secure_delete=OFF;")
    with django_db_blocker.unblock():  # databases of its own, not the test database
        configured = _sqlite_file_after_delete(tmp_path / "on.sqlite3", ours)
        unconfigured = _sqlite_file_after_delete(tmp_path / "off.sqlite3", plain)
    assert SENTINEL.encode() not in configured
    # without it the deleted and overwritten values stay in the file's free space
    assert SENTINEL.encode() in unconfigured


@pytest.mark.django_db
def test_the_job_scrubs_only_after_an_erasure(owner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    scrubbed: list[list[str]] = []

    def scrub(tables: list[str]) -> list[str]:
        scrubbed.append(list(tables))
        return []

    monkeypatch.setattr("liuke.customers.tasks.scrub_storage", scrub)
    customer = customer_make(actor=owner, allergies=SENTINEL)
    nightly_erasure_scrub.call_local()
    assert scrubbed == []
    customer_anonymise(actor=owner, customer_ids=[customer.pk], reason="顾客要求删除")
    nightly_erasure_scrub.call_local()
    assert scrubbed == [person_tables()]
    erasure_scrub(since=timezone.now() + dt.timedelta(minutes=1))
    assert len(scrubbed) == 1


def test_the_tables_scrubbed_are_those_a_person_lives_in() -> None:
    tables = person_tables()
    assert {"customers_customer", "sales_visit", "sales_cardentry", "engagement_contact"} <= set(
        tables
    )
    assert "audit_auditevent" not in tables


def _vacuumed_since(tables: list[str], since: dt.datetime) -> dict[str, bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, last_vacuum >= %s FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [since, tables],
        )
        return {name: bool(vacuumed) for name, vacuumed in cursor.fetchall()}


def _dead_tuples(table: str) -> int:
    """The table's dead tuples as the statistics count them, this connection's writes included
    (a backend reports them at most once a second unless told to now)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.postgres_only
# serialized like every transactional test that runs on PostgreSQL: a plain flush would let
# post_migrate recreate the content types under new ids, and the next serialized test clashes
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_erasure_is_followed_by_a_vacuum_of_every_table_of_the_person(
    owner: User,
) -> None:
    customer = customer_make(actor=owner, allergies=SENTINEL, notes=SENTINEL)
    customer_anonymise(actor=owner, customer_ids=[customer.pk], reason="顾客要求删除")
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        row = cursor.fetchone()
    assert row is not None
    started = row[0]
    assert _dead_tuples("customers_customer") > 0  # the erased versions of the row

    ran = erasure_scrub(since=started - dt.timedelta(hours=1))

    tables = person_tables()
    assert ran == [f'VACUUM "{table}"' for table in tables]
    assert _vacuumed_since(tables, started) == dict.fromkeys(tables, True)
    assert _dead_tuples("customers_customer") == 0
