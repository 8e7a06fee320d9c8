"""Typed inputs of commissions (提成), shared by the API and the pages: plans with their rates
by kind, a staff member's plan, closing a month, adjusting a closed month's statement."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema

from liuke.core.api import JsonObjectIn
from liuke.core.money import MAX_FEN
from liuke.sales.models.commission import BP_PER_WHOLE
from liuke.sales.schemas import Id

#: A percentage in basis points (1250 = 12.5 %), 0 to 100 %.
BasisPoints = Annotated[int, Field(ge=0, le=BP_PER_WHOLE)]
#: A fixed amount per unit, in fen (zero or more).
FixedFen = Annotated[int, Field(ge=0, le=MAX_FEN)]
#: "2026-11"
Month = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")]


class RateIn(JsonObjectIn):
    """One kind's rate: a percentage of the base and/or a fixed amount per unit; a designated
    (指定) customer's rate for services (none: as rotation)."""

    percent_bp: BasisPoints = 0
    fixed_fen: FixedFen = 0
    designated_percent_bp: BasisPoints | None = None
    designated_fixed_fen: FixedFen | None = None


class RatesIn(JsonObjectIn):
    service: RateIn | None = None
    card_sold: RateIn | None = None
    card_consumed: RateIn | None = None
    product: RateIn | None = None
    package: RateIn | None = None

    def by_kind(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class PlanIn(JsonObjectIn):
    name: Annotated[str, Field(min_length=1, max_length=60)]
    #: The role whose staff this plan pays when they have none of their own ("" for none).
    role: Annotated[str, Field(max_length=20)] = ""
    rates: RatesIn = RatesIn()


class PlanPatch(JsonObjectIn):
    name: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    role: Annotated[str, Field(max_length=20)] | None = None
    is_active: bool | None = None
    rates: RatesIn | None = None

    def service_data(self) -> dict[str, Any]:
        data = self.model_dump(exclude_none=True)
        if self.rates is not None:
            data["rates"] = self.rates.by_kind()
        return data


class AssignIn(JsonObjectIn):
    #: The plan of the staff member's own; null: back to their role's plan.
    plan_id: Id | None = None


class MonthIn(JsonObjectIn):
    month: Month


class AdjustmentIn(JsonObjectIn):
    staff_id: Id
    month: Month
    #: Plus or minus, in fen; never zero.
    amount_fen: Annotated[int, Field(ge=-MAX_FEN, le=MAX_FEN)]
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class MonthQuery(Schema):
    month: Month | None = None
    branch_id: Id | None = None
