"""The public booking page of a branch (no login; mobile first): pick a service, a staff
member or "any", a day and a free time; prove the mobile number with a one-time code; book.
The same proof opens "my bookings", where the customer moves or cancels within the rules.

Protections as the survey links': the URL holds an opaque signed token and nothing else; a
link we did not make, a renewed one or a page switched off get the same 404 page; forms carry
Django's CSRF token; answers are never cached and not indexed; codes are rate-limited per
number and per address (`public.codes`). Once proven, the session holds the customer's id for
half an hour, nothing else; the page shows that customer's bookings only.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET

from liuke.appointments import timing
from liuke.appointments.availability import availability, online_window
from liuke.appointments.models import OnlinePage
from liuke.appointments.public import codes, selectors
from liuke.appointments.public.links import CONFIRM
from liuke.appointments.selectors import booking_rules
from liuke.appointments.services import online, reminders
from liuke.core.clientaddr import client_address
from liuke.core.errors import NotFound, ServiceError
from liuke.core.phone import mask_mobile, normalise_mobile
from liuke.customers.models import Customer
from liuke.customers.picking import positive_id
from liuke.customers.services.online import customer_by_mobile, customer_for_online
from liuke.sales.models import Service

SESSION_KEY = "online_customer"
PROVEN_SECONDS = 30 * 60


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _show(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return _headers(render(request, f"appointments/public/{template}", context, status=status))


def _gone(request: HttpRequest) -> HttpResponse:
    return _show(request, "invalid.html", {}, status=404)


def _open(token: str) -> OnlinePage | None:
    page = selectors.page_open(token)
    if page is None or not booking_rules(page.business_id).online_enabled:
        return None
    return page


def _proven(request: HttpRequest, page: OnlinePage) -> Customer | None:
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict) or held.get("business") != page.business_id:
        return None
    if float(held.get("until", 0)) < time.time():
        return None
    return Customer.objects.filter(
        pk=int(held.get("id") or 0),
        business_id=page.business_id,
        anonymised_at__isnull=True,
        merged_into__isnull=True,
    ).first()


def _prove(request: HttpRequest, page: OnlinePage, customer: Customer) -> None:
    request.session.cycle_key()  # a new session id once the number is proven
    request.session[SESSION_KEY] = {
        "id": customer.pk,
        "business": page.business_id,
        "until": time.time() + PROVEN_SECONDS,
    }


def _start(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(text or ""), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _day(page: OnlinePage, text: str | None, first: dt.date, last: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(text or "")
    except ValueError:
        return first
    return day if first <= day <= last else first


def _times(page: OnlinePage, service: Service, staff_id: int | None, day: dt.date) -> list[Any]:
    rules = booking_rules(page.business_id)
    earliest, latest = online_window(rules, timezone.now())
    start, end = timing.day_window(page.branch, day)
    start, end = max(start, earliest), min(end, latest)
    if end <= start:
        return []
    found = availability(
        branch=page.branch, service=service, start=start, end=end, staff_id=staff_id
    )
    return [(int(s.timestamp()), timing.local(page.branch, s)) for s in found.any_staff]


def _choice(page: OnlinePage, request: HttpRequest) -> dict[str, Any]:
    """The service, staff member and day asked for, and the free times they give."""
    rules = booking_rules(page.business_id)
    today = timing.local(page.branch, timezone.now()).date()
    days = selectors.day_choices(today, rules.online_days_ahead + 1)
    services = selectors.menu(page)
    wanted = positive_id(request.GET.get("service"))
    service = next((s for s in services if s.pk == wanted), None)
    context: dict[str, Any] = {"services": services, "service": service, "days": days}
    if service is None:
        return context
    staff = selectors.performers(page, service)
    staff_id = positive_id(request.GET.get("staff"))
    if staff_id not in {s.pk for s in staff}:
        staff_id = None
    day = _day(page, request.GET.get("day"), days[0], days[-1])
    context |= {
        "staff": staff,
        "staff_id": staff_id,
        "day": day,
        "times": _times(page, service, staff_id, day),
    }
    return context


View = Callable[[HttpRequest, OnlinePage, str], HttpResponse]


def _public(*methods: str) -> Callable[[View], Callable[[HttpRequest, str], HttpResponse]]:
    """A public step of the booking page: the link is checked first (any method: a link we did
    not make, a renewed one, a page switched off get the same 404), then the method."""

    def wrap(view: View) -> Callable[[HttpRequest, str], HttpResponse]:
        @functools.wraps(view)
        @never_cache
        @csrf_protect
        def run(request: HttpRequest, token: str) -> HttpResponse:
            found = _open(token)
            if found is None:
                return _gone(request)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, found, token)

        return run

    return wrap


def _base(page: OnlinePage, token: str) -> dict[str, Any]:
    return {"page": page, "branch": page.branch, "token": token}


@_public("GET")
def page(request: HttpRequest, found: OnlinePage, token: str) -> HttpResponse:
    customer = _proven(request, found)
    moving = positive_id(request.GET.get("move")) if customer is not None else None
    context = _base(found, token) | _choice(found, request)
    context |= {"customer": customer, "moving": moving}
    return _show(request, "page.html", context)


def _code_form(
    request: HttpRequest, found: OnlinePage, token: str, posted: dict[str, str], **more: Any
) -> HttpResponse:
    context = _base(found, token) | {"posted": posted, "masked": mask_mobile(posted["mobile"])}
    return _show(request, "code.html", context | more, status=400 if "error" in more else 200)


@_public("POST")
def code(request: HttpRequest, found: OnlinePage, token: str) -> HttpResponse:
    """Send a code to the number typed in; the booking's choice rides along in the form."""
    posted = {k: request.POST.get(k, "")[:40] for k in ("mobile", "name", "service", "staff")}
    posted["start"] = request.POST.get("start", "")[:12]
    try:
        posted["mobile"] = normalise_mobile(posted["mobile"])
    except ValidationError as exc:
        return _show(
            request, "mine.html", _base(found, token) | {"error": exc.messages[0]}, status=400
        )
    if not posted["mobile"]:
        return _show(
            request,
            "mine.html",
            _base(found, token) | {"error": _("Enter your mobile number.")},
            status=400,
        )
    try:
        codes.code_request(
            branch=found.branch, mobile=posted["mobile"], address=client_address(request)
        )
    except ServiceError as exc:
        return _show(
            request, "mine.html", _base(found, token) | {"error": exc.message}, status=exc.status
        )
    return _code_form(request, found, token, posted)


