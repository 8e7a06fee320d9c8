"""What every feedback write shares: cleaned text, ids from input, the public page's
audit label, a branch in the actor's scope."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.text import clean_text
from liuke.feedback.errors import FeedbackErrorCode


def _text(value: Any, field: str, limit: int, *, multiline: bool = True) -> str:
    try:
        return clean_text(
            value if isinstance(value, str) else str(value or ""),
            max_length=limit,
            field=field,
            multiline=multiline,
        )
    except ValidationError as exc:
        raise ServiceError(
            exc.code or CoreErrorCode.INVALID_TEXT, exc.messages[0], fields={field: exc.messages}
        ) from None


def _required(value: Any, field: str, limit: int, *, multiline: bool = True) -> str:
    text = _text(value, field, limit, multiline=multiline)
    if not text:
        message = _("This field is required.")
        raise ServiceError(CoreErrorCode.REQUIRED, message, fields={field: [message]})
    return text


def _id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def _public(business_id: int, page: str) -> Any:
    """The 'actor' of an audit entry written by a public page."""
    return SimpleNamespace(business_id=business_id, pk=None, username=f"public:{page}")


def _branch(actor: User, branch_id: Any) -> Branch:
    pk = _id(branch_id)
    branch = (
        policy.scope_branches(actor, Branch.objects.all()).filter(pk=pk).first() if pk else None
    )
    if branch is None:
        message = _("Choose one of your branches.")
        raise ServiceError(
            FeedbackErrorCode.INVALID_BRANCH, message, fields={"branch_id": [message]}
        )
    return branch
