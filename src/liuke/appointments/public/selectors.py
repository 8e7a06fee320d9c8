"""Reads of the public booking page: the page behind a link, the menu, who performs what,
the customer's own coming appointments. Nothing here reads another customer's data: the only
customer read is the one whose number was proven (`public.views`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from liuke.accounts.models import User
from liuke.appointments import timing
from liuke.appointments.choices import OPEN
from liuke.appointments.models import Appointment, AppointmentItem, OnlinePage
from liuke.appointments.public.links import PAGE
from liuke.customers.models import Customer
from liuke.sales.models import Service
from liuke.sales.selectors import eligible_performers


def page_open(signed: str) -> OnlinePage | None:
    """The booking page a link names (None for a link we did not make, or one renewed since)."""
    token = PAGE.unsign(signed)
    if token is None:
        return None
    return (
        OnlinePage.objects.select_related("branch__business")
        .filter(token=token, branch__is_active=True)
        .first()
    )


def menu(page: OnlinePage) -> list[Service]:
    """The services a customer can book: the business's active ones, by category and name."""
    return list(
        Service.objects.filter(business_id=page.business_id, is_active=True).order_by(
            "category", "name"
        )
    )


def performers(page: OnlinePage, service: Service) -> list[User]:
    return list(eligible_performers(service, page.branch).order_by("display_name", "username"))


@dataclass(frozen=True)
class Booked:
    """One of the customer's coming appointments as their page shows it."""

    appointment: Appointment
    items: list[AppointmentItem]
    #: the start on the branch's clock
    starts: dt.datetime


def coming_appointments(customer: Customer, *, limit: int = 10) -> list[Booked]:
    """The customer's open appointments from now on (at every branch of the business)."""
    appointments = list(
        Appointment.objects.filter(
            customer=customer, status__in=list(OPEN), starts_at__gt=timezone.now()
        )
        .select_related("branch")
        .order_by("starts_at")[:limit]
    )
    items: dict[int, list[AppointmentItem]] = {a.pk: [] for a in appointments}
    for item in (
        AppointmentItem.objects.filter(appointment_id__in=list(items), active=True)
        .select_related("service", "staff")
        .order_by("start_at")
    ):
        items[item.appointment_id].append(item)
    return [Booked(a, items[a.pk], timing.local(a.branch, a.starts_at)) for a in appointments]


def day_choices(first: dt.date, days: int) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(days)]
