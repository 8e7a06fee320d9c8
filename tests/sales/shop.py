"""A small salon's sales set-up for the sales tests, built through the real services.

Branch A (静安店) sells 面部护理 (¥100.00, 10000 fen) and 肩颈按摩 (¥200.00), and 补水面膜
(¥50.00, 10 in stock). The 金卡 tier pays 88% of list; topping up ¥1,000 earns ¥200 bonus.
The customer holds a 金卡 card topped up with ¥1,000 (paid 100000 + bonus 20000 fen) and a
package of 3 facials sold for ¥100.00 (sessions worth 3333, 3333 and 3334 fen).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.accounts.policy import business_of
from liuke.customers.models import Customer
from liuke.sales import ledger, services
from liuke.sales.models import (
    BonusRule,
    CardEntry,
    CardTier,
    Package,
    PackageEntry,
    Payment,
    Product,
    Refund,
    Service,
    StockEntry,
    StoredValueCard,
    Visit,
    VisitLine,
)


@dataclass
class Shop:
    owner: User
    branch: Branch
    beautician: User
    facial: Service
    massage: Service
    mask: Product
    tier: CardTier
    customer: Customer
    card: StoredValueCard
    package: Package

    def line(self, service: Service | None = None, **extra: Any) -> dict[str, Any]:
        """A service line performed by the beautician."""
        return {"service_id": (service or self.facial).pk, "staff_id": self.beautician.pk, **extra}

    def checkout_data(self, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "customer_id": self.customer.pk,
            "branch_id": self.branch.pk,
            "lines": list(lines) or [self.line()],
            **extra,
        }


def shop_make(*, owner: User, branch: Branch, beautician: User) -> Shop:
    business_id = business_of(owner)
    facial = Service.objects.create(
        business_id=business_id,
        category="facial",
        name="面部护理",
        duration_min=60,
        price_fen=10000,
    )
    massage = Service.objects.create(
        business_id=business_id, category="spa", name="肩颈按摩", duration_min=45, price_fen=20000
    )
    mask = Product.objects.create(
        business_id=business_id, name="补水面膜", sku="M1", price_fen=5000
    )
    services.stock_receive(actor=owner, product_id=mask.pk, branch_id=branch.pk, quantity=10)
    tier = CardTier.objects.create(business_id=business_id, name="金卡", discount_pct=88)
    BonusRule.objects.create(business_id=business_id, pay_fen=100000, bonus_fen=20000)
    customer = customer_make(actor=owner, branch=branch)
    card = services.card_issue(
        actor=owner, customer_id=customer.pk, branch_id=branch.pk, number="VIP001", tier_id=tier.pk
    )
    services.card_topup(actor=owner, card_id=card.pk, amount_fen=100000, method="cash")
    package = services.package_sell(
        actor=owner,
        customer_id=customer.pk,
        branch_id=branch.pk,
        name="面部护理3次",
        service_ids=[facial.pk],
        sessions=3,
        price_fen=10000,
        method="wechat",
    )
    return Shop(owner, branch, beautician, facial, massage, mask, tier, customer, card, package)


def counts() -> dict[str, int]:
    """Rows of every sales table: a refused operation must leave them all unchanged."""
    models = (
        Visit,
        VisitLine,
        Payment,
        Refund,
        CardEntry,
        PackageEntry,
        StockEntry,
        StoredValueCard,
        Package,
    )
    return {m.__name__: m.objects.count() for m in models}


def balances(card: StoredValueCard) -> tuple[int, int]:
    return ledger.card_balances(card)
