"""The appointment joined to the visit: checking an arrived appointment out, booking the next
visit at the checkout, and keeping both consistent when the visit is refunded.

The checkout itself is the sales app's (below this one: it may not import us); it calls
`on_checkout` and `on_refund` through the registry's `checkout_hooks` and `refund_hooks`
inside its own transaction, so an appointment that cannot be completed or a next visit whose
time is taken (`slot_taken`) rolls the whole checkout back: nothing is half written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts.models import User
from liuke.appointments.choices import AppointmentStatus
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.models import Appointment
from liuke.appointments.services.booking import appointment_book, lock_in_scope
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import ServiceError
from liuke.sales.choices import RefundReason, VisitStatus
from liuke.sales.models import Refund, Visit

#: The statuses an appointment is checked out from: the customer is here.
CHECKOUT_FROM = frozenset({AppointmentStatus.ARRIVED, AppointmentStatus.IN_SERVICE})


def _complete(actor: User, visit: Visit, appointment_id: int) -> None:
    appointment = lock_in_scope(
        actor, Appointment.objects.all(), appointment_id, _("No such appointment.")
    )
    if appointment.customer_id != visit.customer_id or appointment.branch_id != visit.branch_id:
        raise ServiceError(
            E.CHECKOUT_MISMATCH,
            _("This appointment is another customer's or at another branch."),
        )
    if appointment.status not in CHECKOUT_FROM or appointment.visit_id is not None:
        raise ServiceError(
            E.NOT_HERE, _("Only an arrived or in-service appointment can be checked out.")
        )
    appointment.status = AppointmentStatus.COMPLETED
    appointment.visit = visit
    appointment.save(update_fields=["status", "visit", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        customer_ids=[appointment.customer_id],
        fields=["appointment_checkout"],
    )


def _rebook(actor: User, visit: Visit, rebook: Mapping[str, Any]) -> None:
    """The next visit as a real appointment, checked like any booking; the visit's "next visit"
    says when, as it did when it was only a date."""
    appointment = appointment_book(
        actor=actor,
        branch_id=visit.branch_id,
        customer_id=visit.customer_id,
        items=[
            {
                "service_id": rebook["service_id"],
                "staff_id": rebook["staff_id"],
                "start_at": rebook["start_at"],
            }
        ],
    )
    Appointment.objects.filter(pk=appointment.pk).update(rebooked_at=visit)
    visit.next_visit_at = appointment.starts_at
    visit.save(update_fields=["next_visit_at", "updated_at"])


def on_checkout(*, actor: User, visit: Visit, data: Mapping[str, Any]) -> None:
    """The checkout's hook: complete the appointment it names and book the next visit."""
    appointment_id = data.get("appointment_id")
    if appointment_id:
        _complete(actor, visit, int(appointment_id))
    rebook = data.get("rebook")
    if rebook:
        _rebook(actor, visit, rebook)


def on_refund(*, actor: User, visit: Visit, refund: Refund) -> None:
    """The refund's hook. A visit refunded in full because it was charged by mistake is undone
    (a void): its appointment is open again (arrived, no visit), to be checked out anew. Any
    other refund leaves the appointment completed: the customer came and was served."""
    if visit.status != VisitStatus.REFUNDED or refund.reason != RefundReason.WRONG_CHARGE:
        return
    reopened = Appointment.objects.filter(visit=visit).update(
        status=AppointmentStatus.ARRIVED, visit=None, updated_at=timezone.now()
    )
    if reopened:
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            customer_ids=[visit.customer_id],
            fields=["appointment_checkout"],
            reason=f"visit {visit.pk} refunded as charged by mistake: appointment reopened",
        )
