"""The book's pages: a server-rendered day view of a branch, a column per staff member (the
touch calendar with drag and drop comes later; it will call the same API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch, User
from liuke.appointments import prefill, selectors, timing, waitlist_selectors
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.models import AppointmentItem
from liuke.appointments.services import waitlist as waitlist_services
from liuke.core.errors import NotFound, ServiceError
from liuke.customers.picking import positive_id
from liuke.sales.capabilities import SalesCap


@dataclass
class Column:
    staff: User
    items: list[AppointmentItem] = field(default_factory=list)


def _day(text: str | None, branch: Branch) -> dt.date:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return timezone.now().astimezone(timing.branch_zone(branch)).date()


@staff_view(cap=AppointmentCap.APPOINTMENT_VIEW)
def day(request: StaffRequest) -> HttpResponse:
    actor = request.user
    branches = list(policy.scope_branches(actor, Branch.objects.filter(is_active=True)))
    wanted = positive_id(request.GET.get("branch"))
    branch = next((b for b in branches if wanted in (None, b.pk)), None)
    if branch is None:
        raise NotFound(_("No such branch."))
    shown = _day(request.GET.get("day"), branch)
    book = selectors.day_book(actor=actor, branch_id=branch.pk, day=shown)
    columns: dict[int, Column] = {}
    for item in book.items:
        item.local_start = timing.local(branch, item.start_at)  # type: ignore[attr-defined]
        item.local_end = timing.local(branch, item.end_at)  # type: ignore[attr-defined]
        item.customer_name = selectors.customer_name(  # type: ignore[attr-defined]
            actor, item.appointment.customer
        )
        columns.setdefault(item.staff_id, Column(item.staff)).items.append(item)
    context = {
        "branch": branch,
        "branches": branches,
        "day": shown,
        "previous": shown - dt.timedelta(days=1),
        "next": shown + dt.timedelta(days=1),
        "columns": sorted(columns.values(), key=lambda c: str(c.staff)),
        "perms_checkout": policy.can(actor, SalesCap.SALE_CHECKOUT),
        "perms_waitlist": policy.can(actor, AppointmentCap.APPOINTMENT_VIEW_ALL),
    }
    return render(request, "appointments/day.html", context)


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
