"""core.locking: rows locked in key order, the retry of a deadlock victim, and the rule that no
code locks rows any other way (docs/money.md, "Locks and retries")."""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext
from tests.concurrency import run_at_once

from liuke.accounts.models import Branch
from liuke.core.locking import (
    int_ids,
    is_conflict,
    lock_get,
    lock_one,
    lock_rows,
    retry_on_conflict,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "liuke"


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _db_error(sqlstate: str) -> OperationalError:
    """Django's error as the driver's error raised it (the driver's is its `__cause__`)."""
    try:
        raise OperationalError("deadlock detected") from _DriverError(sqlstate)
    except OperationalError as exc:
        return exc


def _flaky(errors: list[BaseException]) -> tuple[Callable[[], str], list[int]]:
    calls: list[int] = []

    def work() -> str:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return "done"

    return work, calls


# --- the retry ----------------------------------------------------------------------------------


@pytest.fixture
def no_pause(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    pauses: list[float] = []
    monkeypatch.setattr("liuke.core.locking.time.sleep", pauses.append)
    return pauses


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_deadlock_or_serialization_failure_runs_the_whole_function_again(
    sqlstate: str, no_pause: list[float]
) -> None:
    work, calls = _flaky([_db_error(sqlstate), _db_error(sqlstate)])

    assert retry_on_conflict(attempts=3)(work)() == "done"

    assert len(calls) == 3
    assert len(no_pause) == 2
    assert all(0 <= p <= 0.05 * 2**2 for p in no_pause)


def test_it_gives_up_after_the_attempts(no_pause: list[float]) -> None:
    errors: list[BaseException] = [_db_error("40P01") for _ in range(3)]
    work, calls = _flaky(errors)

    with pytest.raises(OperationalError):
        retry_on_conflict(attempts=3)(work)()

    assert len(calls) == 3


@pytest.mark.parametrize(
    "error", [OperationalError("server closed the connection"), ProgrammingError("syntax")]
)
def test_other_errors_are_not_retried(error: Exception, no_pause: list[float]) -> None:
    work, calls = _flaky([error])

    with pytest.raises(type(error)):
        retry_on_conflict()(work)()

    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_an_outer_transaction_it_never_retries(no_pause: list[float]) -> None:
    # (pytest-django's test transaction is the outer block here)
    work, calls = _flaky([_db_error("40P01")])

    with pytest.raises(OperationalError):
        retry_on_conflict()(work)()

    assert len(calls) == 1
    assert no_pause == []


def test_conflicts_are_recognised_by_sqlstate_or_pgcode() -> None:
    psycopg2_style = OperationalError("x")
    psycopg2_style.__cause__ = type("E", (Exception,), {"pgcode": "40P01"})()

    assert is_conflict(_db_error("40P01"))
    assert is_conflict(psycopg2_style)
    assert not is_conflict(_db_error("23505"))
    assert not is_conflict(OperationalError("locked"))


# --- lock_rows ----------------------------------------------------------------------------------


def test_ids_from_input_keep_only_whole_numbers_a_key_can_hold() -> None:
    assert int_ids([3, "1", None, True, "x", 2.0, 0, -4, 2**63, 3]) == {1, 2, 3}


@pytest.mark.django_db
def test_lock_rows_returns_the_rows_by_key_in_key_order(branch_a: Branch, branch_b: Branch) -> None:
    rows = lock_rows(Branch, [branch_b.pk, "nonsense", branch_a.pk, 10**12])

    assert list(rows) == sorted([branch_a.pk, branch_b.pk])
    assert lock_rows(Branch.objects.filter(pk=branch_a.pk), None) == {branch_a.pk: branch_a}
    assert lock_rows(Branch, []) == {}
    assert lock_one(Branch, branch_b.pk) == branch_b
    assert lock_one(Branch, "x") is None
    with pytest.raises(Branch.DoesNotExist):
        lock_get(Branch, 10**12)


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_on_postgresql_rows_are_locked_in_key_order_and_only_the_tables_own(
    branch_a: Branch, branch_b: Branch
) -> None:
    with CaptureQueriesContext(connection) as ctx:
        lock_rows(Branch.objects.select_related("business"), [branch_b.pk, branch_a.pk])

    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert 'ORDER BY "accounts_branch"."id" ASC' in sql
    assert sql.endswith('FOR NO KEY UPDATE OF "accounts_branch"')


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_a_real_deadlock_victim_is_run_again(
    branch_a: Branch, branch_b: Branch
) -> None:
    # Two transactions lock two rows in opposite orders on purpose (what lock_rows prevents):
    # PostgreSQL aborts one as the deadlock victim, and the retry runs it again.
    both_hold_one = threading.Barrier(2)
    attempts: list[str] = []

    def opposite(first: int, second: int, name: str) -> Callable[[], Any]:
        @retry_on_conflict()
        @transaction.atomic
        def work() -> str:
            attempts.append(name)
            lock_one(Branch, first)
            if attempts.count(name) == 1:
                both_hold_one.wait(timeout=30)
            lock_one(Branch, second)
            return name

        return work

    outcomes = run_at_once(
        [opposite(branch_a.pk, branch_b.pk, "ab"), opposite(branch_b.pk, branch_a.pk, "ba")]
    )

    assert outcomes == ["ab", "ba"]
    assert len(attempts) == 3  # one of the two ran twice


# --- no lock taken any other way ----------------------------------------------------------------


def _locking_calls() -> list[str]:
    """Every `select_for_update` and every SQL text that locks rows, outside core/locking.py."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "core" / "locking.py" or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and node.attr == "select_for_update":
                found.append(where)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = " ".join(node.value.upper().split())
                if any(
                    f"FOR {kind}" in text for kind in ("UPDATE", "NO KEY", "SHARE", "KEY SHARE")
                ):
                    found.append(where)
    return found


def test_rows_are_locked_only_through_core_locking() -> None:
    """A lock taken elsewhere would escape the key order (and lock joined tables' rows too):
    use `lock_rows` (many rows), `lock_one` or `lock_get` (one row), in the table order of
    docs/money.md."""
    assert _locking_calls() == []
