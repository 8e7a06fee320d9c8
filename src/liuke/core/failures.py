"""What a request that broke answers: the status, stable code and message of a failure that no
view handled (the database down or busy, a deadlock, a body too large, a bug).

One reading for both faces of the site: the API answers it in its error shape
(`liuke.core.api.failure_response`), the pages show the matching error page (`liuke.web.
error_views`). Nothing here touches the database: it runs when the database may be the failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from liuke.core.errors import CoreErrorCode

#: Seconds a client is asked to wait before retrying (the `Retry-After` header): a database
#: restart or a failover takes some seconds; a lost deadlock can be retried at once.
RETRY_UNAVAILABLE = 10
RETRY_CONFLICT = 1

#: SQLSTATEs of PostgreSQL's deadlock_detected and serialization_failure: a transaction lost a
#: race and was rolled back whole, so a retry is safe and likely to succeed.
_CONFLICT_STATES = frozenset({"40P01", "40001"})

#: SQLite reports mistakes in the SQL itself as OperationalError too; those are bugs (a 500),
#: not an outage.
_SQLITE_BUGS = ("no such table", "no such column", "syntax error", "has no column")


@dataclass(frozen=True)
class Failure:
    status: int
    code: CoreErrorCode
    message: str
    retry_after: int | None = None


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def is_database_conflict(exc: BaseException) -> bool:
    """A deadlock or serialization failure (PostgreSQL rolled the transaction back)."""
    return isinstance(exc, OperationalError) and _sqlstate(exc) in _CONFLICT_STATES


def is_database_outage(exc: BaseException) -> bool:
    """The database cannot be reached, dropped the connection, or stayed locked past the busy
    timeout (SQLite's "database is locked"): nothing the request did wrong."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    text = str(exc).lower()
    return not any(bug in text for bug in _SQLITE_BUGS)


def failure_of(exc: BaseException | None) -> Failure:
    """The answer to an exception no view handled."""
    if exc is not None and is_database_conflict(exc):
        return Failure(
            503,
            CoreErrorCode.DATABASE_CONFLICT,
            _(
                "Another request changed the same records at the same moment. Nothing was "
                "saved; please try again."
            ),
            RETRY_CONFLICT,
        )
    if exc is not None and is_database_outage(exc):
        return Failure(
            503,
            CoreErrorCode.DATABASE_UNAVAILABLE,
            _(
                "The database is not available right now. Nothing was saved; please try again "
                "in a moment."
            ),
            RETRY_UNAVAILABLE,
        )
    if isinstance(exc, RequestDataTooBig):
        return Failure(
            413, CoreErrorCode.BODY_TOO_LARGE, _("The request is larger than the server accepts.")
        )
    return Failure(
        500,
        CoreErrorCode.SERVER_ERROR,
        _("Something went wrong on our side. It has been logged; please try again."),
    )


def retry_headers(failure: Failure) -> dict[str, str]:
    return {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
