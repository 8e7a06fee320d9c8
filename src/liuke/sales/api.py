"""Sales over HTTP: the catalogue, checkout, visits and refunds, stored-value cards, treatment
packages, stock and the daily close. Thin: parse, call a service or selector, shape the answer.

Every amount is an integer number of fen. Writes that move money (checkout, refunds, top-ups,
deductions) accept an `Idempotency-Key` header: the same request sent again (a retry, a double
tap, twenty at once) does the work once and every sender gets the first answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from liuke.accounts import policy
from liuke.accounts.http import api_actor
from liuke.accounts.models import Branch, User
from liuke.core.api import ERRORS, READ_ERRORS, ErrorOut, JsonObjectIn
from liuke.core.errors import NotFound, PermissionDenied
from liuke.core.idempotency import run_idempotent
from liuke.core.money import Fen, FenOrZero
from liuke.customers.models import Customer
from liuke.sales import selectors, services
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import RefundReason
from liuke.sales.models import CardEntry, PackageEntry, Refund, Visit
from liuke.sales.schemas import (
    MAX_LINES,
    MAX_PAYMENTS,
    CheckoutIn,
    Id,
    LineIn,
    PaymentIn,
    QuoteIn,
    in_range,
)

router = Router(tags=["sales"])


MoneyMethod = Literal["cash", "bank_card", "wechat", "alipay"]

#: Writes that may meet an empty card, a used-up package or an empty shelf.
MONEY_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}

# --- schemas ------------------------------------------------------------------------------------


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


class QuoteLineOut(Schema):
    kind: str
    service_id: int | None
    product_id: int | None
    staff_id: int | None
    quantity: int
    unit_price_fen: int
    amount_fen: int
    package_id: int | None
    package_value_fen: int


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
    refunded_fen: int


class PaymentOut(Schema):
    id: int
    purpose: str
    method: str
    amount_fen: int
    card_id: int | None
    created_at: dt.datetime


class RefundOut(Schema):
    id: int
    visit_id: int
    line_id: int | None
    amount_fen: int
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
    subtotal_fen: int
    discount_fen: int
    discount_reason: str
    total_fen: int
    note: str
    served_by_id: int | None
    next_visit_at: dt.datetime | None
    lines: list[VisitLineOut]
    payments: list[PaymentOut]
    refunds: list[RefundOut]


class RefundIn(JsonObjectIn):
    line_id: Id | None = None
    reason: RefundReason
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
    expires_on: dt.date | None = None


class TopupIn(JsonObjectIn):
    amount_fen: Fen
    method: MoneyMethod


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
    price_fen: int
    expires_on: dt.date | None
    expired: bool


class PackageOut(PackageSummaryOut):
    entries: list[PackageEntryOut]


class PackageSellIn(JsonObjectIn):
    customer_id: Id
    branch_id: Id
    name: Annotated[str, Field(min_length=1, max_length=100)]
    service_ids: Annotated[list[Id], Field(min_length=1, max_length=50)]
    sessions: Annotated[int, Field(ge=1, le=500)]
    price_fen: FenOrZero
    method: MoneyMethod
    expires_on: dt.date | None = None


class PackageExtendIn(JsonObjectIn):
    expires_on: dt.date
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


# --- shaping ------------------------------------------------------------------------------------


def _quote_line(line: Any) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "service_id": line.item.pk if line.kind == "service" else None,
        "product_id": line.item.pk if line.kind == "product" else None,
        "staff_id": line.staff.pk if line.staff else None,
        "quantity": line.quantity,
        "unit_price_fen": line.unit_price_fen,
        "amount_fen": line.amount_fen,
        "package_id": line.package.pk if line.package else None,
        "package_value_fen": line.package_value_fen,
    }


def _refund_out(r: Refund) -> dict[str, Any]:
    return {
        "id": r.pk,
        "visit_id": r.visit_id,
        "line_id": r.line_id,
        "amount_fen": r.amount_fen,
        "reason": r.reason,
        "note": r.note,
        "created_at": r.created_at,
        "exchange_visit_id": r.exchange_visit_id,
    }


def _visit_out(v: Visit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "customer_id": v.customer_id,
        "branch_id": v.branch_id,
        "visited_at": v.visited_at,
        "status": v.status,
        "subtotal_fen": v.subtotal_fen,
        "discount_fen": v.discount_fen,
        "discount_reason": v.discount_reason,
        "total_fen": v.total_fen,
        "note": v.note,
        "served_by_id": v.served_by_id,
        "next_visit_at": v.next_visit_at,
        "lines": [
            {
                "id": line.pk,
                "kind": line.kind,
                "service_id": line.service_id,
                "product_id": line.product_id,
                "staff_id": line.staff_id,
                "quantity": line.quantity,
                "unit_price_fen": line.unit_price_fen,
                "amount_fen": line.amount_fen,
                "package_id": line.package_id,
                "package_value_fen": line.package_value_fen,
                "refunded_quantity": line.refunded_quantity,
                "refunded_fen": line.refunded_fen,
            }
            for line in sorted(v.lines.all(), key=lambda x: x.pk)
        ],
        "payments": [
            {
                "id": p.pk,
                "purpose": p.purpose,
                "method": p.method,
                "amount_fen": p.amount_fen,
                "card_id": p.card_id,
                "created_at": p.created_at,
            }
            for p in sorted(v.payments.all(), key=lambda x: x.pk)
        ],
        "refunds": [_refund_out(r) for r in sorted(v.refunds.all(), key=lambda x: x.pk)],
    }


def _card_summary(view: selectors.CardView) -> dict[str, Any]:
    card = view.card
    return {
        "id": card.pk,
        "number": card.number,
        "customer_id": card.customer_id,
        "branch_id": card.branch_id,
        "tier_id": card.tier_id,
        "tier": card.tier.name if card.tier else None,
        "discount_pct": card.tier.discount_pct if card.tier else 100,
        "expires_on": card.expires_on,
        "status": card.status,
        "paid_fen": view.paid_fen,
        "bonus_fen": view.bonus_fen,
        "balance_fen": view.balance_fen,
    }


def _card_entry(e: CardEntry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "kind": e.kind,
        "paid_delta_fen": e.paid_delta_fen,
        "bonus_delta_fen": e.bonus_delta_fen,
        "paid_after_fen": e.paid_after_fen,
        "bonus_after_fen": e.bonus_after_fen,
        "visit_id": e.visit_id,
        "staff_id": e.staff_id,
        "note": e.note,
        "created_at": e.created_at,
    }


def _card_out(actor: User, card_id: int) -> dict[str, Any]:
    view, entries = selectors.card_get(actor=actor, card_id=card_id)
    return {**_card_summary(view), "entries": [_card_entry(e) for e in entries]}


def _package_summary(view: selectors.PackageView) -> dict[str, Any]:
    p = view.package
    return {
        "id": p.pk,
        "name": p.name,
        "customer_id": p.customer_id,
        "branch_id": p.branch_id,
        "service_ids": sorted(s.pk for s in p.services.all()),
        "sessions_total": p.sessions_total,
        "remaining": view.remaining,
        "price_fen": p.price_fen,
        "expires_on": p.expires_on,
        "expired": view.expired,
    }


def _package_entry(e: PackageEntry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "kind": e.kind,
        "sessions_delta": e.sessions_delta,
        "sessions_after": e.sessions_after,
        "line_id": e.line_id,
        "staff_id": e.staff_id,
        "note": e.note,
        "created_at": e.created_at,
    }


def _package_out(actor: User, package_id: int) -> dict[str, Any]:
    view, entries = selectors.package_get(actor=actor, package_id=package_id)
    return {**_package_summary(view), "entries": [_package_entry(e) for e in entries]}


def _branch(actor: User, branch_id: int | None) -> Branch | None:
    if branch_id is None:
        return None
    branch = policy.scope_branches(actor, Branch.objects.all()).filter(pk=branch_id).first()
    if branch is None:
        raise NotFound(_("No such branch."))
    return branch


# --- catalogue ----------------------------------------------------------------------------------


@router.get(
    "/catalogue/services",
    response={200: list[ServiceOut], **READ_ERRORS},
    summary="Active services, with the branch's own prices",
)
def catalogue_services(request: HttpRequest, query: Query[CatalogueQuery]) -> list[dict[str, Any]]:
    actor = api_actor(request)
    branch = _branch(actor, query.branch_id)
    return [
        {
            "id": s.pk,
            "category": s.category,
            "name": s.name,
            "duration_min": s.duration_min,
            "price_fen": s.price_fen,
            "performer_roles": list(s.performer_roles),
        }
        for s in selectors.services_for(actor=actor, branch=branch)
    ]


@router.get(
    "/catalogue/products",
    response={200: list[ProductOut], **READ_ERRORS},
    summary="Active products, with the branch's prices and stock on hand",
)
def catalogue_products(request: HttpRequest, query: Query[CatalogueQuery]) -> list[dict[str, Any]]:
    actor = api_actor(request)
    branch = _branch(actor, query.branch_id)
    return [
        {
            "id": p.pk,
            "name": p.name,
            "sku": p.sku,
            "price_fen": p.price_fen,
            "stock": getattr(p, "stock", None),
        }
        for p in selectors.products_for(actor=actor, branch=branch)
    ]


# --- checkout and visits ------------------------------------------------------------------------


@router.post(
    "/checkout/quote",
    response={200: QuoteOut, **MONEY_ERRORS},
    summary="Price a checkout without writing anything",
)
def checkout_quote(request: HttpRequest, payload: QuoteIn) -> dict[str, Any]:
    actor = api_actor(request)
    policy.require(actor, SalesCap.SALE_CHECKOUT)
    quote = services.checkout_quote(actor=actor, data=payload.service_data())
    return {
        "customer_id": quote.customer.pk,
        "branch_id": quote.branch.pk,
        "member_card_id": quote.member_card.pk if quote.member_card else None,
        "lines": [_quote_line(line) for line in quote.lines],
        "subtotal_fen": quote.subtotal_fen,
        "discount_fen": quote.discount_fen,
        "discount_reason": quote.discount_reason,
        "total_fen": quote.total_fen,
    }


@router.post(
    "/visits",
    response={201: VisitOut, **MONEY_ERRORS},
    summary="Check out a visit (honours Idempotency-Key)",
)
def visit_checkout(request: HttpRequest, payload: CheckoutIn) -> Status[Any]:
    actor = api_actor(request)
    data = payload.service_data()

    def work() -> tuple[int, Any]:
        visit = services.checkout(actor=actor, data=data)
        return 201, _visit_out(selectors.visit_get(actor=actor, visit_id=visit.pk))

    return Status(*run_idempotent(request, actor.pk, work))


@router.get("/visits/{visit_id}", response={200: VisitOut, **READ_ERRORS}, summary="A visit")
def visit_detail(request: HttpRequest, visit_id: Id) -> dict[str, Any]:
    return _visit_out(selectors.visit_get(actor=api_actor(request), visit_id=visit_id))


@router.post(
    "/visits/{visit_id}/refunds",
    response={201: RefundOut, **MONEY_ERRORS},
    summary="Refund a visit or one of its lines (honours Idempotency-Key)",
)
def visit_refund(request: HttpRequest, visit_id: Id, payload: RefundIn) -> Status[Any]:
    actor = api_actor(request)

    def work() -> tuple[int, Any]:
        refund = services.visit_refund(
            actor=actor,
            visit_id=visit_id,
            line_id=payload.line_id,
            reason=payload.reason,
            note=payload.note,
        )
        return 201, _refund_out(refund)

    return Status(*run_idempotent(request, actor.pk, work))


class ExchangeOut(Schema):
    refund: RefundOut
    visit: VisitOut


@router.post(
    "/visits/{visit_id}/exchanges",
    response={201: ExchangeOut, **MONEY_ERRORS},
    summary="Exchange a line of a visit for other services or products (honours Idempotency-Key)",
)
def visit_exchange(request: HttpRequest, visit_id: Id, payload: ExchangeIn) -> Status[Any]:
    actor = api_actor(request)
    data = payload.dict()
    data["lines"] = [line.dict() for line in payload.lines]
    data["payments"] = [p.dict() for p in payload.payments]
    line_id = data.pop("line_id")

    def work() -> tuple[int, Any]:
        refund, visit = services.visit_exchange(
            actor=actor, visit_id=visit_id, line_id=line_id, data=data
        )
        return 201, {
            "refund": _refund_out(refund),
            "visit": _visit_out(selectors.visit_get(actor=actor, visit_id=visit.pk)),
        }

    return Status(*run_idempotent(request, actor.pk, work))


@router.get(
    "/customers/{customer_id}/sales",
    response={200: SalesSummaryOut, **READ_ERRORS},
    summary="A customer's visits, spend, balances and packages",
)
def customer_sales(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    actor = api_actor(request)
    customer = policy.scope_customers(actor, Customer.objects.all()).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    summary = selectors.customer_sales_summary(actor=actor, customer=customer)
    if summary is None:
        raise PermissionDenied()
    return {
        "customer_id": customer.pk,
        "visits": summary.visits,
        "spend_fen": summary.spend_fen,
        "spend_12m_fen": summary.spend_12m_fen,
        "last_visit": summary.last_visit,
        "next_visit": summary.next_visit,
        "stored_value_fen": summary.stored_value_fen,
        "cards": [_card_summary(c) for c in summary.cards],
        "packages": [_package_summary(p) for p in summary.packages],
    }


# --- stored-value cards -------------------------------------------------------------------------


@router.post("/cards", response={201: CardOut, **ERRORS}, summary="Issue a stored-value card")
def card_issue(request: HttpRequest, payload: CardIssueIn) -> Status[Any]:
    actor = api_actor(request)
    in_range(payload.expires_on, "expires_on")
    card = services.card_issue(
        actor=actor,
        customer_id=payload.customer_id,
        branch_id=payload.branch_id,
        number=payload.number,
        tier_id=payload.tier_id,
        expires_on=payload.expires_on,
    )
    return Status(201, _card_out(actor, card.pk))


@router.get(
    "/cards/{card_id}",
    response={200: CardOut, **READ_ERRORS},
    summary="A card with its balance and latest entries",
)
def card_detail(request: HttpRequest, card_id: Id) -> dict[str, Any]:
    return _card_out(api_actor(request), card_id)


@router.post(
    "/cards/{card_id}/topups",
    response={200: CardOut, **MONEY_ERRORS},
    summary="Top up a card, with the bonus rule (honours Idempotency-Key)",
)
def card_topup(request: HttpRequest, card_id: Id, payload: TopupIn) -> Status[Any]:
    actor = api_actor(request)

    def work() -> tuple[int, Any]:
        services.card_topup(
            actor=actor, card_id=card_id, amount_fen=payload.amount_fen, method=payload.method
        )
        return 200, _card_out(actor, card_id)

    return Status(*run_idempotent(request, actor.pk, work))


@router.post(
    "/cards/{card_id}/deductions",
    response={200: CardOut, **MONEY_ERRORS},
    summary="Charge a card directly (honours Idempotency-Key)",
)
def card_deduct(request: HttpRequest, card_id: Id, payload: DeductIn) -> Status[Any]:
    actor = api_actor(request)

    def work() -> tuple[int, Any]:
        services.card_deduct(
            actor=actor, card_id=card_id, amount_fen=payload.amount_fen, note=payload.note
        )
        return 200, _card_out(actor, card_id)

    return Status(*run_idempotent(request, actor.pk, work))


@router.post(
    "/cards/{card_id}/refund",
    response={200: CardRefundOut, **MONEY_ERRORS},
    summary="Close a card and pay back its unused paid part",
)
def card_refund(request: HttpRequest, card_id: Id, payload: CardRefundIn) -> dict[str, Any]:
    actor = api_actor(request)
    refunded = services.card_refund(
        actor=actor, card_id=card_id, method=payload.method, note=payload.note
    )
    return {"refunded_fen": refunded, "card": _card_out(actor, card_id)}


# --- packages -----------------------------------------------------------------------------------


@router.post("/packages", response={201: PackageOut, **ERRORS}, summary="Sell a package")
def package_sell(request: HttpRequest, payload: PackageSellIn) -> Status[Any]:
    actor = api_actor(request)
    in_range(payload.expires_on, "expires_on")
    package = services.package_sell(
        actor=actor,
        customer_id=payload.customer_id,
        branch_id=payload.branch_id,
        name=payload.name,
        service_ids=payload.service_ids,
        sessions=payload.sessions,
        price_fen=payload.price_fen,
        method=payload.method,
        expires_on=payload.expires_on,
    )
    return Status(201, _package_out(actor, package.pk))


@router.get(
    "/packages/{package_id}",
    response={200: PackageOut, **READ_ERRORS},
    summary="A package with its sessions left and ledger",
)
def package_detail(request: HttpRequest, package_id: Id) -> dict[str, Any]:
    return _package_out(api_actor(request), package_id)


@router.post(
    "/packages/{package_id}/extend",
    response={200: PackageOut, **MONEY_ERRORS},
    summary="Extend a package's expiry (managers, with a reason)",
)
def package_extend(
    request: HttpRequest, package_id: Id, payload: PackageExtendIn
) -> dict[str, Any]:
    actor = api_actor(request)
    in_range(payload.expires_on, "expires_on")
    services.package_extend(
        actor=actor, package_id=package_id, expires_on=payload.expires_on, reason=payload.reason
    )
    return _package_out(actor, package_id)


# --- stock and the daily close ------------------------------------------------------------------


@router.post(
    "/stock/receipts",
    response={200: StockOut, **MONEY_ERRORS},
    summary="Goods received (a negative quantity corrects a count)",
)
def stock_receive(request: HttpRequest, payload: StockIn) -> dict[str, Any]:
    stock = services.stock_receive(
        actor=api_actor(request),
        product_id=payload.product_id,
        branch_id=payload.branch_id,
        quantity=payload.quantity,
        note=payload.note,
    )
    return {"product_id": payload.product_id, "branch_id": payload.branch_id, "stock": stock}


@router.get(
    "/daily-close",
    response={200: DailyCloseOut, **READ_ERRORS, 400: ErrorOut},
    summary="A branch's day: money by method, revenue by staff, refunds, liabilities",
)
def daily_close(request: HttpRequest, query: Query[DailyCloseQuery]) -> dict[str, Any]:
    in_range(query.day, "day")
    close = selectors.daily_close(
        actor=api_actor(request), branch_id=query.branch_id, day=query.day
    )
    return {
        "branch_id": close.branch.pk,
        "day": close.day,
        "money_by_method": close.money_by_method,
        "money_by_purpose": close.money_by_purpose,
        "money_total_fen": close.money_total_fen,
        "stored_value_used_fen": close.stored_value_used_fen,
        "package_sessions_used": close.package_sessions_used,
        "package_value_used_fen": close.package_value_used_fen,
        "revenue_by_staff": [
            {"staff": name, "revenue_fen": amount} for name, amount in close.revenue_by_staff
        ],
        "visits": close.visits,
        "discounts_fen": close.discounts_fen,
        "refunds": close.refunds,
        "refunds_fen": close.refunds_fen,
        "refunds_by_reason": close.refunds_by_reason,
        "stored_value_paid_liability_fen": close.stored_value_paid_liability_fen,
        "stored_value_bonus_outstanding_fen": close.stored_value_bonus_outstanding_fen,
        "package_liability_fen": close.package_liability_fen,
        "package_sessions_outstanding": close.package_sessions_outstanding,
    }
