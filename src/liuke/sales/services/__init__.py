"""Every write that moves money, sessions or stock: one transaction each, validated first,
audited, with the ledgers appended under a lock on the account (see `sales.ledger`).

One module per concept (pricing, checkout, cards, packages, stock, refunds; the shared lookups
in `lookups`). The public service functions are re-exported here because views, the API, other
apps' services and many tests call them as `services.checkout(...)`, `services.card_topup(...)`.
"""

from __future__ import annotations

from liuke.sales.services.cards import (
    bonus_for,
    card_bonus_grant,
    card_deduct,
    card_issue,
    card_refund,
    card_topup,
    topup_confirmation_check,
)
from liuke.sales.services.checkout import checkout
from liuke.sales.services.menu import (
    branch_price_set,
    category_create,
    category_update,
    consumable_set,
    service_create,
    service_update,
)
from liuke.sales.services.packages import package_extend, package_sell
from liuke.sales.services.pricing import list_price, member_price
from liuke.sales.services.quote import Quote, QuoteLine, checkout_quote
from liuke.sales.services.refunds import visit_exchange, visit_refund
from liuke.sales.services.stock import product_create, product_update, stock_count, stock_receive
from liuke.sales.services.templates import template_create, template_update
from liuke.sales.services.tiers import (
    bonus_rule_create,
    bonus_rule_update,
    tier_create,
    tier_update,
)

__all__ = [
    "Quote",
    "QuoteLine",
    "bonus_for",
    "bonus_rule_create",
    "bonus_rule_update",
    "branch_price_set",
    "card_bonus_grant",
    "card_deduct",
    "card_issue",
    "card_refund",
    "card_topup",
    "category_create",
    "category_update",
    "checkout",
    "checkout_quote",
    "consumable_set",
    "list_price",
    "member_price",
    "package_extend",
    "package_sell",
    "product_create",
    "product_update",
    "service_create",
    "service_update",
    "stock_count",
    "stock_receive",
    "template_create",
    "template_update",
    "tier_create",
    "tier_update",
    "topup_confirmation_check",
    "visit_exchange",
    "visit_refund",
]
