"""The enumerations of the appointment book."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    ROOM = "room", _("Room")
    BED = "bed", _("Bed")
    DEVICE = "device", _("Device")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    ARRIVED = "arrived", _("Arrived")
    IN_SERVICE = "in_service", _("In service")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class AppointmentSource(models.TextChoices):
    DESK = "desk", _("Front desk")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("Phone")


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a time")
    BOOKED = "booked", _("Booked")
    CLOSED = "closed", _("Taken off the list")


#: The statuses whose items hold their staff member and resource; a cancelled or no-show
#: appointment frees its time (its items' `active` is off, and the exclusion constraints are
#: partial on it).
HOLDING = frozenset(
    {
        AppointmentStatus.BOOKED,
        AppointmentStatus.CONFIRMED,
        AppointmentStatus.ARRIVED,
        AppointmentStatus.IN_SERVICE,
        AppointmentStatus.COMPLETED,
    }
)

#: status → the statuses it may move to by `appointment_status_set` (cancelling has its own
#: service, `appointment_cancel`, which records who, when and why).
TRANSITIONS: dict[str, frozenset[str]] = {
    AppointmentStatus.BOOKED: frozenset(
        {AppointmentStatus.CONFIRMED, AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW}
    ),
    AppointmentStatus.CONFIRMED: frozenset({AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW}),
    AppointmentStatus.ARRIVED: frozenset(
        {AppointmentStatus.IN_SERVICE, AppointmentStatus.COMPLETED}
    ),
    AppointmentStatus.IN_SERVICE: frozenset({AppointmentStatus.COMPLETED}),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}

#: The statuses an appointment can still be moved, re-staffed or cancelled in.
OPEN = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED})
