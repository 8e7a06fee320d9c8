"""Calls from numbers that are no customer yet: log one, see those still to call back, turn the
caller into a customer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liuke.accounts.http import StaffRequest, staff_view
from liuke.core.errors import ServiceError
from liuke.customers.choices import Gender
from liuke.engagement import selectors
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.selectors_prospects import prospect_calls
from liuke.engagement.services.prospects import prospect_call_log, prospect_convert


@staff_view(cap=EngagementCap.ENGAGEMENT_VIEW)
@require_http_methods(["GET", "POST"])
def prospects(request: StaffRequest) -> HttpResponse:
    actor = request.user
    error: ServiceError | None = None
    if request.method == "POST":
        request.back = "engagement:prospects"
        try:
            prospect_call_log(
                actor=actor,
                mobile=request.POST.get("mobile", ""),
                reason_id=request.POST.get("reason_id"),
                name=request.POST.get("name", ""),
                notes=request.POST.get("notes", ""),
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("Call logged. It is listed here until you call back."))
            return redirect("engagement:prospects")
    context = {
        "calls": prospect_calls(actor=actor),
        "reasons": selectors.reasons(actor=actor),
        "genders": Gender.choices,
        "error": error,
        "data": request.POST if error else {"mobile": request.GET.get("mobile", "")},
    }
    return render(request, "engagement/prospects.html", context, status=400 if error else 200)


@staff_view
@require_POST
def prospect_make_customer(request: StaffRequest, call_id: int) -> HttpResponse:
    request.back = "engagement:prospects"
    customer = prospect_convert(
        actor=request.user,
        call_id=call_id,
        name=request.POST.get("name", ""),
        gender=request.POST.get("gender", ""),
    )
    messages.success(request, _("The caller is a customer now, with their calls as contacts."))
    return redirect("customers:detail", customer_id=customer.pk)
