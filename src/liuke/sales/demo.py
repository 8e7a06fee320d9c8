"""The demo salon's menu as a real salon sets it up: its services grouped in categories, a second
price at the newer branch, the products it sells and uses with their cost and stock (a few
running low), the consumables of a facial, three card tiers with their member prices per
category and card validity, the top-up bonus rules (one a limited offer), and the package
templates the front desk sells from.

Run by the demo builder after the salon's visits exist (`demo_sales`, the `DemoStep` in
`sales.contrib`), followed by the till in use (`liuke.sales.demo_till`: cards, packages and
today's checkouts, through the services). The menu is written through the models, not the
services: this is the salon's past set-up, not a change an owner makes today, and the audit log
would otherwise open with a hundred set-up entries. Deterministic; a few dozen rows."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business
from liuke.core.money import fen_from_yuan
from liuke.sales import ledger
from liuke.sales.choices import ServiceCategory, StockEntryKind
from liuke.sales.demo_till import demo_till
from liuke.sales.models import (
    BonusRule,
    BranchPrice,
    CardTier,
    CommissionPlan,
    CommissionRate,
    MenuCategory,
    PackageTemplate,
    Product,
    Service,
    ServiceConsumable,
    TierCategoryPrice,
)
from liuke.sales.services.commission_bulk import commissions_backfill

#: kind → the salon's name for the category (the order is the menu's)
CATEGORIES = {
    ServiceCategory.FACIAL: "面部护理",
    ServiceCategory.BODY: "身体护理",
    ServiceCategory.SPA: "SPA 与按摩",
    ServiceCategory.HAIR: "美发",
    ServiceCategory.NAILS: "美甲",
    ServiceCategory.LASHES: "美睫美眉",
    ServiceCategory.OTHER: "其他",
}

#: name, SKU, barcode, price (yuan), cost (yuan), low-stock warning, stock per branch
PRODUCTS = (
    ("补水面膜（片）", "MK-01", "6901234500011", 38, 9, 20, (60, 12)),
    ("玻尿酸精华 30ml", "SR-02", "6901234500028", 398, 120, 5, (18, 4)),
    ("氨基酸洁面乳", "CL-03", "6901234500035", 168, 45, 6, (24, 15)),
    ("修护面霜 50g", "CR-04", "6901234500042", 458, 150, 4, (10, 6)),
    ("防晒乳 SPF50", "SP-05", "6901234500059", 228, 70, 6, (30, 20)),
    ("精油（薰衣草）", "OL-06", "6901234500066", 288, 80, 3, (8, 2)),
    ("护发精油", "HR-07", "6901234500073", 198, 55, 5, (14, 9)),
)

#: name, member price % of list, top-up to reach (yuan), validity (months), {kind: %}
TIERS: tuple[tuple[str, int, int, int, dict[str, int]], ...] = (
    ("银卡", 95, 1000, 12, {}),
    ("金卡", 88, 3000, 24, {ServiceCategory.FACIAL: 85}),
    ("钻石卡", 80, 10000, 36, {ServiceCategory.FACIAL: 75, ServiceCategory.SPA: 78}),
)

#: top-up of at least (yuan), bonus (yuan)
BONUS_RULES = ((1000, 100), (3000, 500), (5000, 1000), (10000, 2500))

#: name, services, sessions, price (yuan), validity (days), sold only at the first branch
TEMPLATES = (
    ("补水保湿护理10次", ("补水保湿护理",), 10, 3280, 365, False),
    ("深层清洁5次", ("深层清洁护理",), 5, 1280, 180, False),
    ("肩颈理疗10次", ("肩颈理疗",), 10, 1980, 365, False),
    ("面部焕新疗程", ("美白淡斑护理", "玻尿酸导入"), 8, 4280, 365, True),
    ("头皮护理6次", ("头皮护理",), 6, 1380, 180, False),
)


def _categories(business: Business) -> None:
    for position, (kind, name) in enumerate(CATEGORIES.items()):
        category = MenuCategory.objects.create(
            business=business, name=name, kind=kind, position=position
        )
        Service.objects.filter(business=business, category=kind).update(menu_category=category)


def _products(business: Business, branches: list[Branch]) -> dict[str, Product]:
    products = {}
    for name, sku, barcode, price, cost, low, stock in PRODUCTS:
        product = Product.objects.create(
            business=business,
            name=name,
            sku=sku,
            barcode=barcode,
            price_fen=fen_from_yuan(price),
            cost_fen=fen_from_yuan(cost),
            low_stock_at=low,
        )
        products[sku] = product
        for branch, quantity in zip(branches, stock, strict=False):
            ledger.stock_append(
                product, branch, kind=StockEntryKind.RECEIVE, delta=quantity, actor=None
            )
    return products


def _tiers(business: Business) -> None:
    categories = {c.kind: c for c in MenuCategory.objects.filter(business=business)}
    for name, pct, topup, months, own in TIERS:
        tier = CardTier.objects.create(
            business=business,
            name=name,
            discount_pct=pct,
            min_topup_fen=fen_from_yuan(topup),
            validity_months=months,
        )
        TierCategoryPrice.objects.bulk_create(
            [
                TierCategoryPrice(tier=tier, category=categories[k], price_pct=p)
                for k, p in own.items()
            ]
        )
    today = timezone.localdate()
    rules = [
        BonusRule(business=business, pay_fen=fen_from_yuan(pay), bonus_fen=fen_from_yuan(bonus))
        for pay, bonus in BONUS_RULES
    ]
    # A limited offer: 充2000送400 for the month ahead.
    rules.append(
        BonusRule(
            business=business,
            pay_fen=fen_from_yuan(2000),
            bonus_fen=fen_from_yuan(400),
            valid_from=today,
            valid_until=today + dt.timedelta(days=30),
        )
    )
    BonusRule.objects.bulk_create(rules)


def _templates(business: Business, branches: list[Branch]) -> None:
    by_name = {s.name: s for s in Service.objects.filter(business=business)}
    for name, covered, sessions, price, days, first_only in TEMPLATES:
        template = PackageTemplate.objects.create(
            business=business,
            name=name,
            sessions=sessions,
            price_fen=fen_from_yuan(price),
            validity_days=days,
        )
        template.services.set([by_name[s] for s in covered if s in by_name])
        if first_only and branches:
            template.branches.set(branches[:1])


@transaction.atomic
def demo_menu(*, business: Business, seed: int = 42) -> dict[str, int]:
    """The demo salon's menu set-up (`seed` is the builder's; the menu is the same for all)."""
    branches = list(Branch.objects.filter(business=business).order_by("pk"))
    _categories(business)
    products = _products(business, branches)
    _tiers(business)
    _templates(business, branches)
    facial = Service.objects.filter(business=business, name="补水保湿护理").first()
    if facial is not None:
        ServiceConsumable.objects.create(service=facial, product=products["MK-01"], quantity=1)
    newer = branches[1:2]
    BranchPrice.objects.bulk_create(
        [
            BranchPrice(branch=branch, service=service, price_fen=service.price_fen + 2000)
            for branch in newer
            for service in Service.objects.filter(
                business=business, category=ServiceCategory.FACIAL
            )
        ]
    )
    return {
        "categories": len(CATEGORIES),
        "products": len(products),
        "tiers": len(TIERS),
        "templates": len(TEMPLATES),
        "commission_lines": demo_commissions(business=business),
    }


def demo_sales(*, business: Business, seed: int = 42) -> dict[str, int]:
    """The sales demo step: the menu, then the till in use (cards, packages, today's visits)."""
    return demo_menu(business=business, seed=seed) | demo_till(business=business, seed=seed)


#: The demo's commission plans (提成): name, the role they pay, rates by kind in basis points
#: (service: rotation, designated).
COMMISSION_PLANS = (
    ("美容师提成", Role.BEAUTICIAN,
     {"service": (1000, 1500), "product": (800, None), "card_consumed": (200, None)}),
    ("前台提成", Role.FRONT_DESK,
     {"card_sold": (100, None), "package": (200, None), "product": (500, None)}),
    ("店长提成", Role.MANAGER,
     {"service": (500, 800), "card_sold": (50, None), "package": (100, None)}),
)  # fmt: skip


def demo_commissions(*, business: Business) -> int:
    """Commission plans for the demo staff by role, and the commission lines of the history's
    visits (set-based, `commissions_backfill`), so the statements show real figures; checkouts
    made in the demo from now on write theirs as they happen."""
    for name, role, rates in COMMISSION_PLANS:
        plan = CommissionPlan.objects.create(business=business, name=name, role=role)
        CommissionRate.objects.bulk_create(
            CommissionRate(plan=plan, kind=kind, percent_bp=bp, designated_percent_bp=designated)
            for kind, (bp, designated) in rates.items()
        )
    return commissions_backfill(business_id=business.pk)
