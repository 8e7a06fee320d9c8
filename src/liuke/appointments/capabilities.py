"""The appointment book's capabilities and the roles that hold them (docs/security.md).

Everyone on the staff reads the book; a beautician only their own column (without
`appointments.view_all`); the front desk,
managers and owners book, move, check in and cancel; owners and managers keep the resources
and may book outside the opening hours or the roster by an explicit override, which the audit
log records.
"""

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


class AppointmentCap(Capability):
    APPOINTMENT_VIEW = "appointments.view"
    #: The whole book of a branch; without it (beauticians) one's own column only.
    APPOINTMENT_VIEW_ALL = "appointments.view_all"
    APPOINTMENT_BOOK = "appointments.book"
    APPOINTMENT_MANAGE = "appointments.manage"
    APPOINTMENT_OVERRIDE = "appointments.override"


ROLES: RoleTable = {
    AppointmentCap.APPOINTMENT_VIEW:     EVERYONE,
    AppointmentCap.APPOINTMENT_VIEW_ALL: frozenset({OWNER, MANAGER, FRONT_DESK, AUDITOR}),
    AppointmentCap.APPOINTMENT_BOOK:     frozenset({OWNER, MANAGER, FRONT_DESK}),
    AppointmentCap.APPOINTMENT_MANAGE:   OWNERS_AND_MANAGERS,
    AppointmentCap.APPOINTMENT_OVERRIDE: OWNERS_AND_MANAGERS,
}  # fmt: skip
