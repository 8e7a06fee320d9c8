"""Row locks taken in one global order, and the retry of a whole transaction that lost a
deadlock or a serialization conflict anyway (docs/money.md, "Locks and retries").

Two transactions that lock the same rows in opposite orders deadlock on PostgreSQL: one of them
is aborted with SQLSTATE 40P01. So every transaction that locks more than one row of a table
locks them with `lock_rows` (one statement, ascending primary key), and tables in the order
docs/money.md lists. `select_for_update` outside this module is for one row only (a test keeps
to an allowlist of those).

SQLite has no row locks: its IMMEDIATE transactions take the database's write lock at BEGIN, so
writers queue (up to the busy timeout) and never deadlock. `select_for_update` is a no-op there.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.db import DatabaseError, models, transaction

logger = logging.getLogger(__name__)

_M = TypeVar("_M", bound=models.Model)
_P = ParamSpec("_P")
_R = TypeVar("_R")

#: PostgreSQL's serialization_failure and deadlock_detected: the transaction was rolled back as
#: a whole and may simply be run again.
CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})


def lock_rows(
    source: type[_M] | models.QuerySet[_M], ids: Iterable[Any] | None, *, no_key: bool = True
) -> dict[int, _M]:
    """Lock the rows of `source` (a model or a scoped queryset) with these primary keys (`None`:
    every row of `source`), in ascending key order, and return them by key, in that order; ids
    that are not in `source` are left out (the caller decides whether that is a `NotFound`).

    PostgreSQL locks the rows in the order of the ORDER BY (the lock is taken above the sort), so
    two transactions locking overlapping sets wait for each other instead of deadlocking. Only
    the rows of `source`'s own table are locked (`of=("self",)`), not those of joined tables.
    `no_key` (FOR NO KEY UPDATE, the default) still excludes every other locker but lets other
    transactions insert rows that point at the locked ones (a payment naming the customer):
    what an update of non-key columns needs, and fewer waits.
    """
    qs = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    if ids is not None:
        keys = sorted(int_ids(ids))
        if not keys:
            return {}
        qs = qs.filter(pk__in=keys)
    rows = qs.select_for_update(no_key=no_key, of=("self",)).order_by("pk")
    return {row.pk: row for row in rows}


def lock_one(source: type[_M] | models.QuerySet[_M], pk: Any, *, no_key: bool = True) -> _M | None:
    """The one row of `source` with this primary key, locked as `lock_rows` locks (only this
    table's row, FOR NO KEY UPDATE by default); None when there is none (or `pk` is no id)."""
    return next(iter(lock_rows(source, [pk], no_key=no_key).values()), None)


def lock_get(source: type[_M] | models.QuerySet[_M], pk: Any, *, no_key: bool = True) -> _M:
    """`lock_one` for a row that must exist (`Model.DoesNotExist` otherwise, as `.get()`)."""
    row = lock_one(source, pk, no_key=no_key)
    if row is None:
        model = source.model if isinstance(source, models.QuerySet) else source
        raise model.DoesNotExist(f"no {model._meta.label} with pk {pk!r}")  # type: ignore[attr-defined]
    return row


def int_ids(values: Iterable[Any]) -> set[int]:
    """The values that are whole-number ids (input not yet validated: the rest is ignored here
    and refused by the service that reads it)."""
    ids: set[int] = set()
    for value in values:
        if isinstance(value, bool):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            continue
        if 0 < number < 2**63:  # a key the database can hold
            ids.add(number)
    return ids


def is_conflict(exc: BaseException) -> bool:
    """Whether a database error is a deadlock or serialization failure (the driver's error is
    Django's exception's `__cause__`: psycopg names its SQLSTATE `sqlstate`, psycopg2 `pgcode`)."""
    seen: BaseException | None = exc
    while seen is not None:
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if code in CONFLICT_SQLSTATES:
            return True
        seen = seen.__cause__
    return False


def retry_on_conflict(
    attempts: int = 3, *, base_delay: float = 0.05
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Run the decorated function (an outermost `transaction.atomic` block) again when the
    database aborted it as a deadlock victim or a serialization failure, up to `attempts` times,
    after a short random pause (jitter: two victims must not collide again in step).

    Only for work that does nothing outside the database before it commits (side effects go to
    the outbox or `on_commit`, which a rolled-back attempt drops). Inside an outer atomic block it
    never retries: the outer transaction is already aborted, so the error goes up to whoever owns
    it (that owner may carry this decorator itself).

    Put it *above* `@transaction.atomic`:

        @retry_on_conflict()
        @transaction.atomic
        def card_topup(...): ...
    """

    def decorate(fn: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(fn)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            if transaction.get_connection().in_atomic_block:
                return fn(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    return fn(*args, **kwargs)
                except DatabaseError as exc:
                    if attempt >= attempts or not is_conflict(exc):
                        raise
                    pause = random.uniform(0, base_delay * 2**attempt)
                    logger.warning(
                        "database conflict in %s, attempt %d of %d: retrying in %.0f ms",
                        fn.__qualname__,
                        attempt,
                        attempts,
                        pause * 1000,
                    )
                    time.sleep(pause)
            raise AssertionError("unreachable")  # pragma: no cover

        run.retries_on_conflict = attempts  # type: ignore[attr-defined]
        return run

    return decorate
