"""The analytics app's capabilities and the roles that hold them (docs/security.md).

Business-wide customer value lists, dashboards and the fitted models: owners, managers and
auditors read them; recomputing the stored figures now (a queued job) is for owners and managers.
"""

from __future__ import annotations

from liuke.accounts.capabilities import AUDITOR, MANAGER, OWNER, OWNERS_AND_MANAGERS
from liuke.core.registry import Capability, RoleTable


class AnalyticsCap(Capability):
    ANALYTICS_VIEW = "analytics.view"
    ANALYTICS_REFRESH = "analytics.refresh"


ROLES: RoleTable = {
    AnalyticsCap.ANALYTICS_VIEW:    frozenset({OWNER, MANAGER, AUDITOR}),
    AnalyticsCap.ANALYTICS_REFRESH: OWNERS_AND_MANAGERS,
}  # fmt: skip
