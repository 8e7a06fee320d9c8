"""The appointments panel of a customer's profile (declared in `contrib.py`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from liuke.accounts.http import StaffRequest
from liuke.appointments import reports
from liuke.appointments.selectors import attendance_of
from liuke.appointments.standing import standing_of
from liuke.core.registry import PanelContent
from liuke.customers.profile import CustomerProfile


def attendance_panel(request: StaffRequest, profile: CustomerProfile) -> PanelContent | None:
    """Missed appointments, and the business's policy once the customer reaches its limit."""
    seen = attendance_of([profile.customer.pk])[profile.customer.pk]
    standing = None  # one query for the many who missed nothing; the rules only for the rest
    if seen.no_shows + seen.late_cancellations:
        standing = standing_of(profile.customer.business_id, profile.customer.pk, seen)
    return PanelContent(
        "appointments/partials/attendance.html", {"seen": seen, "standing": standing}
    )


def report_panel(
    *, request: StaffRequest, branch_ids: Collection[int], first: dt.date, last: dt.date
) -> PanelContent | None:
    """The book's figures per branch on the analytics dashboards (`reports.book_reports`)."""
    found = reports.book_reports(actor=request.user, branch_ids=branch_ids, first=first, last=last)
    return PanelContent("appointments/partials/report.html", {"reports": found})
