"""The appointment joined to the customer over HTTP, under /api/v1/appointments: a customer's
standing under the no-show policy (shown at booking), the business's booking rules and the
waitlist (an entry honours the `Idempotency-Key` header: sent again, it is added once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from liuke.accounts import policy
from liuke.accounts.http import api_actor
from liuke.accounts.models import User
from liuke.appointments import selectors, standing, timing, waitlist_selectors
from liuke.appointments.api import _IDEMPOTENT, BOOK_ERRORS
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.models import BookingSettings, WaitlistEntry
from liuke.appointments.services import waitlist
from liuke.appointments.services.settings import booking_settings_update
from liuke.appointments.visit_schemas import (
    BookingRulesIn,
    BookingSettingsOut,
    Id,
    StandingOut,
    WaitlistIn,
    WaitlistOut,
    WaitlistQuery,
)
from liuke.core.api import ERRORS, READ_ERRORS
from liuke.core.idempotency import run_idempotent

router = Router(tags=["appointments"])


def _settings(rules: BookingSettings) -> dict[str, Any]:
    return {
        "cancel_notice_hours": rules.cancel_notice_hours,
        "missed_limit": rules.missed_limit,
        "missed_note": rules.missed_note,
        "missed_deposit": rules.missed_deposit,
    }


@router.get(
    "/appointments/customers/{customer_id}/standing",
    response={200: StandingOut, **READ_ERRORS},
    summary="A customer's no-shows, late cancellations and the policy that applies to them",
)
def customer_standing(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    found = standing.customer_standing(actor=api_actor(request), customer_id=customer_id)
    return {
        "customer_id": found.customer_id,
        "no_shows": found.no_shows,
        "late_cancellations": found.late_cancellations,
        "missed_limit": found.limit,
        "policy_applies": found.applies,
        "policy_note": found.note,
        "deposit_required": found.deposit_required,
    }


@router.get(
    "/appointments/settings",
    response={200: BookingSettingsOut, **READ_ERRORS},
    summary="The business's booking rules: cancellation notice, policy after missed appointments",
)
def settings_get(request: HttpRequest) -> dict[str, Any]:
    actor = api_actor(request)
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    return _settings(selectors.booking_rules(policy.business_of(actor)))


@router.put(
    "/appointments/settings",
    response={200: BookingSettingsOut, **ERRORS},
    summary="Change the booking rules (owners and managers)",
)
def settings_put(request: HttpRequest, payload: BookingRulesIn) -> dict[str, Any]:
    rules = booking_settings_update(actor=api_actor(request), data=payload.dict())
    return _settings(rules)


# --- the waitlist ----------------------------------------------------------------------------


def _entry(actor: User, e: WaitlistEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "branch_id": e.branch_id,
        "customer_id": e.customer_id,
        "customer_name": selectors.customer_name(actor, e.customer),
        "service_id": e.service_id,
        "service_name": e.service.name,
        "staff_id": e.staff_id,
        "first_day": e.first_day,
        "last_day": e.last_day,
        "earliest": e.earliest,
        "latest": e.latest,
        "note": e.note,
        "status": e.status,
        "offer_start": timing.local(e.branch, e.offer_start) if e.offer_start else None,
        "offer_staff_id": e.offer_staff_id,
        "appointment_id": e.appointment_id,
    }


@router.get(
    "/appointments/waitlist",
    response={200: list[WaitlistOut], **READ_ERRORS},
    summary="A branch's open waitlist: the open offers first, then those waiting (audited)",
)
def waitlist_list(request: HttpRequest, q: Query[WaitlistQuery]) -> list[dict[str, Any]]:
    actor = api_actor(request)
    rows = waitlist_selectors.waitlist_open(actor=actor, branch_id=q.branch_id)
    return [_entry(actor, e) for e in rows]


@router.post(
    "/appointments/waitlist",
    response={201: WaitlistOut, **ERRORS},
    summary="Put a customer on the waitlist for a service, a staff member (or anyone), a window",
    openapi_extra=_IDEMPOTENT,
)
def waitlist_add(request: HttpRequest, payload: WaitlistIn) -> Status[Any]:
    actor = api_actor(request)

    def work() -> tuple[int, Any]:
        entry = waitlist.waitlist_add(actor=actor, **payload.dict())
        return 201, _entry(actor, entry)

    return Status(*run_idempotent(request, actor.pk, work))


def _act(request: HttpRequest, entry_id: int, act: Callable[..., Any]) -> dict[str, Any]:
    actor = api_actor(request)
    act(actor=actor, entry_id=entry_id)
    entry = WaitlistEntry.objects.select_related("customer", "service", "branch").get(pk=entry_id)
    return _entry(actor, entry)


@router.post(
    "/appointments/waitlist/{entry_id}/accept",
    response={200: WaitlistOut, **BOOK_ERRORS},
    summary="The customer takes the time offered: booked (409 slot_taken if it went meanwhile)",
)
def waitlist_accept(request: HttpRequest, entry_id: Id) -> dict[str, Any]:
    return _act(request, entry_id, waitlist.waitlist_accept)


@router.post(
    "/appointments/waitlist/{entry_id}/decline",
    response={200: WaitlistOut, **ERRORS},
    summary="The customer does not take the time offered: it goes to the next in line",
)
def waitlist_decline(request: HttpRequest, entry_id: Id) -> dict[str, Any]:
    return _act(request, entry_id, waitlist.waitlist_decline)


@router.post(
    "/appointments/waitlist/{entry_id}/close",
    response={200: WaitlistOut, **ERRORS},
    summary="Take the customer off the waitlist",
)
def waitlist_close(request: HttpRequest, entry_id: Id) -> dict[str, Any]:
    return _act(request, entry_id, waitlist.waitlist_close)
