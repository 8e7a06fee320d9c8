"""The demo salon's till in use: stored-value cards at each tier with their top-ups (and the bonus
rules' gifts), packages sold from the templates, and today's checkouts so far, paid by WeChat
Pay, Alipay, cash, cards and package sessions.

Made through the services a front desk uses (`card_issue`, `card_topup`, `package_sell`,
`checkout`), as each branch's front desk, so the ledgers, payments, stock, audit log and the
consumption notices in the outbox are what a salon's own day writes: the daily close, the
liabilities (stored value and sessions still owed) and each card's and package's ledger show real
figures. The past visits' payments are the generator's (`liuke.demo.generator`).

Run by the sales demo step after the menu (`demo_menu`). Deterministic for the seed; about a
hundred service calls whatever the number of customers, so the first start stays quick.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.core.money import fen_from_yuan
from liuke.customers.models import Customer
from liuke.sales import ledger, services
from liuke.sales.models import (
    CardTier,
    Package,
    PackageTemplate,
    Product,
    Service,
    StoredValueCard,
)
from liuke.sales.selectors import eligible_performers

#: Cards per branch at each tier (by the tier's rank, cheapest first): most customers hold the
#: entry tier, a few the top one.
CARDS_PER_TIER = (9, 5, 2)
#: The first top-up per tier rank, in yuan (at least the tier's own minimum), some above the
#: bonus rules' thresholds.
TOPUPS_YUAN = ((1000, 1500, 2000), (3000, 5000), (10000,))
#: Packages sold per branch, from the templates the branch sells.
PACKAGES_PER_BRANCH = 8
#: Today's checkouts per branch so far: card holders and package holders, then a few who pay
#: by phone or cash.
CHECKOUTS_PER_BRANCH = 6
WALK_INS_PER_BRANCH = 3
#: Before ten in the morning the day's checkouts are spread from midnight, not the 09:00 opening.
OPEN_AFTER = dt.timedelta(hours=10)
#: Methods of the money that comes in (top-ups, package sales, what a card does not cover).
MONEY = ("wechat", "alipay", "wechat", "cash", "alipay", "bank_card")


@dataclass
class _Branch:
    branch: Branch
    desk: User
    beauticians: list[User]
    customers: list[Customer]


def _front_desk(business: Business, branch: Branch) -> User:
    """The branch's front desk (the one who works the till); the owner when there is none."""
    desk = (
        User.objects.filter(business=business, role=Role.FRONT_DESK, branches=branch)
        .order_by("pk")
        .first()
    )
    owner = User.objects.filter(business=business, role=Role.OWNER).order_by("pk").first()
    found = desk or owner
    if found is None:
        raise LookupError("The demo business has no front desk and no owner.")
    return found


def _regulars(business: Business, branch: Branch, count: int) -> list[Customer]:
    """The branch's most frequent customers (the ones who buy cards and packages)."""
    return list(
        # not key accounts: the front desk sees their file only with a grant
        Customer.objects.filter(
            business=business, branch=branch, merged_into__isnull=True, is_key_account=False
        )
        .annotate(n=Count("visits"))
        .order_by("-n", "pk")[:count]
    )


def _branches(business: Business, need: int) -> list[_Branch]:
    out = []
    for branch in Branch.objects.filter(business=business).order_by("pk"):
        beauticians = list(
            User.objects.filter(
                business=business, role=Role.BEAUTICIAN, branches=branch, is_active=True
            ).order_by("pk")
        )
        customers = _regulars(business, branch, need)
        if beauticians and customers:
            out.append(_Branch(branch, _front_desk(business, branch), beauticians, customers))
    return out


def _cards(b: _Branch, tiers: Sequence[CardTier], rng: random.Random) -> list[StoredValueCard]:
    cards: list[StoredValueCard] = []
    holders = iter(b.customers)
    for rank, tier in enumerate(tiers):
        for _n in range(CARDS_PER_TIER[min(rank, len(CARDS_PER_TIER) - 1)]):
            customer = next(holders, None)
            if customer is None:
                return cards
            card = services.card_issue(
                actor=b.desk,
                customer_id=customer.pk,
                branch_id=b.branch.pk,
                number=f"LY{b.branch.code}{len(cards) + 1:04d}",
                tier_id=tier.pk,
            )
            amounts = TOPUPS_YUAN[min(rank, len(TOPUPS_YUAN) - 1)]
            fen = max(fen_from_yuan(rng.choice(amounts)), tier.min_topup_fen)
            services.card_topup(
                actor=b.desk, card_id=card.pk, amount_fen=fen, method=rng.choice(MONEY)
            )
            cards.append(card)
    return cards


