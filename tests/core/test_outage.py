"""When the database breaks, the API answers 503 in its error shape with `Retry-After`, and a
page answers a friendly 503 page in the user's language, itself needing no database.

The failures are real ones, met by a real connection: a PostgreSQL server that is not there (a
closed port), a connection the server terminated (`pg_terminate_backend`), a SQLite file whose
lock another connection holds past the busy timeout, and a real PostgreSQL deadlock. Each
request runs in its own thread on its own connection (Django keeps one per thread), so the
test's own database stays untouched.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.db.utils import OperationalError, load_backend
from django.test import Client

from liuke.core.errors import CoreErrorCode
from liuke.core.failures import RETRY_CONFLICT, RETRY_UNAVAILABLE

pytestmark = pytest.mark.django_db

Broken = Callable[[Callable[[], Any]], Any]


def _run_on(settings: dict[str, Any], work: Callable[[], Any]) -> Any:
    """`work()` in a thread whose default database connection uses `settings`."""
    out: dict[str, Any] = {}

    def run() -> None:
        wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "default")
        connections["default"] = wrapper
        try:
            out["value"] = work()
        except BaseException as exc:  # handed to the test's thread
            out["error"] = exc
        finally:
            wrapper.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if "error" in out:
        raise out["error"]
    return out["value"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def database_down(tmp_path: Path) -> Iterator[Broken]:
    """Runs a request against a database that cannot be had: PostgreSQL on a port where no
    server listens; SQLite on a file another connection holds locked past the busy timeout."""
    settings = {**connection.settings_dict, "OPTIONS": dict(connection.settings_dict["OPTIONS"])}
    holder: sqlite3.Connection | None = None
    if connection.vendor == "sqlite":
        path = tmp_path / "locked.sqlite3"
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        settings["NAME"] = str(path)
        settings["OPTIONS"]["timeout"] = 0.2
    else:
        settings.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        yield lambda work: _run_on(settings, work)
    finally:
        if holder is not None:
            holder.close()


def _assert_unavailable_json(response: Any) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == CoreErrorCode.DATABASE_UNAVAILABLE
    assert body["message"]
    assert response["Retry-After"] == str(RETRY_UNAVAILABLE)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/me"), ("get", "/api/v1/customers"), ("post", "/api/v1/customers")],
)
def test_the_api_answers_503_when_the_database_is_down(
    owner_client: Client, database_down: Broken, method: str, path: str
) -> None:
    owner_client.raise_request_exception = False
    response = database_down(
        lambda: getattr(owner_client, method)(path, {}, content_type="application/json")
    )
    _assert_unavailable_json(response)


def test_a_token_call_answers_503_when_the_database_is_down(
    client: Client, database_down: Broken
) -> None:
    client.raise_request_exception = False
    response = database_down(
        lambda: client.get("/api/v1/me", headers={"Authorization": "Bearer abcdefgh12345678"})
    )
    _assert_unavailable_json(response)


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Temporarily unavailable"), ("zh-hans", "暂时无法使用")]
)
def test_a_page_answers_a_503_page_in_the_users_language(
    owner_client: Client, database_down: Broken, language: str, title: str
) -> None:
    owner_client.raise_request_exception = False
    owner_client.cookies["django_language"] = language
    response = database_down(lambda: owner_client.get("/customers/"))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == str(RETRY_UNAVAILABLE)
    page = response.content.decode()
    assert title in page
    assert "Traceback" not in page


@pytest.mark.postgres_only
def test_a_connection_the_server_terminated_answers_503(owner_client: Client) -> None:
    owner_client.raise_request_exception = False

    def request_on_a_terminated_connection() -> Any:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with _killer() as kill:
            kill(pid)
        return owner_client.get("/api/v1/customers")

    response = _run_on(dict(connection.settings_dict), request_on_a_terminated_connection)
    _assert_unavailable_json(response)


class _killer:
    """A second connection that terminates a backend (as an operator or a failover would)."""

    def __enter__(self) -> Callable[[int], None]:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        self.conn = psycopg.connect(**params, autocommit=True)
        return self.kill

    def kill(self, pid: int) -> None:
        self.conn.execute("SELECT pg_terminate_backend(%s)", [pid])
        time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def _real_deadlock() -> OperationalError:
    """Two connections take two advisory locks in opposite orders: PostgreSQL detects the
    deadlock and rolls one of them back; that one's exception is returned."""
    settings = dict(connection.settings_dict)
    first_locked = threading.Barrier(2)
    errors: list[OperationalError] = []

    def take(first: int, second: int) -> None:
        try:
            with transaction.atomic(), connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [first])
                first_locked.wait(10)
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [second])
        except OperationalError as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=_run_on, args=(settings, lambda a=a, b=b: take(a, b)))
        for a, b in ((9101, 9102), (9102, 9101))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(errors) == 1
    return errors[0]


@pytest.mark.postgres_only
def test_a_deadlock_that_escapes_answers_503_with_retry_after(
    owner_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    deadlock = _real_deadlock()

    def deadlocked(**kwargs: Any) -> Any:
        raise deadlock

    monkeypatch.setattr("liuke.accounts.api.branch_choices", deadlocked)
    owner_client.raise_request_exception = False
    response = owner_client.get("/api/v1/branches")
    assert response.status_code == 503
    assert response.json()["code"] == CoreErrorCode.DATABASE_CONFLICT
    assert set(response.json()) == {"code", "message", "fields"}
    assert response["Retry-After"] == str(RETRY_CONFLICT)
