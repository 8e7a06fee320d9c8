"""The customers app's section of the staff's "today" page (declared in `contrib.py`): the
requests for a key account's file waiting for this staff member's decision; a colleague may be
waiting at the counter with the customer."""

from __future__ import annotations

from liuke.accounts.http import StaffRequest
from liuke.core.registry import PanelContent
from liuke.customers.selectors import access_grants

#: At most this many requests on the page; the access page has the rest.
SHOWN = 10


def approvals_section(request: StaffRequest) -> PanelContent | None:
    """Requests to decide (the responsible person's, or a manager's in scope); nothing when
    none is waiting."""
    waiting = access_grants(actor=request.user, view="to_decide", limit=SHOWN)
    if not waiting:
        return None
    return PanelContent("customers/partials/today_approvals.html", {"waiting": waiting})
