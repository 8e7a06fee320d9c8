"""The sales app's capabilities and the roles that hold them (docs/security.md)."""

from __future__ import annotations

from liuke.accounts.capabilities import (
    AUDITOR,
    EVERYONE,
    FRONT_DESK,
    MANAGER,
    OWNER,
    OWNERS_AND_MANAGERS,
)
from liuke.core.registry import Capability, RoleTable


class SalesCap(Capability):
    SALE_CHECKOUT = "sale.checkout"
    CARD_MANAGE = "card.manage"
    PACKAGE_SELL = "package.sell"
    PACKAGE_EXTEND = "package.extend"
    SALE_REFUND = "sale.refund"
    CATALOGUE_MANAGE = "catalogue.manage"
    MENU_MANAGE = "menu.manage"
    COST_VIEW = "cost.view"
    PACKAGE_PRICE_OVERRIDE = "package.price_override"
    STOCK_MANAGE = "stock.manage"
    SALES_VIEW = "sales.view"
    DAILY_CLOSE_VIEW = "sales.daily_close"
    #: Commission plans and rates, closing a month, adjusting a closed month's statement.
    COMMISSION_MANAGE = "commission.manage"
    #: Giving a staff member a commission plan (a manager: staff of their branches).
    COMMISSION_ASSIGN = "commission.assign"


ROLES: RoleTable = {
    SalesCap.SALE_CHECKOUT:    frozenset({OWNER, MANAGER, FRONT_DESK}),
    SalesCap.CARD_MANAGE:      frozenset({OWNER, MANAGER, FRONT_DESK}),
    SalesCap.PACKAGE_SELL:     frozenset({OWNER, MANAGER, FRONT_DESK}),
    SalesCap.PACKAGE_EXTEND:   OWNERS_AND_MANAGERS,
    SalesCap.SALE_REFUND:      OWNERS_AND_MANAGERS,
    SalesCap.CATALOGUE_MANAGE: OWNERS_AND_MANAGERS,
    SalesCap.MENU_MANAGE:      frozenset({OWNER}),
    SalesCap.COST_VIEW:        frozenset({OWNER, MANAGER, AUDITOR}),
    SalesCap.PACKAGE_PRICE_OVERRIDE: OWNERS_AND_MANAGERS,
    SalesCap.STOCK_MANAGE:     OWNERS_AND_MANAGERS,
    SalesCap.SALES_VIEW:       EVERYONE,
    SalesCap.DAILY_CLOSE_VIEW: frozenset({OWNER, MANAGER, FRONT_DESK, AUDITOR}),
    SalesCap.COMMISSION_MANAGE: frozenset({OWNER}),
    SalesCap.COMMISSION_ASSIGN: OWNERS_AND_MANAGERS,
}  # fmt: skip
