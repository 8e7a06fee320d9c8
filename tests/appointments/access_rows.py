"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

ROUTES: dict[str, str] = {
    "appointments:day": "list",
    "appointments:week": "list",
    "appointments:arrivals": "list",
    "appointments:new": "list",
    "appointments:customers": "list",
    "appointments:detail": "customer",
    "appointments:status": "customer",
    "appointments:cancel": "customer",
    "appointments:online_settings": "none",
    "appointments:calendar_feed": "none",
    # public, no login: a branch's booking page and its steps, a reminder's confirmation link,
    # a staff member's calendar feed (tests/appointments/test_online_pages.py: nothing leaks)
    "appointments_public:page": "public",
    "appointments_public:book": "public",
    "appointments_public:code": "public",
    "appointments_public:verify": "public",
    "appointments_public:mine": "public",
    "appointments_public:change": "public",
    "appointments_public:confirm": "public",
    "appointments_public:feed": "public",
    "appointments:checkout": "customer",
    "appointments:waitlist": "list",
    "appointments:waitlist_act": "customer",
}
FORMS: dict[str, dict[str, Any]] = {
    "appointments:status": {"status": "confirmed"},
    "appointments:cancel": {"reason": "改天"},
    "appointments:waitlist_act": {"do": "close"},
}
API_KINDS: dict[str, str] = {
    "/api/v1/appointments": "list",
    "/api/v1/appointments/resources": "none",
    "/api/v1/appointments/service-resources": "none",
    "/api/v1/appointments/availability": "none",
    "/api/v1/appointments/settings": "none",
    "/api/v1/appointments/waitlist": "list",
}
BODIES: dict[str, dict[str, Any]] = {
    "PATCH /api/v1/appointments/resources/{resource_id}": {"name": "二号床"},
    "POST /api/v1/appointments/items/{item_id}/move": {"start_at": "{move_at}"},
    "POST /api/v1/appointments/{appointment_id}/status": {"status": "confirmed"},
    "POST /api/v1/appointments/{appointment_id}/cancel": {"reason": "改天"},
    "PUT /api/v1/appointments/settings": {"missed_limit": 3},
}


def world(
    *, customer: Any, visit: Any, owner: Any, front_desk: Any, beautician: Any
) -> dict[str, int | str]:
    """A bed at the customer's branch and an appointment of the customer tomorrow at 10:00."""
    from liuke.appointments import services
    from liuke.appointments.services import waitlist
    from liuke.sales.models import Service

    branch = customer.branch
    service = Service.objects.create(
        business_id=branch.business_id, category="facial", name="预约护理", duration_min=60,
        price_fen=10000,
    )  # fmt: skip
    bed = services.resource_create(
        actor=owner, branch_id=branch.pk, name="一号床", kind="bed", count=1
    )
    zone = ZoneInfo(branch.time_zone)
    tomorrow = timezone.now().astimezone(zone).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(10), tzinfo=zone)
    appointment = services.appointment_book(
        actor=front_desk,
        branch_id=branch.pk,
        customer_id=customer.pk,
        items=[
            {
                "service_id": service.pk,
                "staff_id": beautician.pk,
                "start_at": start,
                "resource_id": bed.pk,
            }
        ],
    )
    entry = waitlist.waitlist_add(
        actor=front_desk,
        branch_id=branch.pk,
        customer_id=customer.pk,
        service_id=service.pk,
        first_day=tomorrow,
        last_day=tomorrow,
        earliest=dt.time(10),
        latest=dt.time(18),
    )
    return {
        "entry_id": entry.pk,
        "appointment_id": appointment.pk,
        "item_id": appointment.items.get().pk,
        "resource_id": bed.pk,
        "move_at": (start + dt.timedelta(hours=3)).isoformat(),
    }
