"""A new caller booked at the front desk: the name and mobile become a customer and the
appointment is booked for them, in one transaction (a refused booking leaves no customer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from liuke.accounts.models import User
from liuke.appointments.choices import AppointmentSource
from liuke.appointments.models import Appointment
from liuke.appointments.services.booking import appointment_book
from liuke.customers.services import customer_create


@transaction.atomic
def appointment_book_caller(
    *,
    actor: User,
    branch_id: int,
    name: str,
    mobile: str,
    items: Sequence[Mapping[str, Any]],
    source: str = AppointmentSource.PHONE,
    notes: str = "",
    override: bool = False,
) -> Appointment:
    """Create the customer (`customers.services.customer_create`: its checks and audit) at the
    branch and book them (`appointment_book`)."""
    customer = customer_create(
        actor=actor, data={"name": name, "mobile": mobile, "branch_id": branch_id}
    )
    return appointment_book(
        actor=actor,
        branch_id=branch_id,
        customer_id=customer.pk,
        items=items,
        source=source,
        notes=notes,
        override=override,
    )
