"""The notices app's section of the staff's "today" page: what colleagues and the jobs have
told this staff member to act on and they have not opened yet."""

from __future__ import annotations

from liuke.accounts.http import StaffRequest
from liuke.core.registry import PanelContent
from liuke.notices.selectors import notices_for

#: At most this many on the page; the notices page has the rest.
SHOWN = 10


def notices_section(request: StaffRequest) -> PanelContent | None:
    unread = notices_for(actor=request.user, unread_only=True, limit=SHOWN)
    if not unread:
        return None
    return PanelContent("notices/partials/today_notices.html", {"notices": unread})
