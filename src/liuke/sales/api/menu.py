"""The menu's set-up over HTTP: service categories, services (with each branch's price, the
staff who perform them and their consumables), products, stock counts, card tiers, top-up bonus
rules and package templates. The same services as the catalogue pages; every amount in fen.

Writes answer the item as it is after the change; a refused value answers the one error shape
with its stable code (`invalid_amount` for a price below zero, `invalid_percent` for a member
price above 100 %, `bonus_rule_overlap`, …).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from liuke.accounts import selectors as account_selectors
from liuke.accounts.http import api_actor
from liuke.accounts.models import User
from liuke.core.api import ERRORS, READ_ERRORS
from liuke.core.errors import NotFound
from liuke.core.idempotency import money_write
from liuke.sales import menu_selectors, services
from liuke.sales.menu_schemas import (
    BonusRuleIn,
    BonusRuleOut,
    BonusRulePatch,
    BranchPriceIn,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    ConsumableIn,
    MenuProductOut,
    MenuServiceOut,
    ProductIn,
    ProductPatch,
    ServiceIn,
    ServicePatch,
    StockCountIn,
    StockCountOut,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    TierIn,
    TierOut,
    TierPatch,
)
from liuke.sales.models import BonusRule, MenuCategory, PackageTemplate
from liuke.sales.schemas import Id

router = Router(tags=["menu"])


def category_out(c: MenuCategory) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "kind": c.kind,
        "position": c.position,
        "is_active": c.is_active,
    }


def service_out(actor: User, service_id: int) -> dict[str, Any]:
    found = menu_selectors.menu_services(actor=actor, service_id=service_id)
    if not found:
        raise NotFound(_("No such service."))
    return menu_service_out(found[0])


def menu_service_out(m: menu_selectors.MenuService) -> dict[str, Any]:
    """A service as read with the others (`menu_selectors.menu_services`): nothing more is
    queried per service, so the list costs the same few queries at any size."""
    s = m.service
    return {
        "id": s.pk,
        "name": s.name,
        "category_id": s.menu_category_id,
        "category": s.category,
        "duration_min": s.duration_min,
        "processing_gap_min": s.processing_gap_min,
        "cleanup_min": s.cleanup_min,
        "price_fen": s.price_fen,
        "branch_prices": {str(b): fen for b, fen in m.branch_prices.items()},
        "performer_roles": list(s.performer_roles),
        "staff_ids": m.staff_ids,
        "is_active": s.is_active,
        "packages_covering": m.packages_covering,
    }


def product_out(actor: User, product_id: int) -> dict[str, Any]:
    branches = list(account_selectors.branch_choices(actor=actor))
    found = [
        m
        for m in menu_selectors.menu_products(actor=actor, branches=branches)
        if m.product.pk == product_id
    ]
    if not found:
        raise NotFound(_("No such product."))
    m = found[0]
    p = m.product
    return {
        "id": p.pk,
        "name": p.name,
        "sku": p.sku,
        "barcode": p.barcode,
        "price_fen": p.price_fen,
        "cost_fen": m.cost_fen,
        "low_stock_at": p.low_stock_at,
        "category_id": p.menu_category_id,
        "is_active": p.is_active,
    }


def tier_out(actor: User, tier_id: int) -> dict[str, Any]:
    found = [v for v in menu_selectors.tiers_for(actor=actor) if v.tier.pk == tier_id]
    if not found:
        raise NotFound(_("No such card tier."))
    return tier_view_out(found[0])


def tier_view_out(view: menu_selectors.TierView) -> dict[str, Any]:
    t = view.tier
    return {
        "id": t.pk,
        "name": t.name,
        "discount_pct": t.discount_pct,
        "min_topup_fen": t.min_topup_fen,
        "validity_months": t.validity_months,
        "category_pct": {str(c): pct for c, pct in view.category_pct.items()},
        "is_active": t.is_active,
    }


def rule_out(r: BonusRule) -> dict[str, Any]:
    return {
        "id": r.pk,
        "pay_fen": r.pay_fen,
        "bonus_fen": r.bonus_fen,
        "valid_from": r.valid_from,
        "valid_until": r.valid_until,
        "is_active": r.is_active,
    }


def template_out(t: PackageTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "service_ids": sorted(s.pk for s in t.services.all()),
        "sessions": t.sessions,
        "price_fen": t.price_fen,
        "validity_days": t.validity_days,
        "branch_ids": sorted(b.pk for b in t.branches.all()),
        "is_active": t.is_active,
    }


# --- categories and services --------------------------------------------------------------------


@router.get(
    "/menu/categories", response={200: list[CategoryOut], **READ_ERRORS}, summary="Categories"
)
def menu_categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [category_out(c) for c in menu_selectors.categories_for(actor=api_actor(request))]


@router.post("/menu/categories", response={201: CategoryOut, **ERRORS}, summary="Add a category")
def menu_category_create(request: HttpRequest, payload: CategoryIn) -> Status[Any]:
    category = services.category_create(actor=api_actor(request), **payload.model_dump())
    return Status(201, category_out(category))


@router.patch(
    "/menu/categories/{category_id}",
    response={200: CategoryOut, **ERRORS},
    summary="Change or retire a category",
)
def menu_category_update(request: HttpRequest, category_id: Id, payload: CategoryPatch) -> Any:
    category = services.category_update(
        actor=api_actor(request),
        category_id=category_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return category_out(category)


@router.get(
    "/menu/services",
    response={200: list[MenuServiceOut], **READ_ERRORS},
    summary="Every service of the menu, retired ones too, with branch prices and performers",
)
def menu_services(request: HttpRequest) -> list[dict[str, Any]]:
    actor = api_actor(request)
    return [menu_service_out(m) for m in menu_selectors.menu_services(actor=actor)]


@router.post("/menu/services", response={201: MenuServiceOut, **ERRORS}, summary="Add a service")
def menu_service_create(request: HttpRequest, payload: ServiceIn) -> Status[Any]:
    actor = api_actor(request)
    service = services.service_create(actor=actor, **payload.model_dump())
    return Status(201, service_out(actor, service.pk))


@router.get(
    "/menu/services/{service_id}",
    response={200: MenuServiceOut, **READ_ERRORS},
    summary="A service",
)
def menu_service_detail(request: HttpRequest, service_id: Id) -> Any:
    return service_out(api_actor(request), service_id)


@router.patch(
    "/menu/services/{service_id}",
    response={200: MenuServiceOut, **ERRORS},
    summary="Change a service, or retire it (`packages_covering`: packages still using it)",
)
def menu_service_update(request: HttpRequest, service_id: Id, payload: ServicePatch) -> Any:
    actor = api_actor(request)
    services.service_update(
        actor=actor, service_id=service_id, data=payload.model_dump(exclude_unset=True)
    )
    return service_out(actor, service_id)


@router.put(
    "/menu/services/{service_id}/branch-prices/{branch_id}",
    response={200: MenuServiceOut, **ERRORS},
    summary="A branch's own price for a service (null: the list price)",
)
def menu_service_branch_price(
    request: HttpRequest, service_id: Id, branch_id: Id, payload: BranchPriceIn
) -> Any:
    actor = api_actor(request)
    services.branch_price_set(
        actor=actor, branch_id=branch_id, service_id=service_id, price_fen=payload.price_fen
    )
    return service_out(actor, service_id)


@router.put(
    "/menu/services/{service_id}/consumables",
    response={200: MenuServiceOut, **ERRORS},
    summary="A product the service uses up at checkout (quantity 0 removes it)",
)
def menu_service_consumable(request: HttpRequest, service_id: Id, payload: ConsumableIn) -> Any:
    actor = api_actor(request)
    services.consumable_set(actor=actor, service_id=service_id, **payload.model_dump())
    return service_out(actor, service_id)


# --- products and stock -------------------------------------------------------------------------


@router.post("/menu/products", response={201: MenuProductOut, **ERRORS}, summary="Add a product")
def menu_product_create(request: HttpRequest, payload: ProductIn) -> Status[Any]:
    actor = api_actor(request)
    product = services.product_create(actor=actor, **payload.model_dump())
    return Status(201, product_out(actor, product.pk))


@router.get(
    "/menu/products/{product_id}",
    response={200: MenuProductOut, **READ_ERRORS},
    summary="A product (its cost only for those who may see costs)",
)
def menu_product_detail(request: HttpRequest, product_id: Id) -> Any:
    return product_out(api_actor(request), product_id)


@router.patch(
    "/menu/products/{product_id}",
    response={200: MenuProductOut, **ERRORS},
    summary="Change a product",
)
def menu_product_update(request: HttpRequest, product_id: Id, payload: ProductPatch) -> Any:
    actor = api_actor(request)
    services.product_update(
        actor=actor, product_id=product_id, data=payload.model_dump(exclude_unset=True)
    )
    return product_out(actor, product_id)


@router.put(
    "/menu/products/{product_id}/branch-prices/{branch_id}",
    response={200: MenuProductOut, **ERRORS},
    summary="A branch's own price for a product (null: the list price)",
)
def menu_product_branch_price(
    request: HttpRequest, product_id: Id, branch_id: Id, payload: BranchPriceIn
) -> Any:
    actor = api_actor(request)
    services.branch_price_set(
        actor=actor, branch_id=branch_id, product_id=product_id, price_fen=payload.price_fen
    )
    return product_out(actor, product_id)


@router.post(
    "/stock/counts",
    response={200: StockCountOut, **ERRORS},
    summary="A stock count: the difference is booked as an adjustment with its reason",
)
@money_write
def stock_count(request: HttpRequest, payload: StockCountIn) -> Any:
    actor = api_actor(request)
    stock = services.stock_count(actor=actor, **payload.model_dump())
    product = product_out(actor, payload.product_id)
    return {
        "product_id": payload.product_id,
        "branch_id": payload.branch_id,
        "stock": stock,
        "low": bool(product["is_active"]) and stock <= product["low_stock_at"],
    }


# --- card tiers and bonus rules -----------------------------------------------------------------


@router.get("/menu/card-tiers", response={200: list[TierOut], **READ_ERRORS}, summary="Card tiers")
def menu_tiers(request: HttpRequest) -> list[dict[str, Any]]:
    return [tier_view_out(v) for v in menu_selectors.tiers_for(actor=api_actor(request))]


@router.post("/menu/card-tiers", response={201: TierOut, **ERRORS}, summary="Add a card tier")
def menu_tier_create(request: HttpRequest, payload: TierIn) -> Status[Any]:
    actor = api_actor(request)
    tier = services.tier_create(actor=actor, **payload.model_dump())
    return Status(201, tier_out(actor, tier.pk))


@router.patch(
    "/menu/card-tiers/{tier_id}", response={200: TierOut, **ERRORS}, summary="Change a card tier"
)
def menu_tier_update(request: HttpRequest, tier_id: Id, payload: TierPatch) -> Any:
    actor = api_actor(request)
    services.tier_update(actor=actor, tier_id=tier_id, data=payload.model_dump(exclude_unset=True))
    return tier_out(actor, tier_id)


@router.get(
    "/menu/bonus-rules", response={200: list[BonusRuleOut], **READ_ERRORS}, summary="Bonus rules"
)
def menu_bonus_rules(request: HttpRequest) -> list[dict[str, Any]]:
    return [rule_out(r) for r in menu_selectors.bonus_rules_for(actor=api_actor(request))]


@router.post(
    "/menu/bonus-rules",
    response={201: BonusRuleOut, **ERRORS},
    summary="Add a top-up bonus rule (refused when it overlaps another for the same amount)",
)
def menu_bonus_rule_create(request: HttpRequest, payload: BonusRuleIn) -> Status[Any]:
    rule = services.bonus_rule_create(actor=api_actor(request), **payload.model_dump())
    return Status(201, rule_out(rule))


@router.patch(
    "/menu/bonus-rules/{rule_id}",
    response={200: BonusRuleOut, **ERRORS},
    summary="Change, end or withdraw a bonus rule",
)
def menu_bonus_rule_update(request: HttpRequest, rule_id: Id, payload: BonusRulePatch) -> Any:
    rule = services.bonus_rule_update(
        actor=api_actor(request), rule_id=rule_id, data=payload.model_dump(exclude_unset=True)
    )
    return rule_out(rule)


# --- package templates --------------------------------------------------------------------------


@router.get(
    "/menu/package-templates",
    response={200: list[TemplateOut], **READ_ERRORS},
    summary="Package templates",
)
def menu_templates(request: HttpRequest) -> list[dict[str, Any]]:
    return [template_out(t) for t in menu_selectors.templates_for(actor=api_actor(request))]


@router.post(
    "/menu/package-templates",
    response={201: TemplateOut, **ERRORS},
    summary="Add a package template",
)
def menu_template_create(request: HttpRequest, payload: TemplateIn) -> Status[Any]:
    template = services.template_create(actor=api_actor(request), **payload.model_dump())
    return Status(201, template_out(template))


@router.patch(
    "/menu/package-templates/{template_id}",
    response={200: TemplateOut, **ERRORS},
    summary="Change or retire a package template (packages sold keep their terms)",
)
def menu_template_update(request: HttpRequest, template_id: Id, payload: TemplatePatch) -> Any:
    template = services.template_update(
        actor=api_actor(request),
        template_id=template_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return template_out(template)
