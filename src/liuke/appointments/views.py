"""The book's pages: a server-rendered day view of a branch, a column per staff member (the
touch calendar with drag and drop comes later; it will call the same API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch, User
from liuke.appointments import selectors, timing
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.models import AppointmentItem
from liuke.core.errors import NotFound
from liuke.customers.picking import positive_id


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
    }
    return render(request, "appointments/day.html", context)
