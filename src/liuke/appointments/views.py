"""The book's pages (docs/appointments.md, "The book"): the day of a branch with a column per
staff member, a staff member's week, tap-to-book, an appointment's card with its status
buttons. Drag and resize call the API's move (`/api/v1/appointments/items/{id}/move`), which
checks as a booking does; the page puts a refused block back and says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch
from liuke.appointments import grid, prefill, selectors, services, timing, waitlist_selectors
from liuke.appointments.arrivals import arrivals_of
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.choices import OPEN, TRANSITIONS, AppointmentStatus
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.render import render_blocks
from liuke.appointments.schemas import AppointmentStatusIn, DeskBookIn, DeskCancelIn
from liuke.appointments.services import waitlist as waitlist_services
from liuke.core.errors import NotFound, ServiceError
from liuke.core.inputs import form_data, parse_input, parse_post
from liuke.core.middleware import refusal_text
from liuke.customers import selectors as customer_selectors
from liuke.customers.picking import positive_id
from liuke.sales.capabilities import SalesCap
from liuke.sales.models import Service
from liuke.sales.selectors import branch_sellers


def _branch(request: StaffRequest) -> tuple[list[Branch], Branch]:
    branches = list(
        policy.scope_branches(request.user, Branch.objects.filter(is_active=True)).select_related(
            "business"
        )
    )
    wanted = positive_id(request.GET.get("branch") or request.POST.get("branch_id"))
    branch = next((b for b in branches if wanted in (None, b.pk)), None)
    if branch is None:
        raise NotFound(_("No such branch."))
    return branches, branch


def _day(text: str | None, branch: Branch) -> dt.date:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return timezone.now().astimezone(timing.branch_zone(branch)).date()


def _day_url(branch: Branch, day: dt.date) -> str:
    return f"{reverse('appointments:day')}?branch={branch.pk}&day={day.isoformat()}"


def _page(request: StaffRequest, branches: list[Branch], book: grid.Grid, **more: Any) -> Any:
    today = timezone.now().astimezone(timing.branch_zone(book.branch)).date()
    may_book = policy.can(request.user, AppointmentCap.APPOINTMENT_BOOK)
    render_blocks(book, may_book=may_book, movable=OPEN)
    return {
        "branch": book.branch,
        "branches": branches,
        "grid": book,
        "step": grid.STEP_MIN,
        "today": today,
        "may_book": may_book,
        "status_key": AppointmentStatus.choices,
        "perms_waitlist": policy.can(request.user, AppointmentCap.APPOINTMENT_VIEW_ALL),
        **more,
    }


@staff_view(cap=AppointmentCap.APPOINTMENT_VIEW)
def day(request: StaffRequest) -> HttpResponse:
    branches, branch = _branch(request)
    shown = _day(request.GET.get("day"), branch)
    book = grid.day_grid(actor=request.user, branch=branch, day=shown)
    context = _page(
        request,
        branches,
        book,
        view="day",
        previous=shown - dt.timedelta(days=1),
        next=shown + dt.timedelta(days=1),
    )
    return render(request, "appointments/book.html", context)


@staff_view(cap=AppointmentCap.APPOINTMENT_VIEW)
def arrivals(request: StaffRequest) -> HttpResponse:
    """The day's arrivals beside the book (htmx partial, loaded after the grid): each
    expected appointment's customer with what the brief says before greeting them."""
    _branches, branch = _branch(request)
    shown = _day(request.GET.get("day"), branch)
    book = selectors.day_book(actor=request.user, branch_id=branch.pk, day=shown)
    rows = arrivals_of(request.user, branch, book.items)
    return render(request, "appointments/partials/arrivals.html", {"arrivals": rows})


