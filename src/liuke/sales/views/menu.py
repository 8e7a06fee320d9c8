"""The menu's set-up pages: categories, services (branch prices, performers, consumables),
products and stock counts, card tiers with bonus rules, package templates. Thin: parse the POST
into the same typed inputs as the API (`sales.menu_schemas`), call the service, go back to the
page with a message; a refusal is shown by the error middleware (its message, `request.back`).
Prices are typed in yuan and sent to the services in fen."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import User
from liuke.core import inputs
from liuke.core.idempotency import form_once
from liuke.core.money import parse_yuan
from liuke.sales import menu_selectors, services
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import ServiceCategory
from liuke.sales.menu_schemas import (
    BonusRuleIn,
    BonusRulePatch,
    CategoryIn,
    CategoryPatch,
    ProductIn,
    ProductPatch,
    ServiceIn,
    ServicePatch,
    StockCountIn,
    TemplateIn,
    TemplatePatch,
    TierIn,
    TierPatch,
)
from liuke.sales.views.common import staff_branches

M = TypeVar("M", bound=pydantic.BaseModel)

#: The yuan boxes of the set-up forms → the fen field each fills.
YUAN = {
    "price": "price_fen",
    "cost": "cost_fen",
    "min_topup": "min_topup_fen",
    "pay": "pay_fen",
    "bonus": "bonus_fen",
}


def parsed(model: type[M], post: QueryDict) -> M:
    """The form as `model`: only the boxes the form has (an update changes what it shows; a
    flag is sent as a choice of "true"/"false", never as a checkbox left out), the yuan boxes
    as fen (a minus sign kept, so that the service refuses "below zero" in its own words)."""
    names = [n for n in model.model_fields if n in post]
    data = inputs.form_data(model, post, fields=names)
    for box, field in YUAN.items():
        if field in model.model_fields and box in post:
            text = str(post.get(box, "")).strip()
            if text:
                data[field] = parse_yuan(text, allow_zero=True, signed=True, field=field)
            elif not model.model_fields[field].is_required():
                # An empty box: no cost (None), or the field's default; a required price is
                # left out so the model says it is missing.
                data[field] = model.model_fields[field].get_default()
    try:
        return inputs.parse_input(model, data, form=True)
    except ValidationError as exc:
        raise inputs.refused(exc) from None


def _done(request: StaffRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(request.back)


# --- the menu page ------------------------------------------------------------------------------


def _role_labels() -> list[tuple[str, str]]:
    return [(r.value, str(r.label)) for r in Role if r != Role.AUDITOR]


@staff_view(cap=SalesCap.SALES_VIEW)
def catalogue(request: StaffRequest) -> HttpResponse:
    """The menu: categories, services, products with their stock at each branch (and cost for
    those who may see it); the set-up forms for those who may use them."""
    actor = request.user
    branches = staff_branches(actor)
    context: dict[str, Any] = {
        "categories": menu_selectors.categories_for(actor=actor),
        "services": [
            (m, [m.branch_prices.get(b.pk) for b in branches])
            for m in menu_selectors.menu_services(actor=actor)
        ],
        "products": [
            (m, [m.stock.get(b.pk, 0) for b in branches])
            for m in menu_selectors.menu_products(actor=actor, branches=branches)
        ],
        "branches": branches,
        "kinds": ServiceCategory.choices,
        "roles": _role_labels(),
        "may_manage": policy.can(actor, SalesCap.MENU_MANAGE),
        "may_price": policy.can(actor, SalesCap.CATALOGUE_MANAGE),
        "stock_form": policy.can(actor, SalesCap.STOCK_MANAGE),
        "sees_cost": policy.can(actor, SalesCap.COST_VIEW),
    }
    return render(request, "sales/catalogue.html", context)


@staff_view
@require_POST
def category_create(request: StaffRequest) -> HttpResponse:
    request.back = reverse("sales:catalogue") + "#categories"
    payload = parsed(CategoryIn, request.POST)
    category = services.category_create(actor=request.user, **payload.model_dump())
    return _done(request, _("Category %(name)s added.") % {"name": category.name})


@staff_view
@require_POST
def category_update(request: StaffRequest, category_id: int) -> HttpResponse:
    request.back = reverse("sales:catalogue") + "#categories"
    payload = parsed(CategoryPatch, request.POST)
    services.category_update(
        actor=request.user, category_id=category_id, data=payload.model_dump(exclude_unset=True)
    )
    return _done(request, _("Category saved."))


@staff_view
@require_POST
def service_create(request: StaffRequest) -> HttpResponse:
    request.back = reverse("sales:catalogue") + "#services"
    payload = parsed(ServiceIn, request.POST)
    service = services.service_create(actor=request.user, **payload.model_dump())
    messages.success(request, _("Service %(name)s added.") % {"name": service.name})
    return redirect("sales:menu_service", service_id=service.pk)


def _staff_choices(actor: User) -> list[User]:
    return list(
        User.objects.filter(business_id=policy.business_of(actor), is_active=True)
        .exclude(role=Role.AUDITOR)
        .order_by("role", "username")
    )


@staff_view(cap=SalesCap.SALES_VIEW)
def service_edit(request: StaffRequest, service_id: int) -> HttpResponse:
    """One service: its set-up form, each branch's price, its consumables; POST saves it."""
    actor = request.user
    request.back = reverse("sales:menu_service", args=[service_id])
    if request.method == "POST":
        payload = parsed(ServicePatch, request.POST)
        data = payload.model_dump(exclude_unset=True)
        data.setdefault("staff_ids", [])  # no box ticked: no staff listed
        data.setdefault("performer_roles", [])
        services.service_update(actor=actor, service_id=service_id, data=data)
        return _done(request, _("Service saved."))
    found = menu_selectors.menu_services(actor=actor, service_id=service_id)
    if not found:
        raise Http404
    branches = staff_branches(actor)
    context: dict[str, Any] = {
        "m": found[0],
        "service": found[0].service,
        "categories": menu_selectors.categories_for(actor=actor),
        "roles": _role_labels(),
        "staff": _staff_choices(actor),
        "branch_rows": [(b, found[0].branch_prices.get(b.pk)) for b in branches],
        "products": menu_selectors.menu_products(actor=actor, branches=[]),
        "may_manage": policy.can(actor, SalesCap.MENU_MANAGE),
        "may_price": policy.can(actor, SalesCap.CATALOGUE_MANAGE),
    }
    return render(request, "sales/menu_service.html", context)


