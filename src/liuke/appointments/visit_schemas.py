"""Request and response shapes of `liuke.appointments.api_visits`: a customer's standing,
the booking rules, the waitlist."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictBool

from liuke.core.api import JsonObjectIn
from liuke.core.inputs import ClockTime, ClockTimeOut, PlannedDay

Id = Annotated[int, Field(ge=1, le=2**62)]

_NO_NUL = r"^[^\x00]*$"


class StandingOut(Schema):
    customer_id: int
    no_shows: int
    late_cancellations: int
    missed_limit: int
    policy_applies: bool
    policy_note: str
    deposit_required: bool


class BookingRulesIn(JsonObjectIn):
    cancel_notice_hours: int | None = Field(None, ge=0, le=720)
    #: 0: no policy after missed appointments
    missed_limit: int | None = Field(None, ge=0, le=50)
    missed_note: str | None = Field(None, max_length=200, pattern=_NO_NUL)
    missed_deposit: StrictBool | None = None


class BookingSettingsOut(Schema):
    cancel_notice_hours: int
    missed_limit: int
    missed_note: str
    missed_deposit: bool


class WaitlistIn(JsonObjectIn):
    branch_id: Id
    customer_id: Id
    service_id: Id
    #: None: anyone who performs the service.
    staff_id: Id | None = None
    first_day: PlannedDay
    last_day: PlannedDay
    earliest: ClockTime
    latest: ClockTime
    note: str = Field("", max_length=200, pattern=_NO_NUL)


class WaitlistQuery(Schema):
    branch_id: Id


class WaitlistOut(Schema):
    id: int
    branch_id: int
    customer_id: int
    customer_name: str
    service_id: int
    service_name: str
    staff_id: int | None
    first_day: dt.date
    last_day: dt.date
    earliest: ClockTimeOut
    latest: ClockTimeOut
    note: str
    status: str
    offer_start: dt.datetime | None
    offer_staff_id: int | None
    appointment_id: int | None
