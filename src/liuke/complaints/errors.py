"""The stable error codes of complaints: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class ComplaintsErrorCode(ErrorCode):
    """Error codes of complaints: cases, the ten steps, resolutions, limits, causes."""

    ABOVE_YOUR_LIMIT = (
        "above_your_limit",
        "The compensation is above the approver's own limit: the owner decides.",
    )
    ACTION_DONE = "action_done", "The action is already done."
    ACTIONS_REQUIRED = "actions_required", "The agreed actions (ours and theirs) are missing."
    ALREADY_DECIDED = "already_decided", "The compensation request has already been decided."
    CANNOT_CLOSE = "cannot_close", "The case cannot close yet; the message lists what is missing."
    CAUSE_FIX_REQUIRED = "cause_fix_required", "Recording the fix of a cause needs what changed."
    COMPLAINT_CLOSED = "complaint_closed", "The complaint is closed."
    DESCRIPTION_REQUIRED = "description_required", "A complaint needs what the customer said."
    EXCHANGE_REQUIRED = "exchange_required", "An exchange needs what the customer takes instead."
    HANDLER_IS_STAFF = (
        "handler_is_staff",
        "The staff member a complaint is about cannot handle it: a senior person does.",
    )
    INVALID_BRANCH = "invalid_branch", "Not one of the actor's branches."
    INVALID_CARD = "invalid_card", "Not one of the customer's cards."
    INVALID_CAUSE = (
        "invalid_cause",
        "Not one of the business's complaint causes (or a cause's fields not valid).",
    )
    INVALID_CHANNEL = "invalid_channel", "Not one of the complaint channels."
    INVALID_DUE = "invalid_due", "The due day is not from today to a year ahead."
    INVALID_KIND = "invalid_kind", "Not one of the resolution kinds."
    INVALID_LINE = "invalid_line", "Not a line of the visit."
    INVALID_ROLE = "invalid_role", "Not a role that gives compensation."
    INVALID_SETTINGS = "invalid_settings", "A complaint setting is out of range or inconsistent."
    INVALID_SEVERITY = "invalid_severity", "Not one of the severities."
    INVALID_SIDE = "invalid_side", "Not one of the action sides (ours, theirs)."
    INVALID_STAFF = "invalid_staff", "Not a member of staff of the business."
    INVALID_STEP = "invalid_step", "Not one of the ten steps."
    INVALID_VISIT = "invalid_visit", "Not one of the customer's visits."
    LINE_REQUIRED = "line_required", "An exchange or line refund names the line."
    NO_CAUSE_FIX = "no_cause_fix", "The fix of the cause has not been recorded yet."
    NOT_OPEN = "not_open", "Only an open complaint can wait for the customer."
    NOT_RESOLVED = "not_resolved", "The fix of a cause is recorded once the complaint is resolved."
    NOT_WAITING = "not_waiting", "The complaint is not waiting for the customer."
    NOTHING_TO_REFUND = "nothing_to_refund", "The visit or line has already been refunded."
    OWN_REQUEST = "own_request", "Someone else must approve one's own compensation request."
    OWNER_ONLY = "owner_only", "Only the owner sets compensation limits."
    OWNER_REQUIRED = "owner_required", "Our actions need an owner and a due day."
    RESTATEMENT_REQUIRED = (
        "restatement_required",
        "The step needs the problem restated in the handler's words.",
    )
    RESTATEMENT_UNCONFIRMED = (
        "restatement_unconfirmed",
        "The customer has not confirmed the restated problem.",
    )
    SUMMARY_REQUIRED = "summary_required", "The step needs a summary of the agreed actions."
    TEXT_REQUIRED = "text_required", "An action needs what will be done."
    USE_CLOSE = "use_close", "The last step is recorded by closing the complaint."
