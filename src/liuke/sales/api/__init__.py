"""Sales over HTTP: the catalogue, checkout, visits and refunds, stored-value cards, treatment
packages, stock and the daily close. Thin: parse, call a service or selector, shape the answer.

Every amount is an integer number of fen. Every write that moves money or appends to a ledger
is declared `@money_write` (liuke.core.idempotency): it honours an `Idempotency-Key` header, so
the same request sent again (a retry, a double tap, twenty at once) does the work once and every
sender gets the first answer.

The routes are here, in the package itself, so that their OpenAPI operation ids
(`liuke_sales_api_<name>`) stay what clients know; the bodies are in `api.schemas`, the shaping
in `api.shaping`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from liuke.accounts import policy
from liuke.accounts.api import StaffOut
from liuke.accounts.http import api_actor
from liuke.accounts.models import Branch, User
from liuke.core.api import ERRORS, READ_ERRORS, ErrorOut
from liuke.core.errors import NotFound, PermissionDenied
from liuke.core.idempotency import money_write
from liuke.customers.models import Customer
from liuke.sales import selectors, services
from liuke.sales.api.schemas import (
    CardIssueIn,
    CardOut,
    CardRefundIn,
    CardRefundOut,
    CatalogueQuery,
    DailyCloseOut,
    DailyCloseQuery,
    DeductIn,
    ExchangeIn,
    ExchangeOut,
    PackageExtendIn,
    PackageOut,
    PackageSellIn,
    PerformersQuery,
    ProductOut,
    QuoteOut,
    RefundIn,
    RefundOut,
    SalesSummaryOut,
    ServiceOut,
    StockIn,
    StockOut,
    TopupIn,
    VisitOut,
)
from liuke.sales.api.shaping import (
    card_out,
    card_summary,
    package_out,
    package_summary,
    quote_line_out,
    refund_out,
    visit_out,
)
from liuke.sales.capabilities import SalesCap
from liuke.sales.commission_selectors import CommissionDay
from liuke.sales.schemas import (
    CheckoutIn,
    Id,
    QuoteIn,
    in_range,
)

router = Router(tags=["sales"])


#: Writes that may meet an empty card, a used-up package or an empty shelf.
MONEY_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}


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
    "/catalogue/services/{service_id}/performers",
    response={200: list[StaffOut], **READ_ERRORS},
    summary="Who may perform a service at a branch (the till's staff list for a line)",
)
def catalogue_performers(
    request: HttpRequest, service_id: Id, query: Query[PerformersQuery]
) -> list[StaffOut]:
    performers = selectors.performers_for(
        actor=api_actor(request), branch_id=query.branch_id, service_id=service_id
    )
    return [
        StaffOut(id=u.pk, username=u.username, display_name=str(u), role=u.role) for u in performers
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
        "lines": [quote_line_out(line) for line in quote.lines],
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
@money_write
def visit_checkout(request: HttpRequest, payload: CheckoutIn) -> dict[str, Any]:
    actor = api_actor(request)
    visit = services.checkout(actor=actor, data=payload.service_data())
    return visit_out(actor, selectors.visit_get(actor=actor, visit_id=visit.pk))


@router.get("/visits/{visit_id}", response={200: VisitOut, **READ_ERRORS}, summary="A visit")
def visit_detail(request: HttpRequest, visit_id: Id) -> dict[str, Any]:
    actor = api_actor(request)
    return visit_out(actor, selectors.visit_get(actor=actor, visit_id=visit_id))


@router.post(
    "/visits/{visit_id}/refunds",
    response={201: RefundOut, **MONEY_ERRORS},
    summary="Refund a visit or one of its lines (honours Idempotency-Key)",
)
@money_write
def visit_refund(request: HttpRequest, visit_id: Id, payload: RefundIn) -> dict[str, Any]:
    refund = services.visit_refund(
        actor=api_actor(request),
        visit_id=visit_id,
        line_id=payload.line_id,
        reason=payload.reason,
        note=payload.note,
    )
    return refund_out(refund)


@router.post(
    "/visits/{visit_id}/exchanges",
    response={201: ExchangeOut, **MONEY_ERRORS},
    summary="Exchange a line of a visit for other services or products (honours Idempotency-Key)",
)
@money_write
def visit_exchange(request: HttpRequest, visit_id: Id, payload: ExchangeIn) -> dict[str, Any]:
    actor = api_actor(request)
    data = payload.dict()
    data["lines"] = [line.dict() for line in payload.lines]
    data["payments"] = [p.dict() for p in payload.payments]
    line_id = data.pop("line_id")
    refund, visit = services.visit_exchange(
        actor=actor, visit_id=visit_id, line_id=line_id, data=data
    )
    return {
        "refund": refund_out(refund),
        "visit": visit_out(actor, selectors.visit_get(actor=actor, visit_id=visit.pk)),
    }


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
        "cards": [card_summary(c) for c in summary.cards],
        "packages": [package_summary(p) for p in summary.packages],
    }


# --- stored-value cards -------------------------------------------------------------------------


@router.post("/cards", response={201: CardOut, **ERRORS}, summary="Issue a stored-value card")
@money_write
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
    return Status(201, card_out(actor, card.pk))


@router.get(
    "/cards/{card_id}",
    response={200: CardOut, **READ_ERRORS},
    summary="A card with its balance and latest entries",
)
def card_detail(request: HttpRequest, card_id: Id) -> dict[str, Any]:
    return card_out(api_actor(request), card_id)


@router.post(
    "/cards/{card_id}/topups",
    response={200: CardOut, **MONEY_ERRORS},
    summary="Top up a card with the bonus rule; confirm above ¥5,000 (honours Idempotency-Key)",
)
@money_write
def card_topup(request: HttpRequest, card_id: Id, payload: TopupIn) -> dict[str, Any]:
    actor = api_actor(request)
    services.topup_confirmation_check(payload.amount_fen, confirmed=payload.confirm)
    services.card_topup(
        actor=actor, card_id=card_id, amount_fen=payload.amount_fen, method=payload.method
    )
    return card_out(actor, card_id)


@router.post(
    "/cards/{card_id}/deductions",
    response={200: CardOut, **MONEY_ERRORS},
    summary="Charge a card directly (honours Idempotency-Key)",
)
@money_write
def card_deduct(request: HttpRequest, card_id: Id, payload: DeductIn) -> dict[str, Any]:
    actor = api_actor(request)
    services.card_deduct(
        actor=actor, card_id=card_id, amount_fen=payload.amount_fen, note=payload.note
    )
    return card_out(actor, card_id)


@router.post(
    "/cards/{card_id}/refund",
    response={200: CardRefundOut, **MONEY_ERRORS},
    summary="Close a card and pay back its unused paid part",
)
@money_write
def card_refund(request: HttpRequest, card_id: Id, payload: CardRefundIn) -> dict[str, Any]:
    actor = api_actor(request)
    refunded = services.card_refund(
        actor=actor, card_id=card_id, method=payload.method, note=payload.note
    )
    return {"refunded_fen": refunded, "card": card_out(actor, card_id)}


# --- packages -----------------------------------------------------------------------------------


@router.post(
    "/packages",
    response={201: PackageOut, **ERRORS},
    summary="Sell a package from a template (honours Idempotency-Key)",
)
@money_write
def package_sell(request: HttpRequest, payload: PackageSellIn) -> Status[Any]:
    actor = api_actor(request)
    in_range(payload.expires_on, "expires_on")

    package = services.package_sell(actor=actor, **payload.model_dump())
    return Status(201, package_out(actor, package.pk))


@router.get(
    "/packages/{package_id}",
    response={200: PackageOut, **READ_ERRORS},
    summary="A package with its sessions left and ledger",
)
def package_detail(request: HttpRequest, package_id: Id) -> dict[str, Any]:
    return package_out(api_actor(request), package_id)


@router.post(
    "/packages/{package_id}/extend",
    response={200: PackageOut, **MONEY_ERRORS},
    summary="Extend a package's expiry (managers, with a reason)",
)
@money_write
def package_extend(
    request: HttpRequest, package_id: Id, payload: PackageExtendIn
) -> dict[str, Any]:
    actor = api_actor(request)
    in_range(payload.expires_on, "expires_on")
    services.package_extend(
        actor=actor, package_id=package_id, expires_on=payload.expires_on, reason=payload.reason
    )
    return package_out(actor, package_id)


# --- stock and the daily close ------------------------------------------------------------------


@router.post(
    "/stock/receipts",
    response={200: StockOut, **MONEY_ERRORS},
    summary="Goods received (a negative quantity corrects a count)",
)
@money_write
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
        "commission_by_staff": [
            {"staff": name, "commission_fen": amount}
            for _pk, name, amount in (close.commissions or CommissionDay()).by_staff
        ],
        "commission_fen": (close.commissions or CommissionDay()).total_fen,
    }
