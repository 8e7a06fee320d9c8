"""The stable error codes of accounts: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class AccountsErrorCode(ErrorCode):
    """Error codes of accounts: sign-up, staff, API tokens, two-factor login."""

    ALREADY_ENABLED = "already_enabled", "Two-factor login is already on."
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
