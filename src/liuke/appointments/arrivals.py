"""Today's arrivals from the book: each appointment's customer with what the brief says before
greeting them (allergies and contraindications, preferences, a key account), as
`engagement.today` shows the arrivals it knows from checkout. Built from items already read
through the scoped, audited selectors (no further query)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest
from liuke.accounts.models import Branch, User
from liuke.appointments import selectors, timing
from liuke.appointments.choices import AppointmentStatus
from liuke.appointments.models import Appointment, AppointmentItem
from liuke.core.registry import PanelContent

#: The statuses of an appointment still expected or in the salon.
EXPECTED = frozenset(
    {
        AppointmentStatus.BOOKED,
        AppointmentStatus.CONFIRMED,
        AppointmentStatus.ARRIVED,
        AppointmentStatus.IN_SERVICE,
    }
)


@dataclass
class Arrival:
    appointment: Appointment
    at: dt.datetime  # on the branch's clock
    name: str
    services: list[str]
    staff: list[str]
    safety: str
    preferences: str
    key_account: bool


def arrivals_of(actor: User, branch: Branch, items: list[AppointmentItem]) -> list[Arrival]:
    """One row per expected appointment among `items` (read by the caller through the
    selectors), earliest first. The safety fields and preferences as the customer's card shows
    them to this actor: the full file's readers see both; the staff member serving the
    customer (her own column) sees the safety fields even on a key account's card."""
    rows: dict[int, Arrival] = {}
    for item in items:
        appointment = item.appointment
        if appointment.status not in EXPECTED:
            continue
        customer = appointment.customer
        row = rows.get(appointment.pk)
        if row is None:
            visible = policy.customer_visible(actor, customer)
            details = visible and policy.lists_file_details(actor, customer)
            serving = visible and item.staff_id == actor.pk
            safety = "\n".join(t for t in (customer.allergies, customer.contraindications) if t)
            row = rows[appointment.pk] = Arrival(
                appointment=appointment,
                at=timing.local(branch, item.start_at),
                name=customer.name if visible else "",
                services=[],
                staff=[],
                safety=safety if details or serving else "",
                preferences=customer.preferences if details else "",
                key_account=customer.is_key_account,
            )
        row.services.append(item.service.name)
        if str(item.staff) not in row.staff:
            row.staff.append(str(item.staff))
    return sorted(rows.values(), key=lambda r: r.at)


def today_section(request: StaffRequest) -> PanelContent | None:
    """The today page's appointments: today's expected arrivals at the actor's branches."""
    actor = request.user
    rows: list[Arrival] = []
    for branch, items in selectors.today_items(actor=actor):
        rows += arrivals_of(actor, branch, items)
    rows.sort(key=lambda r: r.at)
    return PanelContent("appointments/partials/arrivals.html", {"arrivals": rows})
