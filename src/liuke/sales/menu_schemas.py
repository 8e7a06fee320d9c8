"""Typed inputs of the menu's set-up, shared by the API (request bodies) and the catalogue pages
(`liuke.core.inputs.parse_post`): service categories, services and their branch prices, products
and stock counts, card tiers, top-up bonus rules and package templates.

The models check the shape (types, lengths, whole numbers within a column); the services decide
the rest and refuse it with a clear, stable code: a price below zero (`invalid_amount`), a member
price outside 0 to 100 % (`invalid_percent`), a bonus rule overlapping another
(`bonus_rule_overlap`). An update takes only the fields sent (`model_dump(exclude_unset=True)`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from liuke.core.api import JsonObjectIn
from liuke.core.inputs import Day
from liuke.sales.schemas import Id

#: A whole number typed in, bounded so that it fits a column; the services check the range
#: the value means (a price at or above zero, a percentage up to 100) with their own codes.
Whole = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Name40 = Annotated[str, Field(max_length=40)]
Name100 = Annotated[str, Field(max_length=100)]
Reason = Annotated[str, Field(max_length=200)]


class CategoryIn(JsonObjectIn):
    name: Name40
    kind: Annotated[str, Field(max_length=20)] = "other"
    position: Whole = 0


class CategoryPatch(JsonObjectIn):
    name: Name40 | None = None
    kind: Annotated[str, Field(max_length=20)] | None = None
    position: Whole | None = None
    is_active: bool | None = None


class ServiceIn(JsonObjectIn):
    name: Name100
    category_id: Id
    duration_min: Whole
    price_fen: Whole
    performer_roles: Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=10)] = [
        "beautician",
        "manager",
        "owner",
    ]
    staff_ids: Annotated[list[Id], Field(max_length=200)] = []
    processing_gap_min: Whole = 0
    cleanup_min: Whole = 0


class ServicePatch(JsonObjectIn):
    name: Name100 | None = None
    category_id: Id | None = None
    duration_min: Whole | None = None
    price_fen: Whole | None = None
    performer_roles: (
        Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=10)] | None
    ) = None
    staff_ids: Annotated[list[Id], Field(max_length=200)] | None = None
    processing_gap_min: Whole | None = None
    cleanup_min: Whole | None = None
    is_active: bool | None = None


class BranchPriceIn(JsonObjectIn):
    """A branch's own price; null goes back to the list price."""

    price_fen: Whole | None


class ProductIn(JsonObjectIn):
    name: Name100
    sku: Name40
    barcode: Name40 = ""
    price_fen: Whole
    cost_fen: Whole | None = None
    low_stock_at: Whole = 0
    #: its menu category (a card tier's price for it applies); none: the tier's own
    category_id: Id | None = None


class ProductPatch(JsonObjectIn):
    name: Name100 | None = None
    sku: Name40 | None = None
    barcode: Name40 | None = None
    price_fen: Whole | None = None
    cost_fen: Whole | None = None
    low_stock_at: Whole | None = None
    #: null takes the product out of its category
    category_id: Id | None = None
    is_active: bool | None = None


class StockCountIn(JsonObjectIn):
    """A stock count: `counted` is what is on the shelf; the difference is booked, with a
    reason."""

    product_id: Id
    branch_id: Id
    counted: Whole
    reason: Reason


class ConsumableIn(JsonObjectIn):
    """A product a service uses up (耗材); quantity 0 removes it."""

    product_id: Id
    quantity: Whole


class TierIn(JsonObjectIn):
    name: Name40
    discount_pct: Whole = 100
    min_topup_fen: Whole = 0
    validity_months: Whole | None = None
    #: category id (as text in JSON) → member price as % of list for that category
    category_pct: dict[str, Whole] = {}


class TierPatch(JsonObjectIn):
    name: Name40 | None = None
    discount_pct: Whole | None = None
    min_topup_fen: Whole | None = None
    validity_months: Whole | None = None
    category_pct: dict[str, Whole | None] | None = None
    is_active: bool | None = None


class BonusRuleIn(JsonObjectIn):
    pay_fen: Whole
    bonus_fen: Whole
    valid_from: Day | None = None
    valid_until: Day | None = None


class BonusRulePatch(JsonObjectIn):
    pay_fen: Whole | None = None
    bonus_fen: Whole | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None
    is_active: bool | None = None


class TemplateIn(JsonObjectIn):
    name: Name100
    service_ids: Annotated[list[Id], Field(min_length=1, max_length=50)]
    sessions: Whole
    price_fen: Whole
    validity_days: Whole | None = None
    branch_ids: Annotated[list[Id], Field(max_length=200)] = []


class TemplatePatch(JsonObjectIn):
    name: Name100 | None = None
    service_ids: Annotated[list[Id], Field(min_length=1, max_length=50)] | None = None
    sessions: Whole | None = None
    price_fen: Whole | None = None
    validity_days: Whole | None = None
    branch_ids: Annotated[list[Id], Field(max_length=200)] | None = None
    is_active: bool | None = None


class CategoryOut(Schema):
    id: int
    name: str
    kind: str
    position: int
    is_active: bool


class MenuServiceOut(Schema):
    id: int
    name: str
    category_id: int | None
    category: str
    duration_min: int
    processing_gap_min: int
    cleanup_min: int
    price_fen: int
    branch_prices: dict[str, int]
    performer_roles: list[str]
    staff_ids: list[int]
    is_active: bool
    packages_covering: int


class MenuProductOut(Schema):
    id: int
    name: str
    sku: str
    barcode: str
    price_fen: int
    cost_fen: int | None = None
    low_stock_at: int
    category_id: int | None
    is_active: bool


class TierOut(Schema):
    id: int
    name: str
    discount_pct: int
    min_topup_fen: int
    validity_months: int | None
    category_pct: dict[str, int]
    is_active: bool


class BonusRuleOut(Schema):
    id: int
    pay_fen: int
    bonus_fen: int
    valid_from: dt.date | None
    valid_until: dt.date | None
    is_active: bool


class TemplateOut(Schema):
    id: int
    name: str
    service_ids: list[int]
    sessions: int
    price_fen: int
    validity_days: int | None
    branch_ids: list[int]
    is_active: bool


class StockCountOut(Schema):
    product_id: int
    branch_id: int
    stock: int
    low: bool
