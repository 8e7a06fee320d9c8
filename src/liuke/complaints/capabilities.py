"""The complaints app's capabilities and the roles that hold them (docs/security.md).

Front desk and beauticians open and handle complaints; auditors read them and their reports;
approving compensation above a limit, setting targets and extending the causes stay with
owners and managers.
"""

from __future__ import annotations

from liuke.accounts.capabilities import (
    AUDITOR,
    BEAUTICIAN,
    EVERYONE,
    FRONT_DESK,
    MANAGER,
    OWNER,
    OWNERS_AND_MANAGERS,
)
from liuke.core.registry import Capability, RoleTable


class ComplaintCap(Capability):
    COMPLAINT_VIEW = "complaint.view"
    COMPLAINT_HANDLE = "complaint.handle"
    COMPLAINT_APPROVE = "complaint.approve"
    COMPLAINT_MANAGE = "complaint.manage"
    COMPLAINT_REPORTS = "complaint.reports"


ROLES: RoleTable = {
    ComplaintCap.COMPLAINT_VIEW:    EVERYONE,
    ComplaintCap.COMPLAINT_HANDLE:  frozenset({OWNER, MANAGER, FRONT_DESK, BEAUTICIAN}),
    ComplaintCap.COMPLAINT_APPROVE: OWNERS_AND_MANAGERS,
    ComplaintCap.COMPLAINT_MANAGE:  OWNERS_AND_MANAGERS,
    ComplaintCap.COMPLAINT_REPORTS: frozenset({OWNER, MANAGER, AUDITOR}),
}  # fmt: skip