@staff_view(cap=AppointmentCap.APPOINTMENT_VIEW)
def week(request: StaffRequest) -> HttpResponse:
    branches, branch = _branch(request)
    shown = _day(request.GET.get("day"), branch)
    staff = branch_sellers(branch)
    if selectors.own_column_only(request.user):
        staff = staff.filter(pk=request.user.pk)
    people = list(staff)
    wanted = positive_id(request.GET.get("staff"))
    member = next((p for p in people if wanted in (None, p.pk)), None)
    if member is None:
        raise NotFound(_("No such staff member."))
    book = grid.week_grid(actor=request.user, branch=branch, staff=member, day=shown)
    context = _page(
        request,
        branches,
        book,
        view="week",
        member=member,
        people=people,
        previous=shown - dt.timedelta(days=7),
        next=shown + dt.timedelta(days=7),
    )
    return render(request, "appointments/book.html", context)


def _form_context(request: StaffRequest, branch: Branch, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "branch": branch,
        "data": data,
        "staff": list(branch_sellers(branch)),
        "services": list(
            Service.objects.filter(business_id=branch.business_id, is_active=True).order_by(
                "category", "name"
            )
        ),
        "may_override": policy.can(request.user, AppointmentCap.APPOINTMENT_OVERRIDE),
    }


@staff_view(cap=AppointmentCap.APPOINTMENT_BOOK)
@require_http_methods(["GET", "POST"])
def new(request: StaffRequest) -> HttpResponse:
    """Tap-to-book (htmx partial in the page's dialog): GET the form for a staff member and a
    time; POST books, and answers the form again with the refusal in words, or sends the page
    to the day booked."""
    _branches, branch = _branch(request)
    if request.method == "GET":
        data = {
            "staff_id": positive_id(request.GET.get("staff")),
            "start_at": request.GET.get("start", ""),
        }
        return render(
            request, "appointments/partials/new.html", _form_context(request, branch, data)
        )
    raw = form_data(DeskBookIn, request.POST)
    try:
        payload = parse_input(DeskBookIn, raw, form=True)
        item = {
            "service_id": payload.service_id,
            "staff_id": payload.staff_id,
            "start_at": payload.start_at,
        }
        common: dict[str, Any] = {
            "actor": request.user,
            "branch_id": branch.pk,
            "items": [item],
            "notes": payload.notes,
            "override": payload.override,
        }
        if payload.customer_id is not None:
            services.appointment_book(customer_id=payload.customer_id, **common)
        elif payload.new_name.strip() and payload.new_mobile.strip():
            services.appointment_book_caller(
                name=payload.new_name.strip(), mobile=payload.new_mobile.strip(), **common
            )
        else:
            raise ServiceError(
                E.NO_CUSTOMER, _("Pick a customer, or give a new caller's name and mobile.")
            )
    except (ServiceError, ValidationError) as exc:  # shown in the form, in words
        context = _form_context(request, branch, dict(request.POST.items()))
        context["error"] = refusal_text(exc)
        return render(request, "appointments/partials/new.html", context, status=200)
    messages.success(request, _("Booked."))
    response = HttpResponse(status=204)
    response["HX-Redirect"] = _day_url(branch, timing.local(branch, payload.start_at).date())
    return response


@staff_view(cap=AppointmentCap.APPOINTMENT_BOOK)
def customers(request: StaffRequest) -> HttpResponse:
    """The booking form's customer search (htmx partial): by name, pinyin initials or phone."""
    query = (request.GET.get("q") or "")[:50].strip()
    found = (
        customer_selectors.customer_search(actor=request.user, query=query, limit=8)
        if query
        else []
    )
    return render(request, "appointments/partials/customers.html", {"found": found, "q": query})


@staff_view(cap=AppointmentCap.APPOINTMENT_VIEW)
def detail(request: StaffRequest, appointment_id: int) -> HttpResponse:
    """An appointment's card (htmx partial in the page's dialog): its items and the status
    buttons its status allows."""
    appointment = selectors.appointment_get(actor=request.user, appointment_id=appointment_id)
    items = selectors.appointment_items(request.user, appointment)
    branch = appointment.branch
    context = {
        "appointment": appointment,
        "name": selectors.customer_name(request.user, appointment.customer),
        "items": [
            (i, timing.local(branch, i.start_at), timing.local(branch, i.end_at)) for i in items
        ],
        "next_statuses": sorted(TRANSITIONS.get(appointment.status, ())),
        "may_book": policy.can(request.user, AppointmentCap.APPOINTMENT_BOOK),
        "perms_checkout": policy.can(request.user, SalesCap.SALE_CHECKOUT),
        "back": _day_url(branch, timing.local(branch, appointment.starts_at).date()),
    }
    return render(request, "appointments/partials/detail.html", context)


