"""The calendar feed over HTTP: `/book/f/<signed token>.ics`, no login (calendar apps cannot
log in); a link we did not make, a renewed or revoked one, or a staff member who left get 404.
The events: the staff member's active items from 30 days back to 90 days ahead."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from liuke.appointments import ical
from liuke.appointments.choices import AppointmentStatus
from liuke.appointments.models import AppointmentItem, CalendarFeed
from liuke.appointments.public.links import FEED, token_hash
from liuke.appointments.selectors import booking_rules
from liuke.customers.models import Customer

BACK = dt.timedelta(days=30)
AHEAD = dt.timedelta(days=90)


def shown_name(customer: Customer, *, full: bool) -> str:
    """The customer as the feed names them: the full name only when the business allows."""
    if full:
        return customer.name
    if customer.gender in ("F", "M") and customer.salutation != customer.name:
        return customer.salutation
    return _("Customer")


def feed_text(row: CalendarFeed, now: dt.datetime) -> str:
    full = booking_rules(row.business_id).calendar_shows_names
    items = (
        AppointmentItem.objects.filter(
            staff_id=row.staff_id,
            active=True,
            start_at__gte=now - BACK,
            start_at__lt=now + AHEAD,
        )
        .select_related("appointment__customer", "service", "branch")
        .order_by("start_at")[:2000]
    )
    events = [
        ical.Event(
            uid=f"appointment-item-{i.pk}@liuke",
            start=i.start_at,
            end=i.end_at,
            summary=f"{i.service.name} · {shown_name(i.appointment.customer, full=full)}",
            location=i.branch.name,
            status="TENTATIVE" if i.appointment.status == AppointmentStatus.BOOKED else "CONFIRMED",
        )
        for i in items
    ]
    return ical.calendar(_("Liuke appointments"), events, now=now)


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    raw = FEED.unsign(token)
    row = (
        CalendarFeed.objects.filter(token_hash=token_hash(raw), staff__is_active=True).first()
        if raw
        else None
    )
    if row is None:
        raise Http404
    now = timezone.now()
    CalendarFeed.objects.filter(pk=row.pk).update(last_read_at=now)
    response = HttpResponse(feed_text(row, now), content_type="text/calendar; charset=utf-8")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