def _branch_price(request: StaffRequest, **item: int) -> None:
    text = str(request.POST.get("price", "")).strip()
    services.branch_price_set(
        actor=request.user,
        branch_id=int(request.POST.get("branch_id") or 0),
        price_fen=parse_yuan(text, allow_zero=True, signed=True, field="price_fen")
        if text
        else None,
        **item,
    )


@staff_view
@require_POST
def service_branch_price(request: StaffRequest, service_id: int) -> HttpResponse:
    request.back = reverse("sales:menu_service", args=[service_id])
    _branch_price(request, service_id=service_id)
    return _done(request, _("Branch price saved."))


@staff_view
@require_POST
def service_consumable(request: StaffRequest, service_id: int) -> HttpResponse:
    request.back = reverse("sales:menu_service", args=[service_id])
    try:
        product_id = int(request.POST.get("product_id", ""))
        quantity = int(request.POST.get("quantity", ""))
    except ValueError:
        product_id, quantity = 0, -1
    services.consumable_set(
        actor=request.user, service_id=service_id, product_id=product_id, quantity=quantity
    )
    return _done(request, _("Consumables saved."))


# --- products and stock -------------------------------------------------------------------------


@staff_view
@require_POST
def product_create(request: StaffRequest) -> HttpResponse:
    request.back = reverse("sales:catalogue") + "#products"
    payload = parsed(ProductIn, request.POST)
    product = services.product_create(actor=request.user, **payload.model_dump())
    return _done(request, _("Product %(name)s added.") % {"name": product.name})


@staff_view(cap=SalesCap.SALES_VIEW)
def product_edit(request: StaffRequest, product_id: int) -> HttpResponse:
    actor = request.user
    request.back = reverse("sales:menu_product", args=[product_id])
    if request.method == "POST":
        payload = parsed(ProductPatch, request.POST)
        services.product_update(
            actor=actor, product_id=product_id, data=payload.model_dump(exclude_unset=True)
        )
        return _done(request, _("Product saved."))
    branches = staff_branches(actor)
    found = [
        m
        for m in menu_selectors.menu_products(actor=actor, branches=branches)
        if m.product.pk == product_id
    ]
    if not found:
        raise Http404
    context: dict[str, Any] = {
        "m": found[0],
        "product": found[0].product,
        "branch_rows": [
            (b, found[0].branch_prices.get(b.pk), found[0].stock.get(b.pk, 0)) for b in branches
        ],
        "may_manage": policy.can(actor, SalesCap.MENU_MANAGE),
        "may_price": policy.can(actor, SalesCap.CATALOGUE_MANAGE),
        "sees_cost": policy.can(actor, SalesCap.COST_VIEW),
        "categories": menu_selectors.categories_for(actor=actor),
    }
    return render(request, "sales/menu_product.html", context)


