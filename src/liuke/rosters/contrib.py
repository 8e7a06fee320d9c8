"""What the rosters app contributes (liuke.core.registry)."""

from __future__ import annotations

from liuke.core.registry import Contribution
from liuke.rosters import capabilities
from liuke.rosters.capabilities import RosterCap

CONTRIBUTION = Contribution(
    capabilities=RosterCap,
    roles=capabilities.ROLES,
)
