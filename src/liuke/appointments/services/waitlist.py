"""The waitlist: a customer who wants a time that is taken waits for a service, a staff member
(or anyone who performs it) and a window of days and times of day on the branch's clock. When
a time frees (a cancellation, a move, a no-show's release) `waitlist_offer_freed` offers it to
the first matching entry in the order they came: the entry is marked offered (the front desk's
list of open offers) and a message is queued in the outbox. Accepting books it through
`appointment_book`, checked like any booking; declining passes the time to the next in line.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.appointments import timing
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.choices import WaitlistStatus
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.models import Appointment, WaitlistEntry
from liuke.appointments.services.booking import (
    appointment_book,
    booking_branch,
    check_performer,
    customer_for_booking,
    lock_in_scope,
)
from liuke.appointments.services.waitlist_offers import waitlist_offer_freed
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import ServiceError
from liuke.sales.models import Service

#: The longest window a customer may wait for.
MAX_DAYS = 60


@transaction.atomic
def waitlist_add(
    *,
    actor: User,
    branch_id: int,
    customer_id: int,
    service_id: int,
    first_day: dt.date,
    last_day: dt.date,
    earliest: dt.time,
    latest: dt.time,
    staff_id: int | None = None,
    note: str = "",
) -> WaitlistEntry:
    """Put a customer on the waitlist for a service (with a staff member, or anyone)."""
    policy.require(actor, AppointmentCap.APPOINTMENT_BOOK)
    branch = booking_branch(actor, branch_id)
    customer = customer_for_booking(actor, customer_id)
    service = Service.objects.filter(
        pk=service_id, business_id=branch.business_id, is_active=True
    ).first()
    if service is None:
        raise ServiceError(E.INVALID_SERVICE, _("Not a service on the menu."))
    if staff_id is not None:
        check_performer(service, branch, staff_id)
    today = timezone.now().astimezone(timing.branch_zone(branch)).date()
    if last_day < first_day or latest <= earliest or first_day < today:
        raise ServiceError(E.INVALID_WINDOW, _("Give a window of days from today and of times."))
    if (last_day - first_day).days > MAX_DAYS:
        raise ServiceError(E.INVALID_WINDOW, _("Wait for at most 60 days at a time."))
    entry = WaitlistEntry.objects.create(
        business_id=branch.business_id,
        branch=branch,
        customer=customer,
        service=service,
        staff_id=staff_id,
        first_day=first_day,
        last_day=last_day,
        earliest=earliest,
        latest=latest,
        note=note,
        created_by=actor,
    )
    audit_record(actor=actor, action=Action.CREATE, customer_ids=[customer.pk], fields=["waitlist"])
    return entry


def _locked_entry(actor: User, entry_id: int) -> WaitlistEntry:
    policy.require(actor, AppointmentCap.APPOINTMENT_BOOK)
    return lock_in_scope(actor, WaitlistEntry.objects.all(), entry_id, _("No such waitlist entry."))


@transaction.atomic
def waitlist_accept(*, actor: User, entry_id: int) -> Appointment:
    """The customer takes the time offered: booked like any booking (`slot_taken` when someone
    was quicker), the entry closed as booked."""
    entry = _locked_entry(actor, entry_id)
    if entry.status != WaitlistStatus.OFFERED or entry.offer_start is None:
        raise ServiceError(E.NO_OFFER, _("This waitlist entry has no time offered."))
    appointment = appointment_book(
        actor=actor,
        branch_id=entry.branch_id,
        customer_id=entry.customer_id,
        items=[
            {
                "service_id": entry.service_id,
                "staff_id": entry.offer_staff_id,
                "start_at": entry.offer_start,
            }
        ],
        notes=_("From the waitlist"),
    )
    entry.status = WaitlistStatus.BOOKED
    entry.appointment = appointment
    entry.save(update_fields=["status", "appointment", "updated_at"])
    return appointment


@transaction.atomic
def waitlist_decline(*, actor: User, entry_id: int) -> WaitlistEntry:
    """The customer does not take the time: they wait on, and the time goes to the next."""
    entry = _locked_entry(actor, entry_id)
    if entry.status != WaitlistStatus.OFFERED or entry.offer_start is None:
        raise ServiceError(E.NO_OFFER, _("This waitlist entry has no time offered."))
    freed = [(entry.offer_staff_id, entry.offer_start)]
    entry.status = WaitlistStatus.WAITING
    entry.offered_at = entry.offer_start = entry.offer_staff = None
    entry.save(update_fields=["status", "offered_at", "offer_start", "offer_staff", "updated_at"])
    waitlist_offer_freed(
        branch_id=entry.branch_id,
        freed=[(s, t) for s, t in freed if s is not None],
        skip=[entry.pk],
    )
    return entry


@transaction.atomic
def waitlist_close(*, actor: User, entry_id: int) -> WaitlistEntry:
    """Take a customer off the waitlist."""
    entry = _locked_entry(actor, entry_id)
    entry.status = WaitlistStatus.CLOSED
    entry.save(update_fields=["status", "updated_at"])
    return entry
