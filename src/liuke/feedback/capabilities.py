"""The feedback app's capabilities and the roles that hold them (docs/security.md).

Front desk reads the answers and records conversations; auditors read. Survey settings,
suggestion handling and "you said, we did" notices stay with managers and owners.
"""

from __future__ import annotations

from liuke.accounts.capabilities import AUDITOR, FRONT_DESK, MANAGER, OWNER, OWNERS_AND_MANAGERS
from liuke.core.registry import Capability, RoleTable


class FeedbackCap(Capability):
    FEEDBACK_VIEW = "feedback.view"
    FEEDBACK_RECORD = "feedback.record"
    FEEDBACK_MANAGE = "feedback.manage"


ROLES: RoleTable = {
    FeedbackCap.FEEDBACK_VIEW:   frozenset({OWNER, MANAGER, FRONT_DESK, AUDITOR}),
    FeedbackCap.FEEDBACK_RECORD: frozenset({OWNER, MANAGER, FRONT_DESK}),
    FeedbackCap.FEEDBACK_MANAGE: OWNERS_AND_MANAGERS,
}  # fmt: skip
