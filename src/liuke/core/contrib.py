"""What the core app contributes (liuke.core.registry): the nightly database upkeep."""

from __future__ import annotations

from liuke.core.registry import Contribution, PeriodicJob

CONTRIBUTION = Contribution(
    jobs=[PeriodicJob("liuke.core.tasks:nightly_optimize_database", "daily at 03:15")],
)
