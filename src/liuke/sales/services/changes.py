"""What the menu's set-up writes share: the checks of a price, a percentage and a name, and the
audit entry of a change with each field's value before and after it."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.money import MoneyError, validate_fen
from liuke.core.text import clean_text
from liuke.sales.errors import SalesErrorCode

#: An audit entry's field text holds at most this many characters.
_FIELD_MAX = 100


def price(value: Any, field: str) -> int:
    """A price in fen: zero (a free service) or more; below zero is refused in those words."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise MoneyError(_("A price cannot be below zero."), field=field)
    return validate_fen(value, field=field, allow_zero=True)


def whole(value: Any, field: str, low: int, high: int, code: str, message: str) -> int:
    """A whole number from `low` to `high`, or a refusal with `code` bound to `field`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ServiceError(code, message, fields={field: [message]})
    return value


def percent(value: Any, field: str, low: int = 0) -> int:
    """A member price as a percentage of list: `low` to 100 (never above: no surcharge)."""
    message = _("Enter a percentage from %(low)d to 100.") % {"low": low}
    return whole(value, field, low, 100, SalesErrorCode.INVALID_PERCENT, message)


def name(value: Any, field: str, max_length: int) -> str:
    text = clean_text(value if isinstance(value, str) else "", max_length=max_length, field=field)
    if not text:
        raise ValidationError(
            {field: [ValidationError(_("This field is required."), code=CoreErrorCode.REQUIRED)]}
        )
    return text


def taken(qs: QuerySet[Any], pk: int | None) -> bool:
    """Whether another row than `pk` (None: a new one) matches: a name already in use."""
    return (qs if pk is None else qs.exclude(pk=pk)).exists()


def duplicate(field: str = "name") -> ServiceError:
    message = _("This name is already in use.") if field == "name" else _("Already in use.")
    return ServiceError(SalesErrorCode.DUPLICATE_NAME, message, fields={field: [message]})


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter: 31 Jan + 1 →
    28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(v) for v in sorted(value, key=str)) or "—"
    return str(value)


def apply(obj: Model, values: Mapping[str, Any]) -> list[str]:
    """Set `values` on `obj` and return "field: before → after" for each that changed."""
    changed = []
    for key, value in values.items():
        old = getattr(obj, key)
        if old != value:
            changed.append(change(key, old, value))
            setattr(obj, key, value)
    return changed


def change(key: str, before: Any, after: Any) -> str:
    return f"{key}: {_show(before)} → {_show(after)}"


def audit_change(
    actor: User, *, entity: str, pk: int, changes: Iterable[str], created: bool = False
) -> None:
    """One audit event for a change of one item of the menu, naming the item and each field's
    value before and after (`— → value` for a new item). Nothing changed: nothing recorded."""
    lines = list(changes)
    if not lines and not created:
        return
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        fields=[f"{entity}:{pk}", *(line[:_FIELD_MAX] for line in lines)],
    )
