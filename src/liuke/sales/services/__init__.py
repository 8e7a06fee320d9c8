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
)
from liuke.sales.services.checkout import Quote, QuoteLine, checkout, checkout_quote
from liuke.sales.services.packages import package_extend, package_sell
from liuke.sales.services.pricing import list_price, member_price
from liuke.sales.services.refunds import visit_exchange, visit_refund
from liuke.sales.services.stock import stock_receive

__all__ = [
    "Quote",
    "QuoteLine",
    "bonus_for",
    "card_bonus_grant",
    "card_deduct",
    "card_issue",
    "card_refund",
    "card_topup",
    "checkout",
    "checkout_quote",
    "list_price",
    "member_price",
    "package_extend",
    "package_sell",
    "stock_receive",
    "visit_exchange",
    "visit_refund",
]
