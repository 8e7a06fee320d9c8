"""The staff's pages of the customer's side: the booking rules with each branch's public
booking page (its link and a QR code to print, like the suggestion box's), and one's own
calendar feed (a secret URL shown once, renewed or revoked)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.models import CalendarFeed, OnlinePage
from liuke.appointments.public import links
from liuke.appointments.schemas import BookingSettingsIn
from liuke.appointments.selectors import booking_rules
from liuke.appointments.services import feeds
from liuke.appointments.services import settings as booking_settings
from liuke.core import inputs
from liuke.core.errors import ServiceError
from liuke.customers.picking import positive_id


def _qr_svg(url: str) -> str:
    qr = segno.make(url, error="m")
    return str(qr.svg_inline(scale=8, border=4, dark="#111", light="#fff", omitsize=True))


@staff_view(cap=AppointmentCap.APPOINTMENT_MANAGE)
@require_http_methods(["GET", "POST"])
def online_settings(request: StaffRequest) -> HttpResponse:
    actor = request.user
    business_id = policy.business_of(actor)
    error = None
    if request.method == "POST":
        try:
            branch_id = positive_id(request.POST.get("branch"))
            if branch_id is not None:
                booking_settings.online_page_ensure(
                    actor=actor, branch_id=branch_id, renew=request.POST.get("renew") == "1"
                )
            else:
                data = inputs.parse_form(BookingSettingsIn, request.POST)
                booking_settings.booking_settings_save(actor=actor, data=data)
        except (ServiceError, ValidationError) as exc:
            error = (inputs.refused(exc) if isinstance(exc, ValidationError) else exc).message
        else:
            messages.success(request, _("Saved."))
            return redirect("appointments:online_settings")
    branches = list(policy.scope_branches(actor, Branch.objects.filter(is_active=True)))
    pages = {p.branch_id: p for p in OnlinePage.objects.filter(branch__in=branches)}
    shown: list[dict[str, Any]] = []
    for branch in branches:
        page = pages.get(branch.pk)
        url = links.page_url(page.token) if page else ""
        # segno's own SVG
        qr = mark_safe(_qr_svg(url)) if url else ""  # noqa: S308
        shown.append({"branch": branch, "url": url, "qr": qr})
    context = {"s": booking_rules(business_id), "pages": shown, "error": error}
    return render(
        request, "appointments/online_settings.html", context, status=400 if error else 200
    )


@staff_view(cap=AppointmentCap.APPOINTMENT_VIEW)
@require_http_methods(["GET", "POST"])
def calendar_feed(request: StaffRequest) -> HttpResponse:
    actor = request.user
    url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.feed_revoke(actor=actor)
            messages.success(request, _("The calendar link no longer works."))
            return redirect("appointments:calendar_feed")
        url = feeds.feed_renew(actor=actor)
    row = CalendarFeed.objects.filter(staff=actor).first()
    return render(request, "appointments/calendar_feed.html", {"feed": row, "url": url})
