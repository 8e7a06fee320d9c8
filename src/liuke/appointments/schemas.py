"""Request and response shapes of the appointments API (`liuke.appointments.api`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StrictBool

from liuke.appointments.choices import AppointmentSource, ResourceKind
from liuke.core.api import JsonObjectIn
from liuke.core.inputs import Choice, Day, PlannedDay, PlannedMoment

Id = Annotated[int, Field(ge=1, le=2**62)]
_NO_NUL = r"^[^\x00]*$"
StatusIn = Literal["confirmed", "arrived", "in_service", "completed", "no_show"]


class ItemIn(JsonObjectIn):
    service_id: Id
    staff_id: Id
    #: With an offset, or on the branch's clock without one.
    start_at: PlannedMoment
    #: Without it, the service's length with its processing gap and clean-up.
    end_at: PlannedMoment | None = None
    #: Without it, a resource of the kind the service needs (if it needs one).
    resource_id: Id | None = None


class AppointmentBookIn(JsonObjectIn):
    branch_id: Id
    customer_id: Id
    items: list[ItemIn] = Field(min_length=1, max_length=10)
    source: Choice[AppointmentSource] = AppointmentSource.DESK
    notes: str = Field("", max_length=500, pattern=_NO_NUL)
    #: Book outside the opening hours or the staff member's roster (managers and owners;
    #: recorded in the audit log).
    override: StrictBool = False


class ItemMoveIn(JsonObjectIn):
    start_at: PlannedMoment
    end_at: PlannedMoment | None = None
    staff_id: Id | None = None
    override: StrictBool = False


class AppointmentStatusIn(JsonObjectIn):
    status: StatusIn


class AppointmentCancelIn(JsonObjectIn):
    reason: str = Field(max_length=200, pattern=_NO_NUL)
    #: The customer asked (counts as late inside the notice window); false: the salon did.
    by_customer: StrictBool = True


class ResourceIn(JsonObjectIn):
    branch_id: Id
    name: str = Field(min_length=1, max_length=60, pattern=_NO_NUL)
    kind: Choice[ResourceKind]
    count: int = Field(1, ge=1, le=100)


class ResourcePatchIn(JsonObjectIn):
    name: str | None = Field(None, min_length=1, max_length=60, pattern=_NO_NUL)
    kind: Choice[ResourceKind] | None = None
    count: int | None = Field(None, ge=1, le=100)
    is_active: StrictBool | None = None


class ServiceResourceIn(JsonObjectIn):
    service_id: Id
    kind: Choice[ResourceKind]
    resource_id: Id | None = None


class DayQuery(Schema):
    branch_id: Id
    day: Day


class ResourceOut(Schema):
    id: int
    branch_id: int
    name: str
    kind: str
    count: int
    is_active: bool


class ServiceResourceOut(Schema):
    id: int
    service_id: int
    kind: str
    resource_id: int | None


class ItemOut(Schema):
    id: int
    appointment_id: int
    service_id: int
    service_name: str
    staff_id: int
    staff_name: str
    resource_id: int | None
    resource_name: str | None
    resource_unit: int | None
    start_at: dt.datetime
    end_at: dt.datetime
    active: bool


class AppointmentOut(Schema):
    id: int
    branch_id: int
    customer_id: int
    customer_name: str
    status: str
    source: str
    notes: str
    starts_at: dt.datetime
    cancelled_at: dt.datetime | None
    cancel_reason: str
    late_cancellation: bool
    outside_hours: bool
    items: list[ItemOut]


class DayBookOut(Schema):
    branch_id: int
    day: dt.date
    time_zone: str
    appointments: list[AppointmentOut]


class CustomerBookOut(Schema):
    customer_id: int
    no_shows: int
    late_cancellations: int
    appointments: list[AppointmentOut]


class DeskBookIn(JsonObjectIn):
    """The book page's tap-to-book form: one service for one staff member, for a customer found
    by the search or a new caller by name and mobile."""

    branch_id: Id
    staff_id: Id
    service_id: Id
    start_at: PlannedMoment
    customer_id: Id | None = None
    new_name: str = Field("", max_length=60, pattern=_NO_NUL)
    new_mobile: str = Field("", max_length=20, pattern=_NO_NUL)
    notes: str = Field("", max_length=500, pattern=_NO_NUL)
    override: StrictBool = False


class DeskCancelIn(JsonObjectIn):
    reason: str = Field(min_length=1, max_length=200, pattern=_NO_NUL)
    by_customer: StrictBool = False


# --- availability (`appointments.availability`) ------------------------------------------------


class AvailabilityQuery(Schema):
    branch_id: Id
    service_id: Id
    #: Without it: "any staff" (every staff member who performs the service there).
    staff_id: Id | None = None
    #: The first day (the branch's clock); today without it.
    day: PlannedDay | None = None
    days: int = Field(14, ge=1, le=31)
    step_min: int = Field(15, ge=5, le=60, multiple_of=5)


class PerformerOut(Schema):
    staff_id: int
    name: str


class AvailabilityOut(Schema):
    branch_id: int
    service_id: int
    staff_id: int | None
    time_zone: str
    #: The free start times, on the branch's clock with its offset, sorted.
    starts: list[dt.datetime]
    #: Who performs the service at the branch (to ask again for one of them).
    performers: list[PerformerOut]


class BookingSettingsIn(JsonObjectIn):
    """The booking rules a business sets (`BookingSettings`)."""

    cancel_notice_hours: int = Field(24, ge=0, le=168)
    online_enabled: StrictBool = False
    online_days_ahead: int = Field(30, ge=1, le=365)
    online_min_notice_hours: int = Field(2, ge=0, le=168)
    online_needs_confirmation: StrictBool = False
    reminder_hours: int = Field(24, ge=0, le=168)
    calendar_shows_names: StrictBool = False
