"""Typed inputs of a checkout, shared by the API (request bodies) and the checkout page (which
decodes its rows of lines and payments into the same model: `sales.forms.CheckoutPost`).

The model checks the shape (ids, quantities, amounts in fen, lengths); the services decide the
rest (prices, balances, stock, who may sell what).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field

from liuke.core.api import JsonObjectIn
from liuke.core.errors import ServiceError
from liuke.core.inputs import Choice, Moment, PlannedMoment
from liuke.core.money import Fen, FenOrZero
from liuke.sales.choices import PaymentMethod
from liuke.sales.errors import SalesErrorCode

#: A row id typed in: positive and within a 63-bit column.
Id = Annotated[int, Field(ge=1, le=2**62)]

#: A checkout's limits (the services check them again for callers that pass a mapping).
MAX_LINES = 50
MAX_PAYMENTS = 10
MAX_QUANTITY = 99
DISCOUNT_REASON_MAX = 200
NOTE_MAX = 500

_EARLIEST = dt.date(2000, 1, 1)
_LATEST = dt.date(2100, 12, 31)


def in_range(value: dt.date | dt.datetime | None, field: str) -> None:
    """Dates a salon can mean (2000–2100); anything else is refused with a 400 rather than
    overflowing a time-zone conversion."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not _EARLIEST <= day <= _LATEST:
        raise ServiceError(
            SalesErrorCode.INVALID_DATE,
            _("Enter a date between 2000 and 2100."),
            fields={field: [_("Enter a date between 2000 and 2100.")]},
        )


class SplitIn(JsonObjectIn):
    """One staff member's share of a line's commission (the shares add up to 100)."""

    staff_id: Id
    share_pct: Annotated[int, Field(ge=1, le=100)]


class LineIn(JsonObjectIn):
    service_id: Id | None = None
    product_id: Id | None = None
    staff_id: Id | None = None
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)] = 1
    package_id: Id | None = None
    #: The customer asked for this staff member (指定), not the next in rotation (轮牌).
    designated: bool = False
    #: Staff sharing the line's commission; none: all of it to `staff_id`.
    splits: Annotated[list[SplitIn], Field(max_length=5)] = []


class PaymentIn(JsonObjectIn):
    method: Choice[PaymentMethod]
    amount_fen: Fen
    card_id: Id | None = None


class QuoteIn(JsonObjectIn):
    customer_id: Id
    branch_id: Id
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    member_card_id: Id | None = None
    discount_fen: FenOrZero | None = None
    discount_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    discount_reason: Annotated[str, Field(max_length=DISCOUNT_REASON_MAX)] | None = None

    def service_data(self, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """What `services.checkout_quote`, `services.checkout` and `services.visit_exchange`
        take: plain values, times made aware in the current time zone."""
        data = self.model_dump()
        data["lines"] = [line.model_dump() for line in self.lines]
        if idempotency_key is not None:
            data["idempotency_key"] = idempotency_key
        return data


class RebookIn(JsonObjectIn):
    """The next visit booked at the checkout: a real appointment (the appointments app books
    it through its `checkout_hooks`, checked like any booking)."""

    service_id: Id
    staff_id: Id
    #: With an offset, or on the branch's clock without one.
    start_at: PlannedMoment


class CheckoutIn(QuoteIn):
    payments: Annotated[list[PaymentIn], Field(max_length=MAX_PAYMENTS)] = []
    visited_at: Moment | None = None
    next_visit_at: PlannedMoment | None = None
    note: Annotated[str, Field(max_length=NOTE_MAX)] | None = None
    #: The appointment this checkout completes (linked by the appointments app's hook).
    appointment_id: Id | None = None
    rebook: RebookIn | None = None

    def service_data(self, *, idempotency_key: str | None = None) -> dict[str, Any]:
        in_range(self.visited_at, "visited_at")
        in_range(self.next_visit_at, "next_visit_at")
        data = super().service_data(idempotency_key=idempotency_key)
        data["payments"] = [p.model_dump() for p in self.payments]
        if self.rebook is not None:
            in_range(self.rebook.start_at, "rebook")
        for name in ("visited_at", "next_visit_at"):
            when = data.get(name)
            if when is None:
                data.pop(name, None)
            elif timezone.is_naive(when):
                data[name] = timezone.make_aware(when)
        return data
