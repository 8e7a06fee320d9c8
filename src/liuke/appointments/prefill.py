"""What the checkout page is opened with when an arrived appointment is checked out: the
customer, the branch, the appointment and a line per service with its staff member."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from liuke.accounts.models import User
from liuke.appointments import selectors
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.services.checkout import CHECKOUT_FROM
from liuke.core.errors import ServiceError


def checkout_url(*, actor: User, appointment_id: int) -> str:
    """The checkout page's address, filled in from an arrived or in-service appointment (read
    through the policy and audited as a view of the customer)."""
    appointment = selectors.appointment_get(actor=actor, appointment_id=appointment_id)
    if appointment.status not in CHECKOUT_FROM or appointment.visit_id is not None:
        raise ServiceError(
            E.NOT_HERE, _("Only an arrived or in-service appointment can be checked out.")
        )
    params: list[tuple[str, str | int]] = [
        ("customer", appointment.customer_id),
        ("branch_id", appointment.branch_id),
        ("appointment_id", appointment.pk),
    ]
    for item in selectors.appointment_items(actor, appointment):
        params += [("line_item", f"s:{item.service_id}"), ("line_staff", item.staff_id)]
    return f"{reverse('sales:checkout')}?{urlencode(params)}"
