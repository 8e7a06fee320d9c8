"""One error shape for services, pages and the API.

Services raise `ServiceError` (or Django's `ValidationError` for field problems); the API turns
either into `{"code": ..., "message": ..., "fields": {...}}` with a stable code, the pages into
form errors. Codes are part of the API contract: never rename one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class ErrorCode(StrEnum):
    """The base of every app's error-code enum (`<app>/errors.py`, Saleor's `error_codes.py`).

    A member is its code (a `str`, so it goes to JSON and compares with text unchanged) and
    carries its meaning for the generated table in docs/errors.md:
    `CARD_CLOSED = "card_closed", "The stored-value card is closed."`"""

    meaning: str

    def __new__(cls, value: str, meaning: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member


class CoreErrorCode(ErrorCode):
    """Codes shared by every app: the API's own answers and the kernel's checks."""

    NOT_FOUND = "not_found", "No such object, or the acting user may not see it."
    PERMISSION_DENIED = "permission_denied", "The acting user's role lacks the capability."
    KEY_ACCOUNT_RESTRICTED = (
        "key_account_restricted",
        "A key account: the actor sees its minimal card only and must ask for access.",
    )
    NOT_AUTHENTICATED = "not_authenticated", "No session or API token (HTTP 401)."
    VALIDATION_ERROR = "validation_error", "The body does not match the schema (HTTP 422)."
    BAD_REQUEST = "bad_request", "The request body is malformed."
    ERROR = "error", "Any other HTTP error without a code of its own."
    INVALID = "invalid", "A value is not valid (the generic code of a field error)."
    REQUIRED = "required", "A required value is missing."
    INVALID_TEXT = "invalid_text", "Text with control characters or not text at all."
    TOO_LONG = "too_long", "Text longer than the field allows."
    INVALID_PHONE = "invalid_phone", "Not a valid mainland China phone number."
    INVALID_AMOUNT = (
        "invalid_amount",
        "An amount that is not whole fen or yuan with two decimals, not positive, or too large.",
    )
    INVALID_IDEMPOTENCY_KEY = (
        "invalid_idempotency_key",
        "An Idempotency-Key that is not 8 to 100 letters, digits or . _ : -.",
    )
    IDEMPOTENCY_KEY_REUSED = (
        "idempotency_key_reused",
        "The Idempotency-Key was already used for a different request (HTTP 422).",
    )


class ServiceError(Exception):
    """A refused operation, with a stable machine code and a human message."""

    status = 400

    def __init__(self, code: str, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}


class NotFound(ServiceError):
    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__("not_found", message)


class PermissionDenied(ServiceError):
    status = 403

    def __init__(self, message: str = "You do not have permission to do this.") -> None:
        super().__init__("permission_denied", message)


class KeyAccountRestricted(PermissionDenied):
    """The customer is a key account and the actor may see only its minimal card."""

    def __init__(
        self, message: str = "This is a key account: ask for access to read the full file."
    ) -> None:
        ServiceError.__init__(self, "key_account_restricted", message)
