"""A customer's standing under the business's no-show and late-cancellation policy: how many
appointments they missed, and what the front desk does about it once they reach the limit
(`BookingSettings.missed_limit`: a note, a deposit required). Shown on the customer's profile
(`panels.attendance_panel`) and when they are booked (`GET .../customers/{id}/standing`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.selectors import Attendance, attendance_of, booking_rules
from liuke.core.errors import NotFound
from liuke.customers.models import Customer


@dataclass(frozen=True)
class Standing:
    customer_id: int
    no_shows: int
    late_cancellations: int
    #: the business's limit (0: no policy)
    limit: int
    #: the customer has reached the limit: the note and the deposit apply
    applies: bool
    note: str
    deposit_required: bool

    @property
    def missed(self) -> int:
        return self.no_shows + self.late_cancellations


def standing_of(business_id: int, customer_id: int, seen: Attendance | None = None) -> Standing:
    """The standing of a customer already read through the policy (no audit: counts only);
    `seen`: their attendance when the caller has read it."""
    rules = booking_rules(business_id)
    seen = seen or attendance_of([customer_id])[customer_id]
    missed = seen.no_shows + seen.late_cancellations
    applies = rules.missed_limit > 0 and missed >= rules.missed_limit
    return Standing(
        customer_id=customer_id,
        no_shows=seen.no_shows,
        late_cancellations=seen.late_cancellations,
        limit=rules.missed_limit,
        applies=applies,
        note=rules.missed_note if applies else "",
        deposit_required=applies and rules.missed_deposit,
    )


def customer_standing(*, actor: User, customer_id: int) -> Standing:
    """The standing of a customer the actor may see (at booking)."""
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    customer = policy.scope_customers(actor, Customer.objects.filter(pk=customer_id)).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return standing_of(customer.business_id, customer.pk)