def _packages(b: _Branch, rng: random.Random) -> list[Package]:
    templates = list(
        PackageTemplate.objects.filter(business_id=b.branch.business_id, is_active=True)
        .exclude(branches__isnull=False)
        .order_by("pk")
    ) + list(PackageTemplate.objects.filter(branches=b.branch, is_active=True).order_by("pk"))
    if not templates:
        return []
    # Package buyers are regulars too, many of them also card holders (as in a real salon).
    buyers = b.customers[::2][:PACKAGES_PER_BRANCH]
    return [
        services.package_sell(
            actor=b.desk,
            customer_id=customer.pk,
            branch_id=b.branch.pk,
            method=rng.choice(MONEY),
            template_id=templates[i % len(templates)].pk,
        )
        for i, customer in enumerate(buyers)
    ]


def _staff_for(service: Service, b: _Branch) -> User:
    performers = eligible_performers(service, b.branch)
    return performers.filter(role=Role.BEAUTICIAN).first() or performers.first() or b.desk


def _checkout_data(
    b: _Branch, customer: Customer, when: dt.datetime, rng: random.Random, menu: _Menu
) -> dict[str, Any]:
    """One of today's visits: a package session when the customer holds one, else a service
    at the member price of their card, sometimes a product too; paid by the card first, the
    rest by phone or cash."""
    data: dict[str, Any] = {"customer_id": customer.pk, "branch_id": b.branch.pk}
    package = menu.packages.get(customer.pk)
    card = menu.cards.get(customer.pk)
    if package is not None:
        service = package.services.order_by("pk").first()
        assert service is not None  # a package covers at least one service
        lines = [{"service_id": service.pk, "staff_id": _staff_for(service, b).pk,
                  "package_id": package.pk}]  # fmt: skip
    else:
        service = rng.choice(menu.services)
        lines = [{"service_id": service.pk, "staff_id": _staff_for(service, b).pk}]
    on_shelf = [p for p in menu.products if ledger.stock_on_hand(p, b.branch) > 2]
    if on_shelf and rng.random() < 0.35:
        lines.append({"product_id": rng.choice(on_shelf).pk, "quantity": 1})
    data["lines"] = lines
    data["visited_at"] = when
    if card is not None:
        data["member_card_id"] = card.pk
    quote = services.checkout_quote(actor=b.desk, data=data)
    due = quote.total_fen
    payments: list[dict[str, Any]] = []
    if card is not None and due:
        from_card = min(due, sum(ledger.card_balances(card)))
        if from_card:
            payments.append({"method": "stored_value", "card_id": card.pk, "amount_fen": from_card})
            due -= from_card
    if due:
        payments.append({"method": rng.choice(MONEY), "amount_fen": due})
    data["payments"] = payments
    return data


@dataclass
class _Menu:
    services: list[Service]
    products: list[Product]
    cards: dict[int, StoredValueCard]
    packages: dict[int, Package]


def _visit_times(branch: Branch, now: dt.datetime, count: int) -> list[dt.datetime]:
    """`count` moments of the branch's day so far, evenly from its opening (09:00; midnight when
    the demo is built before ten) to now: always today, where the cards' and packages' ledger
    entries and the payments (stamped now) are, so the day's close adds them up together."""
    local = now.astimezone(zoneinfo.ZoneInfo(branch.time_zone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight + dt.timedelta(hours=9) if local - midnight > OPEN_AFTER else midnight
    return [start + (local - start) * (k + 1) / (count + 1) for k in range(count)]


def _today(b: _Branch, menu: _Menu, rng: random.Random, now: dt.datetime) -> int:
    """Today's checkouts so far, spread over the day up to now."""
    first = sum(CARDS_PER_TIER)  # the regulars after the card holders hold no card
    customers = b.customers[:CHECKOUTS_PER_BRANCH] + b.customers[first:][:WALK_INS_PER_BRANCH]
    times = _visit_times(b.branch, now, len(customers))
    for customer, when in zip(customers, times, strict=True):
        services.checkout(actor=b.desk, data=_checkout_data(b, customer, when, rng, menu))
    return len(customers)


def demo_till(*, business: Business, seed: int = 42) -> dict[str, int]:
    """Cards, top-ups, packages and today's checkouts of the demo salon, through the services."""
    rng = random.Random(seed)
    tiers = list(CardTier.objects.filter(business=business, is_active=True).order_by("pk"))
    need = max(sum(CARDS_PER_TIER) + WALK_INS_PER_BRANCH, PACKAGES_PER_BRANCH * 2)
    counts = {"cards": 0, "packages": 0, "checkouts": 0}
    now = timezone.now()
    for b in _branches(business, need):
        cards = _cards(b, tiers, rng)
        packages = _packages(b, rng)
        menu = _Menu(
            services=list(Service.objects.filter(business=business, is_active=True)
                          .exclude(price_fen=0).order_by("pk")),
            products=list(Product.objects.filter(business=business, is_active=True)
                          .order_by("pk")),
            cards={c.customer_id: c for c in cards},
            packages={p.customer_id: p for p in packages},
        )  # fmt: skip
        counts["cards"] += len(cards)
        counts["packages"] += len(packages)
        counts["checkouts"] += _today(b, menu, rng, now)
    return counts
