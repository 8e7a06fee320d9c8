"""The stable error codes of audit: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class AuditErrorCode(ErrorCode):
    """Error codes of the audit log: exports, flags, the unusual-reading settings."""

    INVALID_FORMAT = "invalid_format", "An audit export is xlsx or csv."
    INVALID_HOURS = "invalid_hours", "The working hours' opening and closing times are the same."
    INVALID_NOTE = "invalid_note", "The note on a flag is not valid text or too long."
    INVALID_REASON = "invalid_reason", "The export reason is not valid text or too long."
    INVALID_THRESHOLD = (
        "invalid_threshold",
        "The unusual-reading threshold is not 1 to 10,000 files an hour.",
    )
    READ_NOT_RECORDED = (
        "read_not_recorded",
        "The audit log could not record a read, so the data read is not sent (try again).",
    )
    REASON_REQUIRED = (
        "reason_required",
        "An export of customer data needs a reason (it is kept in the log).",
    )
