"""Typed huey job decorators: every app's tasks.py uses these instead of huey's own.

huey ships no type information, so its decorators make every job `Any` to mypy. These wrappers
call huey unchanged and state what the decorated job is: called, it queues a run on the consumer
(`Result`); `call_local` runs the function here and returns what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from huey.contrib import djhuey

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Job(Protocol[P, R_co]):
    """A function registered with huey (what `db_task` and `db_periodic_task` return)."""

    name: str

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        """Queue a run on the job consumer; returns huey's result handle."""

    def call_local(self, *args: P.args, **kwargs: P.kwargs) -> R_co:
        """Run the function in this process, without the queue."""


def db_task(**options: Any) -> Callable[[Callable[P, R]], Job[P, R]]:
    """A job queued on demand; it closes stale database connections around each run."""
    # The cast states what huey's untyped decorator returns (a TaskWrapper; see Job).
    return cast("Callable[[Callable[P, R]], Job[P, R]]", djhuey.db_task(**options))


def db_periodic_task(
    validate_datetime: Callable[..., bool], **options: Any
) -> Callable[[Callable[P, R]], Job[P, R]]:
    """A job the consumer runs when `validate_datetime` (usually a huey `crontab`) says so."""
    return cast(
        "Callable[[Callable[P, R]], Job[P, R]]",
        djhuey.db_periodic_task(validate_datetime, **options),
    )


def lock_task(lock_name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """At most one run of the job at a time (huey's lock; a second run raises and is skipped)."""
    return cast("Callable[[Callable[P, R]], Callable[P, R]]", djhuey.lock_task(lock_name))
