"""Running service calls at the same instant, each in its own thread with its own database
connection (Django opens one per thread), so each call is its own transaction as in production.

Only meaningful on PostgreSQL: SQLite's test database is one in-memory file whose writers
serialise anyway, and `select_for_update` is a no-op there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections


def run_at_once(calls: Sequence[Callable[[], Any]], *, timeout: float = 120) -> list[Any]:
    """Start every call at the same moment (behind a barrier); returns, in the calls' order, each
    one's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except BaseException as exc:  # the test judges every outcome
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"calls {stuck} did not finish in {timeout} s"
    return outcomes
