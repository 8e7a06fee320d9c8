"""Who acts in a complaints write, and the small input helpers every write shares.

Automated paths (the feedback app routing a detractor, an import) have no person logged in:
they pass `system_actor(business_id=…, label="feedback")` as the actor. It is an in-memory
stand-in, never a row in the staff table: it acts for the whole business (every branch), holds
no password, session or token so nothing can reach it over HTTP, and the audit log records it
with no actor id and the label `system:<label>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import User
from liuke.accounts.selectors import senior_for as senior_for  # used by every complaints write
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.core.errors import CoreErrorCode, ErrorCode, ServiceError
from liuke.core.text import clean_text


@dataclass(frozen=True)
class SystemActor:
    """The actor of an automated path (see the module docstring). Acts for every branch of
    one business with the owner's capabilities, and only in-process."""

    business_id: int
    label: str = "system"
    role: str = Role.OWNER
    is_authenticated: bool = True
    is_active: bool = True
    pk: None = None
    id: None = None

    @property
    def username(self) -> str:
        return f"system:{self.label}"

    def __str__(self) -> str:
        return self.username


def system_actor(*, business_id: int, label: str = "system") -> SystemActor:
    return SystemActor(
        business_id=int(business_id), label=clean_text(label, max_length=30, field="label")
    )


Actor = User | SystemActor


def _person(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _pk(value: Any) -> int:
    """An id from input; 0 (which matches no row) for anything that is not one."""
    if isinstance(value, bool):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**62 else 0


def _text(value: Any, field_name: str, limit: int) -> str:
    try:
        return clean_text(
            value if isinstance(value, str) else str(value or ""),
            max_length=limit,
            field=field_name,
            multiline=True,
        )
    except ValidationError as exc:
        raise ServiceError(
            exc.code or CoreErrorCode.INVALID_TEXT,
            exc.messages[0],
            fields={field_name: exc.messages},
        ) from None


def _invalid(code: ErrorCode, field_name: str, message: str) -> ServiceError:
    return ServiceError(code, message, fields={field_name: [message]})


def _choice(value: Any, choices: Any, code: ErrorCode, field_name: str) -> str:
    if value not in choices.values:
        raise _invalid(code, field_name, _("Choose one of the listed values."))
    return str(value)


# --- people ----------------------------------------------------------------------------------


def _staff_member(actor: Actor, staff_id: Any, field_name: str) -> User | None:
    if staff_id in (None, ""):
        return None
    found = User.objects.filter(
        pk=_pk(staff_id), business_id=policy.business_of(actor), is_active=True
    ).first()
    if found is None:
        raise _invalid(
            ComplaintsErrorCode.INVALID_STAFF, field_name, _("Choose a member of staff.")
        )
    return found
