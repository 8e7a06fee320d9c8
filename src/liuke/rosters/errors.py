"""The stable error codes of rosters: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class RosterErrorCode(ErrorCode):
    """Error codes of rosters: weekly hours, breaks and the exceptions of single days."""

    OUTSIDE_OPENING_HOURS = (
        "outside_opening_hours",
        "A roster span (or extra shift) lies outside the branch's opening hours.",
    )
    ROSTER_OVERLAP = (
        "roster_overlap",
        "The span overlaps another of the staff member's spans of the same kind that day.",
    )
    INVALID_SPAN = "invalid_span", "A span needs a start and an end that differ."
    INVALID_STAFF = "invalid_staff", "Not an active staff member working at the branch."
    INVALID_EXCEPTION = (
        "invalid_exception",
        "An exception's kind is unknown, or an extra shift names no branch.",
    )
