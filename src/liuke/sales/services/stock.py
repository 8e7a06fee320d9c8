"""Products, and their stock received, counted or corrected, through the stock ledger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_get, lock_one, retry_on_conflict
from liuke.core.text import clean_text
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    StockEntryKind,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    Product,
    Service,
    ServiceConsumable,
    VisitLine,
)
from liuke.sales.services import changes
from liuke.sales.services.lookups import (
    branch_for,
)
from liuke.sales.services.menu import category_get


@retry_on_conflict()
@transaction.atomic
def stock_receive(
    *, actor: User, product_id: int, branch_id: int, quantity: int, note: str = ""
) -> int:
    """Goods received (or a count correction when negative). Returns the stock after."""
    policy.require(actor, SalesCap.STOCK_MANAGE)
    branch = branch_for(actor, branch_id)
    product = lock_one(Product.objects.filter(business_id=policy.business_of(actor)), product_id)
    if product is None:
        raise NotFound(_("No such product."))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise ServiceError(SalesErrorCode.INVALID_QUANTITY, _("Enter a quantity other than zero."))
    kind = StockEntryKind.RECEIVE if quantity > 0 else StockEntryKind.ADJUST
    entry = ledger.stock_append(
        product,
        branch,
        kind=kind,
        delta=quantity,
        actor=actor,
        note=clean_text(note, max_length=200, field=_("note")),
    )
    return entry.quantity_after


# --- products and stock counts -------------------------------------------------------------------


def _product_values(business_id: int, data: Mapping[str, Any], pk: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = changes.name(data["name"], "name", 100)
    if "sku" in data:
        out["sku"] = changes.name(data["sku"], "sku", 40)
        if changes.taken(Product.objects.filter(business_id=business_id, sku=out["sku"]), pk):
            raise changes.duplicate("sku")
    if "barcode" in data:
        out["barcode"] = clean_text(data["barcode"] or "", max_length=40, field=_("barcode"))
    for key in ("price_fen", "cost_fen"):
        if key in data:
            value = data[key]
            out[key] = None if value is None and key == "cost_fen" else changes.price(value, key)
    if "low_stock_at" in data:
        out["low_stock_at"] = changes.whole(
            data["low_stock_at"],
            "low_stock_at",
            0,
            100_000,
            SalesErrorCode.INVALID_QUANTITY,
            _("Enter a quantity from 0 to 100000."),
        )
    if "category_id" in data:
        category_id = data["category_id"]
        out["menu_category"] = (
            None if category_id is None else category_get(business_id, category_id)
        )
    if data.get("is_active") is not None:
        out["is_active"] = bool(data["is_active"])
    return out


@transaction.atomic
def product_create(
    *,
    actor: User,
    name: str,
    sku: str,
    price_fen: int,
    barcode: str = "",
    cost_fen: int | None = None,
    low_stock_at: int = 0,
    category_id: int | None = None,
) -> Product:
    """A product the salon sells or uses: price, cost (seen only with `cost.view`), barcode and
    the stock at which each branch is warned."""
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    data = {
        "name": name,
        "sku": sku,
        "barcode": barcode,
        "price_fen": price_fen,
        "cost_fen": cost_fen,
        "low_stock_at": low_stock_at,
        "category_id": category_id,
    }
    values = _product_values(business_id, data, None)
    product = Product.objects.create(business_id=business_id, **values)
    lines = [changes.change(k, None, v) for k, v in values.items()]
    changes.audit_change(actor, entity="product", pk=product.pk, changes=lines, created=True)
    return product


@transaction.atomic
def product_update(*, actor: User, product_id: int, data: Mapping[str, Any]) -> Product:
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    product = lock_one(Product.objects.filter(business_id=business_id), product_id)
    if product is None:
        raise NotFound(_("No such product."))
    lines = changes.apply(product, _product_values(business_id, data, product.pk))
    if lines:
        product.save()
    changes.audit_change(actor, entity="product", pk=product.pk, changes=lines)
    return product


@transaction.atomic
def stock_count(*, actor: User, product_id: int, branch_id: int, counted: int, reason: str) -> int:
    """A stock count: the shelf holds `counted`; the difference from the ledger is booked as an
    adjustment with its reason (breakage, a count error, samples given away). Returns the stock
    after (the count itself)."""
    policy.require(actor, SalesCap.STOCK_MANAGE)
    branch = branch_for(actor, branch_id)
    product = lock_one(Product.objects.filter(business_id=policy.business_of(actor)), product_id)
    if product is None:
        raise NotFound(_("No such product."))
    counted = changes.whole(
        counted,
        "counted",
        0,
        1_000_000,
        SalesErrorCode.INVALID_QUANTITY,
        _("Enter the quantity counted, 0 or more."),
    )
    reason = clean_text(reason or "", max_length=150, field=_("reason"))
    if not reason:
        message = _("Give a reason for the adjustment.")
        raise ServiceError(SalesErrorCode.REASON_REQUIRED, message, fields={"reason": [message]})
    before = ledger.stock_on_hand(product, branch)
    if counted != before:
        ledger.stock_append(
            product,
            branch,
            kind=StockEntryKind.ADJUST,
            delta=counted - before,
            actor=actor,
            note=reason,
        )
        changes.audit_change(
            actor,
            entity="product",
            pk=product.pk,
            changes=[changes.change(f"stock@branch:{branch.pk}", before, counted)],
        )
    return counted


def consumables_use(
    *, actor: User, service: Service, quantity: int, branch: Branch, line: VisitLine
) -> None:
    """Take the service's consumables (耗材) from the branch's stock, inside the checkout.

    A shelf that holds less than the count says gives what it has and the entry notes the
    shortfall: a missing count never stops a customer being checked out (the stock count
    corrects it later). A refunded service does not give them back: they were used."""
    for consumable in ServiceConsumable.objects.filter(service=service).order_by("product_id"):
        product = lock_get(Product, consumable.product_id)
        need = consumable.quantity * quantity
        take = min(need, ledger.stock_on_hand(product, branch))
        if take:
            ledger.stock_append(
                product,
                branch,
                kind=StockEntryKind.CONSUME,
                delta=-take,
                actor=actor,
                line=line,
                note="" if take == need else f"-{need - take}",
            )
