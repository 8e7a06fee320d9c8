"""What the core app contributes (liuke.core.registry): the nightly database upkeep and
the purge of old idempotency keys."""

from __future__ import annotations

from liuke.core.registry import Contribution, PeriodicJob

CONTRIBUTION = Contribution(
    jobs=[
        PeriodicJob("liuke.core.tasks:nightly_optimize_database", "daily at 03:15"),
        PeriodicJob("liuke.core.tasks:nightly_idempotency_purge", "daily at 03:05"),
    ],
)
