"""The engagement app's "calls to return" section of the staff's today page: calls from numbers
that are no customer yet, waiting for a call back (for those who may make it)."""

from __future__ import annotations

from liuke.accounts.http import StaffRequest
from liuke.core.registry import PanelContent
from liuke.engagement.selectors_prospects import prospect_calls

#: At most this many on the page; the calls page has the rest.
SHOWN = 5


def prospects_section(request: StaffRequest) -> PanelContent | None:
    calls = prospect_calls(actor=request.user, limit=SHOWN)
    if not calls:
        return None
    return PanelContent("engagement/partials/today_prospects.html", {"calls": calls})