def _back_to_day(request: StaffRequest, appointment_id: int) -> str:
    """The appointment's day on the book: where its status buttons return to."""
    appointment = selectors.appointment_get(actor=request.user, appointment_id=appointment_id)
    branch = appointment.branch
    request.back = _day_url(branch, timing.local(branch, appointment.starts_at).date())
    return request.back


@staff_view(cap=AppointmentCap.APPOINTMENT_BOOK)
@require_POST
def status(request: StaffRequest, appointment_id: int) -> HttpResponse:
    back = _back_to_day(request, appointment_id)
    payload = parse_post(AppointmentStatusIn, request.POST)
    done = services.appointment_status_set(
        actor=request.user, appointment_id=appointment_id, status=payload.status
    )
    messages.success(request, _("Now: %(status)s.") % {"status": done.get_status_display()})
    return redirect(back)


@staff_view(cap=AppointmentCap.APPOINTMENT_BOOK)
@require_POST
def cancel(request: StaffRequest, appointment_id: int) -> HttpResponse:
    back = _back_to_day(request, appointment_id)
    payload = parse_post(DeskCancelIn, request.POST)
    services.appointment_cancel(
        actor=request.user,
        appointment_id=appointment_id,
        reason=payload.reason,
        by_customer=payload.by_customer,
    )
    messages.success(request, _("Cancelled."))
    return redirect(back)


@staff_view(cap=SalesCap.SALE_CHECKOUT)
def checkout(request: StaffRequest, appointment_id: int) -> HttpResponse:
    """ "Check out" on an arrived appointment: the checkout page with its lines filled in."""
    try:
        url = prefill.checkout_url(actor=request.user, appointment_id=appointment_id)
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("appointments:day")
    return redirect(url)


@staff_view(cap=AppointmentCap.APPOINTMENT_VIEW_ALL)
def waitlist(request: StaffRequest) -> HttpResponse:
    """The front desk's waitlist of a branch: the open offers first, then those waiting."""
    actor = request.user
    branches = list(policy.scope_branches(actor, Branch.objects.filter(is_active=True)))
    wanted = positive_id(request.GET.get("branch"))
    branch = next((b for b in branches if wanted in (None, b.pk)), None)
    if branch is None:
        raise NotFound(_("No such branch."))
    entries = waitlist_selectors.waitlist_open(actor=actor, branch_id=branch.pk)
    for e in entries:
        e.customer_name = selectors.customer_name(actor, e.customer)  # type: ignore[attr-defined]
        e.local_offer = (  # type: ignore[attr-defined]
            timing.local(branch, e.offer_start) if e.offer_start else None
        )
    context = {
        "branch": branch,
        "branches": branches,
        "entries": entries,
        "may_book": policy.can(actor, AppointmentCap.APPOINTMENT_BOOK),
    }
    return render(request, "appointments/waitlist.html", context)


_WAITLIST_ACTS = {
    "accept": waitlist_services.waitlist_accept,
    "decline": waitlist_services.waitlist_decline,
    "close": waitlist_services.waitlist_close,
}


@staff_view(cap=AppointmentCap.APPOINTMENT_BOOK)
@require_POST
def waitlist_act(request: StaffRequest, entry_id: int) -> HttpResponse:
    """Book the time offered, record that it was declined, or take the entry off the list."""
    act = _WAITLIST_ACTS.get(request.POST.get("do", ""))
    if act is None:
        raise NotFound(_("No such action."))
    try:
        act(actor=request.user, entry_id=entry_id)
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("appointments:waitlist")
