"""An appointment's life after booking: confirmed, arrived, in service, completed, or cancelled
(who, when, why; late when inside the business's notice window) or a no-show. A cancelled or
no-show appointment frees its staff and resources at once (its items' `active` goes off)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.choices import OPEN, TRANSITIONS, AppointmentStatus
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.models import Appointment, AppointmentItem
from liuke.appointments.selectors import booking_rules
from liuke.appointments.services.booking import lock_in_scope
from liuke.appointments.services.waitlist_offers import freed_by, waitlist_offer_freed
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import ServiceError


def _locked(actor: User, appointment_id: int) -> Appointment:
    """The appointment, locked, if it is at one of the actor's branches."""
    policy.require(actor, AppointmentCap.APPOINTMENT_BOOK)
    return lock_in_scope(
        actor, Appointment.objects.all(), appointment_id, _("No such appointment.")
    )


def _release(appointment: Appointment) -> None:
    """The items hold no time any more: the staff member and the resources are free again,
    and the waitlist is offered the times (those still ahead)."""
    items = AppointmentItem.objects.filter(appointment=appointment)
    freed = freed_by(items.filter(active=True))
    items.update(active=False, updated_at=timezone.now())
    waitlist_offer_freed(branch_id=appointment.branch_id, freed=freed)


@transaction.atomic
def appointment_status_set(*, actor: User, appointment_id: int, status: str) -> Appointment:
    """Move an appointment on (booked → confirmed → arrived → in service → completed, or a
    no-show once its time has begun); any other step is refused (`invalid_transition`)."""
    appointment = _locked(actor, appointment_id)
    if status not in TRANSITIONS.get(appointment.status, frozenset()):
        raise ServiceError(
            E.INVALID_TRANSITION,
            _("An appointment that is %(old)s cannot become %(new)s.")
            % {"old": appointment.get_status_display(), "new": status},
        )
    if status == AppointmentStatus.NO_SHOW:
        if appointment.starts_at > timezone.now():
            raise ServiceError(E.NOT_STARTED, _("The appointment's time has not begun yet."))
        _release(appointment)
    appointment.status = status
    appointment.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        customer_ids=[appointment.customer_id],
        fields=["appointment_status"],
    )
    return appointment


def is_late(appointment: Appointment, when: dt.datetime, *, notice_hours: int) -> bool:
    """Whether a cancellation at `when` falls inside the notice window before the start."""
    return when > appointment.starts_at - dt.timedelta(hours=notice_hours)


@transaction.atomic
def appointment_cancel(
    *, actor: User, appointment_id: int, reason: str, by_customer: bool = True
) -> Appointment:
    """Cancel a booked or confirmed appointment: who, when and why are kept; a cancellation the
    customer asked for inside the business's notice window counts as late against them."""
    appointment = _locked(actor, appointment_id)
    if appointment.status not in OPEN:
        raise ServiceError(
            E.NOT_OPEN, _("Only a booked or confirmed appointment can be cancelled.")
        )
    now = timezone.now()
    notice = booking_rules(appointment.business_id).cancel_notice_hours
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_by = actor
    appointment.cancelled_at = now
    appointment.cancel_reason = reason
    appointment.late_cancellation = by_customer and is_late(appointment, now, notice_hours=notice)
    appointment.save(
        update_fields=[
            "status",
            "cancelled_by",
            "cancelled_at",
            "cancel_reason",
            "late_cancellation",
            "updated_at",
        ]
    )
    _release(appointment)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        customer_ids=[appointment.customer_id],
        fields=["appointment_cancel"],
    )
    return appointment