@_public("POST")
def verify(request: HttpRequest, found: OnlinePage, token: str) -> HttpResponse:
    """Check the code; then book what was chosen (if anything), else open "my bookings"."""
    posted = {k: request.POST.get(k, "")[:40] for k in ("mobile", "name", "service", "staff")}
    posted["start"] = request.POST.get("start", "")[:12]
    given = request.POST.get("code", "")
    if not codes.code_check(branch=found.branch, mobile=posted["mobile"], code=given):
        return _code_form(
            request, found, token, posted, error=_("That code is wrong or has expired.")
        )
    start = _start(posted["start"])
    if start is None:
        customer = customer_by_mobile(business_id=found.business_id, mobile=posted["mobile"])
        if customer is None:  # a proven number with no file here: nothing to show
            context = _base(found, token) | {"error": _("No bookings for this number.")}
            return _show(request, "mine.html", context)
        _prove(request, found, customer)
        return redirect("appointments_public:mine", token=token)
    try:
        customer = customer_for_online(
            business_id=found.business_id,
            branch_id=found.branch_id,
            name=posted["name"] or mask_mobile(posted["mobile"]),
            mobile=posted["mobile"],
        )
    except ValidationError as exc:
        return _code_form(request, found, token, posted, error=exc.messages[0])
    _prove(request, found, customer)
    return _book(request, found, token, customer, posted)


def _book(
    request: HttpRequest, found: OnlinePage, token: str, customer: Customer, posted: dict[str, str]
) -> HttpResponse:
    start = _start(posted.get("start"))
    service_id = positive_id(posted.get("service"))
    if start is None or service_id is None:
        raise NotFound()
    try:
        appointment = online.online_book(
            branch=found.branch,
            customer=customer,
            service_id=service_id,
            start=start,
            staff_id=positive_id(posted.get("staff")),
        )
    except ServiceError as exc:
        context = _base(found, token) | {"error": exc.message}
        return _show(request, "mine.html", context, status=exc.status)
    request.session["online_booked"] = appointment.pk
    return redirect("appointments_public:mine", token=token)


@_public("POST")
def book(request: HttpRequest, found: OnlinePage, token: str) -> HttpResponse:
    """A customer already proven books at once; anyone else is asked for name and mobile."""
    posted = {k: request.POST.get(k, "")[:12] for k in ("service", "staff", "start")}
    customer = _proven(request, found)
    if customer is not None:
        return _book(request, found, token, customer, posted)
    context = _base(found, token) | {"posted": posted}
    start = _start(posted["start"])
    context["when"] = timing.local(found.branch, start) if start else None
    return _show(request, "details.html", context)


@_public("GET", "POST")
def mine(request: HttpRequest, found: OnlinePage, token: str) -> HttpResponse:
    """The proven customer's coming bookings, to move or cancel; else the mobile form."""
    customer = _proven(request, found)
    context = _base(found, token) | {"customer": customer}
    if customer is not None:
        rules = booking_rules(found.business_id)
        context |= {
            "bookings": selectors.coming_appointments(customer),
            "needs_desk": rules.online_needs_confirmation,
            "notice_hours": rules.cancel_notice_hours,
            "just_booked": request.session.pop("online_booked", None),
        }
    return _show(request, "mine.html", context)


@_public("POST")
def change(request: HttpRequest, found: OnlinePage, token: str) -> HttpResponse:
    """Cancel (`action=cancel`) or move (`action=move`, with start and staff) a booking."""
    customer = _proven(request, found)
    if customer is None:
        return redirect("appointments_public:mine", token=token)
    appointment_id = positive_id(request.POST.get("appointment")) or 0
    try:
        if request.POST.get("action") == "cancel":
            online.online_cancel(customer=customer, appointment_id=appointment_id)
        else:
            start = _start(request.POST.get("start"))
            if start is None:
                raise NotFound()
            online.online_move(
                customer=customer,
                appointment_id=appointment_id,
                start=start,
                staff_id=positive_id(request.POST.get("staff")),
            )
    except ServiceError as exc:
        context = _base(found, token) | {"customer": customer, "error": exc.message}
        context["bookings"] = selectors.coming_appointments(customer)
        return _show(request, "mine.html", context, status=exc.status)
    return redirect("appointments_public:mine", token=token)


@never_cache
@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A reminder's link: the appointment is confirmed (opening it again says so again)."""
    raw = CONFIRM.unsign(token)
    appointment = reminders.confirm_by_link(raw) if raw else None
    if appointment is None:
        return _gone(request)
    when = timing.local(appointment.branch, appointment.starts_at)
    return _show(request, "confirmed.html", {"branch": appointment.branch, "when": when})
