"""The stable error codes of accounts: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class AccountsErrorCode(ErrorCode):
    """Error codes of accounts: sign-up, staff, API tokens, two-factor login."""

    ALREADY_ENABLED = "already_enabled", "Two-factor login is already on."
    ALREADY_LEFT = "already_left", "The staff member has already left (or has not)."
    BRANCH_CLOSED = (
        "branch_closed",
        "The branch is closed: it takes no new visit, customer or staff member.",
    )
    BRANCH_CODE_TAKEN = "branch_code_taken", "Another branch of the business has this code."
    CONTACT_REQUIRED = "contact_required", "An invitation needs a mobile number or an e-mail."
    INVALID_BRANCH = "invalid_branch", "Not an open branch the acting user manages."
    INVALID_EMAIL = "invalid_email", "Not a valid e-mail address."
    INVALID_ROLE = "invalid_role", "Not a role the acting user may give."
    INVALID_TIME_ZONE = "invalid_time_zone", "Not a time zone name (such as Asia/Shanghai)."
    INVITE_INVALID = (
        "invite_invalid",
        "The invitation link is not one of ours, has expired, or was used already.",
    )
    LOGO_INVALID = "logo_invalid", "The logo is not a PNG, JPEG, WebP or GIF picture."
    LOGO_TOO_LARGE = "logo_too_large", "The logo file is larger than the limit."
    LAST_BRANCH = "last_branch", "The business's last open branch cannot be closed."
    LAST_OWNER = (
        "last_owner",
        "The business's last owner cannot leave or be given another role.",
    )
    PASSWORD_MISMATCH = "password_mismatch", "The two passwords typed differ."
    OWN_ACCOUNT = (
        "own_account",
        "Staff other than owners cannot change their own role, branches or status.",
    )
    SUCCESSOR_REQUIRED = (
        "successor_required",
        "A staff member who leaves hands their customers to another active staff member.",
    )
    UNKNOWN_CHECKLIST_ITEM = "unknown_checklist_item", "No such item on the first-run checklist."
    INVALID_CODE = "invalid_code", "The two-factor login code is wrong or has expired."
    INVALID_TOKEN = (
        "invalid_token",
        "The request's Authorization header is not a valid API token (HTTP 401; the session is "
        "not used instead).",
    )
    NOT_ENABLED = "not_enabled", "Two-factor login is not on."
    OUT_OF_RANGE = "out_of_range", "A setting's number is outside its allowed range."
    TOO_MANY_TOKENS = "too_many_tokens", "At most 20 active API tokens per person."
    TWO_FACTOR_REQUIRED = (
        "two_factor_required",
        "The session has not entered its two-factor login code yet (HTTP 401).",
    )
    USERNAME_TAKEN = "username_taken", "The username is taken."
