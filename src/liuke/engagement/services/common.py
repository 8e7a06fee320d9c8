"""What every engagement write shares: the customer in the actor's scope, cleaned text,
choices, moments and durations from input, the callback delays."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.core.errors import CoreErrorCode, ErrorCode, NotFound, ServiceError
from liuke.core.text import clean_text
from liuke.customers.models import Customer
from liuke.engagement.choices import Outcome
from liuke.engagement.errors import EngagementErrorCode
from liuke.engagement.models import ContactReason

#: How soon an open contact must be called back, by outcome (a complaint first).
CALLBACK_AFTER = {
    Outcome.COMPLAINT: dt.timedelta(hours=1),
    Outcome.NO_ANSWER: dt.timedelta(hours=2),
    Outcome.CALLBACK: dt.timedelta(hours=4),
}
MAX_SECONDS = 24 * 3600


def _customer(actor: User, customer_id: Any) -> Customer:
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such customer.")) from None
    customer = policy.scope_customers(actor, Customer.objects.all()).filter(pk=pk).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def _text(value: Any, field: str, limit: int) -> str:
    """Clean typed text; a refusal becomes a ServiceError naming the field."""
    try:
        return clean_text(
            value if isinstance(value, str) else str(value or ""),
            max_length=limit,
            field=field,
            multiline=True,
        )
    except ValidationError as exc:
        raise ServiceError(
            exc.code or CoreErrorCode.INVALID_TEXT, exc.messages[0], fields={field: exc.messages}
        ) from None


def _choice(value: Any, choices: Any, code: ErrorCode, field: str) -> str:
    if value not in choices.values:
        message = _("Choose one of the listed values.")
        raise ServiceError(code, message, fields={field: [message]})
    return str(value)


def _moment(value: Any, field: str) -> dt.datetime | None:
    """An aware datetime between 2000 and 2100 (a naive one is read in the current time zone)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        message = _("Enter a date and time.")
        raise ServiceError(EngagementErrorCode.INVALID_DATETIME, message, fields={field: [message]})
    moment: dt.datetime = timezone.make_aware(value) if timezone.is_naive(value) else value
    if (
        not dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        <= moment
        <= dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    ):
        message = _("Enter a date between 2000 and 2100.")
        raise ServiceError(EngagementErrorCode.INVALID_DATETIME, message, fields={field: [message]})
    return moment


def _seconds(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SECONDS:
        message = _("A whole number of seconds, 0 to 86400.")
        raise ServiceError(EngagementErrorCode.INVALID_DURATION, message, fields={field: [message]})
    return value


def _active_reason(business_id: int, reason_id: Any) -> ContactReason:
    """One of the business's active contact reasons, or a ServiceError on `reason_id`."""
    reason = None
    with contextlib.suppress(TypeError, ValueError):
        reason = ContactReason.objects.filter(
            pk=int(reason_id), business_id=business_id, is_active=True
        ).first()
    if reason is None:
        message = _("Choose a reason for the contact.")
        raise ServiceError(
            EngagementErrorCode.INVALID_REASON, message, fields={"reason_id": [message]}
        )
    return reason
