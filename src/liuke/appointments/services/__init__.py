"""The writes of the appointment book (docs/appointments.md)."""

from __future__ import annotations

from liuke.appointments.services.booking import appointment_book, appointment_item_move
from liuke.appointments.services.caller import appointment_book_caller
from liuke.appointments.services.resources import (
    resource_create,
    resource_update,
    service_resource_clear,
    service_resource_set,
)
from liuke.appointments.services.status import appointment_cancel, appointment_status_set

__all__ = [
    "appointment_book",
    "appointment_book_caller",
    "appointment_cancel",
    "appointment_item_move",
    "appointment_status_set",
    "resource_create",
    "resource_update",
    "service_resource_clear",
    "service_resource_set",
]
