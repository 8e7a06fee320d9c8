"""Prices: the branch's list price and the member price of a card tier."""

from __future__ import annotations

from liuke.accounts.models import Branch
from liuke.sales.models import (
    BranchPrice,
    CardTier,
    Product,
    Service,
    TierCategoryPrice,
)


def list_price(item: Service | Product, branch: Branch) -> int:
    """The branch's own price when it has one, else the catalogue price."""
    lookup = {"service": item} if isinstance(item, Service) else {"product": item}
    own = BranchPrice.objects.filter(branch=branch, **lookup).values_list("price_fen", flat=True)
    return next(iter(own), item.price_fen)


def member_price(price: int, tier: CardTier | None, pct: int | None = None) -> int:
    """Member price: `pct` (the tier's own for the item's category), else the tier's
    `discount_pct`, % of list, rounded half up to the fen."""
    if tier is None:
        return price
    pct = tier.discount_pct if pct is None else pct
    if pct >= 100:
        return price
    return (price * pct * 2 + 100) // 200


def category_percentages(tier: CardTier | None) -> dict[int, int]:
    """A tier's own member prices by category id (read once per quote)."""
    if tier is None:
        return {}
    return dict(TierCategoryPrice.objects.filter(tier=tier).values_list("category_id", "price_pct"))
