"""The analytics app's section of the staff's "today" page (declared in `contrib.py`): the
few at-risk customers most worth a call today (the dashboard's call list, shortened)."""

from __future__ import annotations

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest
from liuke.analytics import selectors
from liuke.core.registry import PanelContent

#: How many customers to call the page suggests; the dashboard has the whole list.
SHOWN = 8


def at_risk_section(request: StaffRequest) -> PanelContent | None:
    """The top of the call list with the mobile as this staff member may see it in a list;
    nothing before the first model run."""
    actor = request.user
    calls = selectors.at_risk_list(actor=actor, limit=SHOWN)
    if not calls:
        return None
    rows = [
        {"item": a, "mobile": policy.present_listed_mobile(actor, a.figures.customer)}
        for a in calls
    ]
    return PanelContent("analytics/partials/today_at_risk.html", {"calls": rows})
