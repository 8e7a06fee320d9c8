"""The complaints app's section of the staff's "today" page (declared in `contrib.py`): the
compensations waiting for approval and the cases past their time limits, for those who answer
for them."""

from __future__ import annotations

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest
from liuke.complaints import selectors
from liuke.complaints.capabilities import ComplaintCap
from liuke.core.registry import PanelContent

#: At most this many rows per list on the page; the complaint list has the rest.
SHOWN = 10


def complaints_section(request: StaffRequest) -> PanelContent | None:
    """Approvals waiting (approvers) and breached unresolved cases; nothing on a quiet day."""
    actor = request.user
    approvals = (
        selectors.approvals(actor=actor)
        if policy.can(actor, ComplaintCap.COMPLAINT_APPROVE)
        else []
    )
    breached = selectors.complaint_list(
        actor=actor, filters=selectors.ComplaintFilters(breached=True)
    )
    if not approvals and not breached:
        return None
    return PanelContent(
        "complaints/partials/today_complaints.html",
        {
            "approvals": approvals[:SHOWN],
            "approvals_total": len(approvals),
            "breached": breached[:SHOWN],
            "breached_total": len(breached),
        },
    )