@staff_view
@require_POST
def product_branch_price(request: StaffRequest, product_id: int) -> HttpResponse:
    request.back = reverse("sales:menu_product", args=[product_id])
    _branch_price(request, product_id=product_id)
    return _done(request, _("Branch price saved."))


@staff_view
@require_POST
@form_once
def stock_count(request: StaffRequest) -> HttpResponse:
    request.back = reverse("sales:catalogue") + "#products"
    payload = parsed(StockCountIn, request.POST)
    after = services.stock_count(actor=request.user, **payload.model_dump())
    return _done(request, _("Stock count recorded: %(n)d on hand.") % {"n": after})


# --- card tiers and bonus rules -----------------------------------------------------------------


def _category_pct(request: StaffRequest) -> dict[str, int | None]:
    """The per-category boxes `pct_<category id>`: a number, or empty for the tier's own."""
    out: dict[str, int | None] = {}
    for key, value in request.POST.items():
        if key.startswith("pct_") and key[4:].isdigit():
            text = str(value).strip()
            out[key[4:]] = int(text) if text.lstrip("-").isdigit() else None
    return out


@staff_view(cap=SalesCap.SALES_VIEW)
def tiers(request: StaffRequest) -> HttpResponse:
    """Card tiers with their member prices per category, and the top-up bonus rules; POST adds
    a tier."""
    actor = request.user
    request.back = reverse("sales:menu_tiers")
    if request.method == "POST":
        payload = parsed(TierIn, request.POST)
        data = payload.model_dump()
        data["category_pct"] = {k: v for k, v in _category_pct(request).items() if v is not None}
        tier = services.tier_create(actor=actor, **data)
        return _done(request, _("Card tier %(name)s added.") % {"name": tier.name})
    context: dict[str, Any] = {
        "tiers": menu_selectors.tiers_for(actor=actor),
        "rules": menu_selectors.bonus_rules_for(actor=actor),
        "categories": menu_selectors.categories_for(actor=actor, active_only=True),
        "may_manage": policy.can(actor, SalesCap.MENU_MANAGE),
    }
    return render(request, "sales/menu_tiers.html", context)


@staff_view
@require_POST
def tier_update(request: StaffRequest, tier_id: int) -> HttpResponse:
    request.back = reverse("sales:menu_tiers")
    data = parsed(TierPatch, request.POST).model_dump(exclude_unset=True)
    data["category_pct"] = _category_pct(request)
    services.tier_update(actor=request.user, tier_id=tier_id, data=data)
    return _done(request, _("Card tier saved."))


@staff_view
@require_POST
def bonus_rule_create(request: StaffRequest) -> HttpResponse:
    request.back = reverse("sales:menu_tiers") + "#rules"
    payload = parsed(BonusRuleIn, request.POST)
    services.bonus_rule_create(actor=request.user, **payload.model_dump())
    return _done(request, _("Bonus rule added."))


@staff_view
@require_POST
def bonus_rule_update(request: StaffRequest, rule_id: int) -> HttpResponse:
    request.back = reverse("sales:menu_tiers") + "#rules"
    payload = parsed(BonusRulePatch, request.POST)
    services.bonus_rule_update(
        actor=request.user, rule_id=rule_id, data=payload.model_dump(exclude_unset=True)
    )
    return _done(request, _("Bonus rule saved."))


# --- package templates --------------------------------------------------------------------------


@staff_view(cap=SalesCap.SALES_VIEW)
def templates(request: StaffRequest) -> HttpResponse:
    """Package templates; POST adds one."""
    actor = request.user
    request.back = reverse("sales:menu_templates")
    if request.method == "POST":
        payload = parsed(TemplateIn, request.POST)
        template = services.template_create(actor=actor, **payload.model_dump())
        return _done(request, _("Package template %(name)s added.") % {"name": template.name})
    context: dict[str, Any] = {
        "templates": menu_selectors.templates_for(actor=actor),
        "services": [m.service for m in menu_selectors.menu_services(actor=actor)],
        "branches": staff_branches(actor),
        "may_manage": policy.can(actor, SalesCap.MENU_MANAGE),
    }
    return render(request, "sales/menu_templates.html", context)


@staff_view
@require_POST
def template_update(request: StaffRequest, template_id: int) -> HttpResponse:
    request.back = reverse("sales:menu_templates")
    data = parsed(TemplatePatch, request.POST).model_dump(exclude_unset=True)
    data.setdefault("branch_ids", [])  # no branch ticked: sold at every branch
    services.template_update(actor=request.user, template_id=template_id, data=data)
    return _done(request, _("Package template saved."))
