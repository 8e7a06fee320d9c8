"""One error shape for services, pages and the API.

Services raise `ServiceError` (or Django's `ValidationError` for field problems); the API turns
either into `{"code": ..., "message": ..., "fields": {...}}` with a stable code, the pages into
form errors. Codes are part of the API contract: never rename one.
"""

from __future__ import annotations


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


class CapabilityDenied(PermissionDenied):
    """The actor's role lacks the capability (raised by `accounts.policy.require`). The API
    answers 403 like any denial; pages answer 404, the same as "no such page", so a missing
    capability teaches nothing about what exists."""
