"""Offering freed times to the waitlist (`services.waitlist`): kept apart from the booking
services, which call `waitlist_offer_freed` when a cancellation, a no-show or a move frees a
time, so that this module imports none of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from liuke.accounts.models import Branch
from liuke.appointments import timing
from liuke.appointments.choices import WaitlistStatus
from liuke.appointments.conflicts import staff_free
from liuke.appointments.models import AppointmentItem, WaitlistEntry
from liuke.core.locking import lock_rows
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.models import Message
from liuke.sales.selectors import eligible_performers


def _fits(entry: WaitlistEntry, staff_id: int, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether the entry wants `service` at `start` with `staff_id` ([start, end) lies in its
    window on the branch's clock) and the staff member is free then."""
    if entry.staff_id not in (None, staff_id):
        return False
    begin, finish = timing.local(entry.branch, start), timing.local(entry.branch, end)
    if not entry.first_day <= begin.date() <= entry.last_day or begin.date() != finish.date():
        return False
    if not (entry.earliest <= begin.time() and finish.time() <= entry.latest):
        return False
    if start < timezone.now():
        return False
    return staff_free(staff_id, [(start, end)])


def _message(entry: WaitlistEntry) -> None:
    """The offer in the outbox (a service notice: the customer asked to be told), unless the
    customer opted out of service notices; one per offer of a time."""
    customer = entry.customer
    if not customer.service_notices or entry.offer_start is None:
        return
    when = timing.local(entry.branch, entry.offer_start)
    Message.objects.bulk_create(
        [
            Message(
                business_id=entry.business_id,
                branch_id=entry.branch_id,
                customer=customer,
                kind=MessageKind.WAITLIST_OFFER,
                key=f"waitlist:{entry.pk}:{entry.offer_start:%Y%m%d%H%M}:{entry.offer_staff_id}",
                is_marketing=False,
                occasion_on=when.date(),
                detail=f"{when:%m-%d %H:%M} {entry.service.name}"[:100],
                status=MessageStatus.QUEUED,
            )
        ],
        ignore_conflicts=True,
    )


def _offer(entry: WaitlistEntry, staff_id: int, start: dt.datetime) -> None:
    entry.status = WaitlistStatus.OFFERED
    entry.offered_at = timezone.now()
    entry.offer_start = start
    entry.offer_staff_id = staff_id
    entry.save(update_fields=["status", "offered_at", "offer_start", "offer_staff", "updated_at"])
    _message(entry)


def _candidates(branch: Branch, start: dt.datetime) -> Iterable[WaitlistEntry]:
    """The entries waiting for that day, oldest first, locked (through `core.locking`, in key
    order) so that two freed times are never offered to one entry at once."""
    day = timing.local(branch, start).date()
    waiting = WaitlistEntry.objects.filter(
        branch=branch,
        status=WaitlistStatus.WAITING,
        # an erased or merged-away customer is offered nothing
        customer__anonymised_at__isnull=True,
        customer__merged_into__isnull=True,
        first_day__lte=day,
        last_day__gte=day,
    )
    ids = list(waiting.values_list("pk", flat=True))
    lock_rows(WaitlistEntry, ids)
    # read again once locked: an entry offered meanwhile is no longer waiting
    return (
        waiting.filter(pk__in=ids)
        .select_related("branch", "customer", "service")
        .order_by("created_at", "pk")
    )


def waitlist_offer_freed(
    *, branch_id: int, freed: Iterable[tuple[int, dt.datetime]], skip: Iterable[int] = ()
) -> list[WaitlistEntry]:
    """Offer the times just freed at a branch, (staff id, start) each, to the first waiting
    entry that fits each one (its service's length from that start). Called inside the
    transaction that freed them; `skip`: entries that just declined."""
    branch = Branch.objects.get(pk=branch_id)
    passed = set(skip)
    offered: list[WaitlistEntry] = []
    for staff_id, start in freed:
        for entry in _candidates(branch, start):
            if entry.pk in passed or entry in offered:
                continue
            end = timing.item_end(entry.service, start)
            performs = eligible_performers(entry.service, branch).filter(pk=staff_id).exists()
            if performs and _fits(entry, staff_id, start, end):
                _offer(entry, staff_id, start)
                offered.append(entry)
                break
    return offered


def freed_by(items: Iterable[AppointmentItem]) -> list[tuple[int, dt.datetime]]:
    """(staff id, start) of items that no longer hold their time."""
    return [(i.staff_id, i.start_at) for i in items]
