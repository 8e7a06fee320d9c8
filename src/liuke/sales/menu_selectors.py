"""Reads of the menu's set-up: categories, services with their branch prices and performers,
products with stock per branch (cost only for those who hold `cost.view`), card tiers, bonus
rules and package templates. The menu is the business's, read by any of its staff
(`sales.view`); nothing here names a customer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.sales.capabilities import SalesCap
from liuke.sales.models import (
    BonusRule,
    BranchPrice,
    CardTier,
    MenuCategory,
    Package,
    PackageEntry,
    PackageTemplate,
    Product,
    Service,
    ServiceConsumable,
    StaffSkill,
    StockEntry,
    TierCategoryPrice,
)


def _business(actor: User) -> int | None:
    if not policy.can(actor, SalesCap.SALES_VIEW):
        return None
    return policy.business_of(actor)


def categories_for(*, actor: User, active_only: bool = False) -> list[MenuCategory]:
    business_id = _business(actor)
    if business_id is None:
        return []
    qs = MenuCategory.objects.filter(business_id=business_id)
    return list(qs.filter(is_active=True) if active_only else qs)


def packages_covering(service_ids: list[int]) -> dict[int, int]:
    """service id → packages that cover it with sessions left and not expired (a retired
    service's warning: those packages stay usable)."""
    last = (
        PackageEntry.objects.filter(package=OuterRef("pk"))
        .order_by("-seq")
        .values("sessions_after")
    )
    today = timezone.localdate()
    rows = (
        Package.objects.filter(services__in=service_ids)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .annotate(left=Subquery(last[:1]))
        .filter(left__gt=0)
        .values("services")
        .annotate(n=Count("pk", distinct=True))
    )
    return {row["services"]: row["n"] for row in rows}


@dataclass
class MenuService:
    service: Service
    branch_prices: dict[int, int]
    staff_ids: list[int]
    packages_covering: int
    consumables: list[tuple[int, int]] = field(default_factory=list)


def menu_services(*, actor: User, service_id: int | None = None) -> list[MenuService]:
    """Every service of the menu, retired ones last, with each branch's own price, the staff
    listed as performing it and the packages still covering it; a few queries whatever the
    size of the menu."""
    business_id = _business(actor)
    if business_id is None:
        return []
    qs = Service.objects.filter(business_id=business_id).select_related("menu_category")
    if service_id is not None:
        qs = qs.filter(pk=service_id)
    services = sorted(qs, key=lambda s: (not s.is_active, s.category, s.name))
    ids = [s.pk for s in services]
    prices: dict[int, dict[int, int]] = defaultdict(dict)
    for sid, bid, fen in BranchPrice.objects.filter(service_id__in=ids).values_list(
        "service_id", "branch_id", "price_fen"
    ):
        prices[sid][bid] = fen
    skills: dict[int, list[int]] = defaultdict(list)
    for sid, uid in StaffSkill.objects.filter(service_id__in=ids).values_list(
        "service_id", "staff_id"
    ):
        skills[sid].append(uid)
    used: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for sid, pid, qty in ServiceConsumable.objects.filter(service_id__in=ids).values_list(
        "service_id", "product_id", "quantity"
    ):
        used[sid].append((pid, qty))
    covering = packages_covering(ids) if ids else {}
    return [
        MenuService(
            service=s,
            branch_prices=prices[s.pk],
            staff_ids=sorted(skills[s.pk]),
            packages_covering=covering.get(s.pk, 0),
            consumables=used[s.pk],
        )
        for s in services
    ]


@dataclass
class MenuProduct:
    product: Product
    #: branch id → on hand
    stock: dict[int, int]
    branch_prices: dict[int, int]
    #: branch ids where the stock is at or below the warning level
    low: list[int]
    cost_fen: int | None


def menu_products(*, actor: User, branches: list[Branch]) -> list[MenuProduct]:
    """Every product with its stock at each of `branches` (one query for all), the branches
    where it runs low, and its cost for those who may see costs (None for the others)."""
    business_id = _business(actor)
    if business_id is None:
        return []
    products = list(Product.objects.filter(business_id=business_id))
    ids = [p.pk for p in products]
    branch_ids = [b.pk for b in branches]
    last = StockEntry.objects.filter(
        product=OuterRef("product_id"), branch=OuterRef("branch_id")
    ).order_by("-seq")
    stock: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        StockEntry.objects.filter(product_id__in=ids, branch_id__in=branch_ids)
        .values("product_id", "branch_id")
        .distinct()
        .annotate(after=Subquery(last.values("quantity_after")[:1]))
    )
    for row in rows:
        stock[row["product_id"]][row["branch_id"]] = row["after"]
    prices: dict[int, dict[int, int]] = defaultdict(dict)
    for pid, bid, fen in BranchPrice.objects.filter(product_id__in=ids).values_list(
        "product_id", "branch_id", "price_fen"
    ):
        prices[pid][bid] = fen
    sees_cost = policy.can(actor, SalesCap.COST_VIEW)
    out = []
    for p in products:
        on_hand = {b: stock[p.pk].get(b, 0) for b in branch_ids}
        low = [
            b for b in branch_ids if p.is_active and p.low_stock_at and on_hand[b] <= p.low_stock_at
        ]
        out.append(MenuProduct(p, on_hand, prices[p.pk], low, p.cost_fen if sees_cost else None))
    out.sort(key=lambda m: (not m.product.is_active, m.product.name))
    return out


@dataclass
class TierView:
    tier: CardTier
    category_pct: dict[int, int]


def tiers_for(*, actor: User) -> list[TierView]:
    business_id = _business(actor)
    if business_id is None:
        return []
    tiers = list(CardTier.objects.filter(business_id=business_id).order_by("min_topup_fen", "pk"))
    pcts: dict[int, dict[int, int]] = defaultdict(dict)
    for tid, cid, pct in TierCategoryPrice.objects.filter(tier__in=tiers).values_list(
        "tier_id", "category_id", "price_pct"
    ):
        pcts[tid][cid] = pct
    return [TierView(t, pcts[t.pk]) for t in tiers]


def bonus_rules_for(*, actor: User) -> list[BonusRule]:
    business_id = _business(actor)
    if business_id is None:
        return []
    return list(
        BonusRule.objects.filter(business_id=business_id).order_by("-is_active", "pay_fen", "pk")
    )


def templates_for(
    *,
    actor: User,
    branch: Branch | None = None,
    active_only: bool = False,
    with_relations: bool = True,
) -> list[PackageTemplate]:
    """Package templates (with a branch: those sold there, every branch when none listed);
    `with_relations=False` for a list of names and prices (the sale form): one query."""
    business_id = _business(actor)
    if business_id is None:
        return []
    qs: Any = PackageTemplate.objects.filter(business_id=business_id)
    if active_only:
        qs = qs.filter(is_active=True)
    if branch is not None:
        qs = qs.filter(Q(branches__isnull=True) | Q(branches=branch))
    if with_relations:
        qs = qs.prefetch_related("services", "branches")
    return list(qs.distinct().order_by("name"))
