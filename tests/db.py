"""Data built once for many tests, without letting one test see another's changes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from pytest_django import DjangoDbBlocker


@contextlib.contextmanager
def built_once(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """A transaction around a whole module: what a module-scoped fixture builds inside it
    exists once for all the module's tests, and is rolled back when the module ends.

    Each test's `db` fixture opens its own savepoint inside this transaction (pytest-django's
    TestCase atomics nest), so every test starts from the data as built and its own changes are
    rolled back after it, exactly as with data built per test. Only for tests that take `db`
    (not `transactional_db`). A module-scoped fixture builds with the database unblocked and
    yields while the transaction is open:

        with built_once(django_db_blocker):
            with django_db_blocker.unblock():
                ids = <build>
            yield ids
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
