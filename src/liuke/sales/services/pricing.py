"""Prices: the branch's list price and the member price of a card tier."""

from __future__ import annotations

from liuke.accounts.models import Branch
from liuke.sales.models import (
    BranchPrice,
    CardTier,
    Product,
    Service,
)


def list_price(item: Service | Product, branch: Branch) -> int:
    """The branch's own price when it has one, else the catalogue price."""
    lookup = {"service": item} if isinstance(item, Service) else {"product": item}
    own = BranchPrice.objects.filter(branch=branch, **lookup).values_list("price_fen", flat=True)
    return next(iter(own), item.price_fen)


def member_price(price: int, tier: CardTier | None) -> int:
    """Member price: `discount_pct` % of list, rounded half up to the fen."""
    if tier is None or tier.discount_pct >= 100:
        return price
    return (price * tier.discount_pct * 2 + 100) // 200
