"""The stable error codes of engagement: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class EngagementErrorCode(ErrorCode):
    """Error codes of engagement: contacts, follow-ups, tasks, reminders, the outbox."""

    DUE_IN_PAST = "due_in_past", "The callback is due in the past."
    FOLLOWUP_CLOSED = "followup_closed", "The follow-up is already done."
    IN_FUTURE = "in_future", "The contact is dated in the future."
    INVALID_CHANNEL = "invalid_channel", "Not one of the contact channels."
    INVALID_DATETIME = "invalid_datetime", "Not a date and time, or outside 2000 to 2100."
    INVALID_DIRECTION = "invalid_direction", "Not one of the contact directions."
    INVALID_DUE = "invalid_due", "The due day is not from today to 90 days ahead."
    INVALID_DURATION = "invalid_duration", "A duration that is not 0 to 86,400 whole seconds."
    INVALID_KIND = "invalid_kind", "Not one of the listed kinds (task or message)."
    INVALID_OUTCOME = "invalid_outcome", "Not one of the listed outcomes."
    INVALID_REASON = "invalid_reason", "Not one of the business's contact reasons."
    INVALID_REASON_DATA = (
        "invalid_reason_data",
        "A contact reason's fields are missing or not valid.",
    )
    INVALID_RULE = "invalid_rule", "A follow-up rule's fields are missing or not valid."
    INVALID_SETTINGS = "invalid_settings", "A reminder setting is out of range."
    INVALID_TEMPLATE = (
        "invalid_template",
        "A message template is empty, too long or uses an unknown placeholder.",
    )
    MESSAGE_NOT_READY = "message_not_ready", "Only a message in the outbox can be sent."
    NO_MARKETING_CONSENT = (
        "no_marketing_consent",
        "The customer has withdrawn marketing consent; the message is cancelled.",
    )
    NUMBER_ELSEWHERE = (
        "number_elsewhere",
        "A customer with this number exists in a branch the acting user does not serve.",
    )
    NOTE_REQUIRED = "note_required", "Closing a follow-up as unresolved needs a note."
    PROSPECT_CONVERTED = "prospect_converted", "The caller is already a customer."
    TASK_CLOSED = "task_closed", "The task is already closed."
