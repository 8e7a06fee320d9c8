"""The sales API's request and response bodies (the inputs the pages share are in
`sales.schemas`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from liuke.core.api import JsonObjectIn
from liuke.core.inputs import Choice, Day
from liuke.core.money import Fen, FenOrZero, MoneyOut
from liuke.sales.choices import RefundReason
from liuke.sales.schemas import (
    MAX_LINES,
    MAX_PAYMENTS,
    Id,
    LineIn,
    PaymentIn,
)

MoneyMethod = Literal["cash", "bank_card", "wechat", "alipay"]


class ServiceOut(Schema):
    id: int
    category: str
    name: str
    duration_min: int
    price_fen: int
    performer_roles: list[str]


class ProductOut(Schema):
    id: int
    name: str
    sku: str
    price_fen: int
    stock: int | None


class CatalogueQuery(Schema):
    branch_id: Id | None = None


class PerformersQuery(Schema):
    branch_id: Id


class QuoteLineOut(Schema):
    kind: str
    service_id: int | None
    product_id: int | None
    staff_id: int | None
    quantity: int
    unit_price_fen: MoneyOut
    amount_fen: MoneyOut
    package_id: int | None
    package_value_fen: MoneyOut


class QuoteOut(Schema):
    customer_id: int
    branch_id: int
    member_card_id: int | None
    lines: list[QuoteLineOut]
    subtotal_fen: int
    discount_fen: int
    discount_reason: str
    total_fen: int


class VisitLineOut(QuoteLineOut):
    id: int
    refunded_quantity: int
    refunded_fen: MoneyOut


class PaymentOut(Schema):
    id: int
    purpose: str
    method: str
    amount_fen: MoneyOut
    card_id: int | None
    #: The card as the till and the customer name it (its id is only for links).
    card_number: str | None
    created_at: dt.datetime


class RefundOut(Schema):
    id: int
    visit_id: int
    line_id: int | None
    amount_fen: MoneyOut
    reason: str
    note: str
    created_at: dt.datetime
    exchange_visit_id: int | None = None


class ExchangeIn(JsonObjectIn):
    """Exchange one line of a visit for new lines, paid in full by `payments`."""

    line_id: Id
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    payments: Annotated[list[PaymentIn], Field(max_length=MAX_PAYMENTS)] = []
    member_card_id: Id | None = None
    note: Annotated[str, Field(max_length=400)] = ""


class VisitOut(Schema):
    id: int
    customer_id: int
    branch_id: int
    visited_at: dt.datetime
    status: str
    subtotal_fen: MoneyOut
    discount_fen: MoneyOut
    discount_reason: str
    total_fen: MoneyOut
    note: str
    served_by_id: int | None
    next_visit_at: dt.datetime | None
    lines: list[VisitLineOut]
    payments: list[PaymentOut]
    refunds: list[RefundOut]


class RefundIn(JsonObjectIn):
    line_id: Id | None = None
    reason: Choice[RefundReason]
    note: Annotated[str, Field(max_length=500)] = ""


class CardEntryOut(Schema):
    seq: int
    kind: str
    paid_delta_fen: int
    bonus_delta_fen: int
    paid_after_fen: int
    bonus_after_fen: int
    visit_id: int | None
    staff_id: int | None
    note: str
    created_at: dt.datetime


class CardSummaryOut(Schema):
    id: int
    number: str
    customer_id: int
    branch_id: int
    tier_id: int | None
    tier: str | None
    discount_pct: int
    expires_on: dt.date | None
    status: str
    paid_fen: int
    bonus_fen: int
    balance_fen: int


class CardOut(CardSummaryOut):
    entries: list[CardEntryOut]


class CardIssueIn(JsonObjectIn):
    customer_id: Id
    branch_id: Id
    number: Annotated[str, Field(min_length=1, max_length=30)]
    tier_id: Id | None = None
    expires_on: Day | None = None


class TopupIn(JsonObjectIn):
    amount_fen: Fen
    method: MoneyMethod
    #: Required (true) above ¥5,000, as the till's page asks (`topup_confirmation_required`).
    confirm: bool = False


class DeductIn(JsonObjectIn):
    amount_fen: Fen
    note: Annotated[str, Field(max_length=200)] = ""


class CardRefundIn(JsonObjectIn):
    method: MoneyMethod
    note: Annotated[str, Field(max_length=200)] = ""


class CardRefundOut(Schema):
    refunded_fen: int
    card: CardOut


class PackageEntryOut(Schema):
    seq: int
    kind: str
    sessions_delta: int
    sessions_after: int
    line_id: int | None
    staff_id: int | None
    note: str
    created_at: dt.datetime


class PackageSummaryOut(Schema):
    id: int
    name: str
    customer_id: int
    branch_id: int
    service_ids: list[int]
    sessions_total: int
    remaining: int
    price_fen: MoneyOut
    expires_on: dt.date | None
    expired: bool


class PackageOut(PackageSummaryOut):
    template_id: int | None = None
    price_reason: str = ""
    entries: list[PackageEntryOut]


class PackageSellIn(JsonObjectIn):
    """A sale from a template (`template_id`: its sessions, services, price and validity; a
    manager may send another `price_fen` with a `price_reason`), or, by a manager, a package
    made up at the till (`name`, `service_ids`, `sessions`, `price_fen`)."""

    customer_id: Id
    branch_id: Id
    method: MoneyMethod
    template_id: Id | None = None
    price_fen: FenOrZero | None = None
    price_reason: Annotated[str, Field(max_length=200)] = ""
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    service_ids: Annotated[list[Id], Field(max_length=50)] = []
    sessions: Annotated[int, Field(ge=1, le=500)] | None = None
    expires_on: Day | None = None


class PackageExtendIn(JsonObjectIn):
    expires_on: Day
    reason: Annotated[str, Field(min_length=1, max_length=150)]


class StockIn(JsonObjectIn):
    product_id: Id
    branch_id: Id
    quantity: Annotated[int, Field(ge=-100_000, le=100_000)]
    note: Annotated[str, Field(max_length=200)] = ""


class StockOut(Schema):
    product_id: int
    branch_id: int
    stock: int


class SalesSummaryOut(Schema):
    customer_id: int
    visits: int
    spend_fen: int
    spend_12m_fen: int
    last_visit: dt.datetime | None
    next_visit: dt.datetime | None
    stored_value_fen: int
    cards: list[CardSummaryOut]
    packages: list[PackageSummaryOut]


class StaffRevenueOut(Schema):
    staff: str
    revenue_fen: int


class StaffCommissionOut(Schema):
    staff: str
    commission_fen: int


class DailyCloseQuery(Schema):
    branch_id: Id
    day: dt.date


class DailyCloseOut(Schema):
    branch_id: int
    day: dt.date
    money_by_method: dict[str, int]
    money_by_purpose: dict[str, int]
    money_total_fen: int
    stored_value_used_fen: int
    package_sessions_used: int
    package_value_used_fen: int
    revenue_by_staff: list[StaffRevenueOut]
    visits: int
    discounts_fen: int
    refunds: int
    refunds_fen: int
    refunds_by_reason: dict[str, int]
    stored_value_paid_liability_fen: int
    stored_value_bonus_outstanding_fen: int
    package_liability_fen: int
    package_sessions_outstanding: int
    #: Commissions written that day at the branch (the monthly statements add up to these).
    commission_by_staff: list[StaffCommissionOut] = []
    commission_fen: int = 0


class ExchangeOut(Schema):
    refund: RefundOut
    visit: VisitOut
