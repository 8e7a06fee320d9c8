"""Complaint pages for managers: approvals, settings, reports; and the profile panel."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch
from liuke.complaints import selectors, services
from liuke.complaints.capabilities import ComplaintCap
from liuke.complaints.choices import Severity
from liuke.complaints.schemas import (
    ComplaintCauseFormIn,
    ComplaintDecideIn,
    ComplaintLimitFormIn,
    ComplaintSettingsFormIn,
)
from liuke.complaints.views.shared import _amount
from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.idempotency import form_once
from liuke.core.inputs import parse_post
from liuke.customers.picking import positive_id
from liuke.customers.profile import panel_response

# --- approvals, settings, reports, the profile panel -------------------------------------------


@staff_view(cap=ComplaintCap.COMPLAINT_APPROVE)
def approvals(request: StaffRequest) -> HttpResponse:
    rows = selectors.approvals(actor=request.user)
    return render(request, "complaints/approvals.html", {"rows": rows, "section": "approvals"})


@staff_view
@require_POST
@form_once
def decide(request: StaffRequest, resolution_id: int) -> HttpResponse:
    request.back = reverse("complaints:approvals")
    # The page's two buttons name the decision; the API sends `approve` itself.
    sent = {"approve": request.POST.get("decision") == "approve", "note": request.POST.get("note")}
    decision = parse_post(ComplaintDecideIn, {k: v for k, v in sent.items() if v is not None})
    services.resolution_decide(
        actor=request.user, resolution_id=resolution_id, **decision.model_dump()
    )
    messages.success(request, _("Decision saved."))
    return redirect(request.back)


@staff_view(cap=ComplaintCap.COMPLAINT_MANAGE)
def settings_manage(request: StaffRequest) -> HttpResponse:
    """Targets per severity, escalation, word-of-mouth factors, compensation limits, causes."""
    actor = request.user
    business_id = policy.business_of(actor)
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "settings":
                values = parse_post(ComplaintSettingsFormIn, request.POST).model_dump()
                services.settings_save(actor=actor, values=values)
            elif what == "limit":
                limit = parse_post(ComplaintLimitFormIn, request.POST)
                services.limit_save(
                    actor=actor,
                    role=limit.role,
                    limit_fen=None if not limit.limit.strip() else _amount(limit.limit),
                )
            elif what == "cause":
                cause = parse_post(ComplaintCauseFormIn, request.POST)
                services.cause_save(actor=actor, **cause.model_dump())
            else:
                raise ServiceError(CoreErrorCode.INVALID, _("Choose what to save."))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("complaints:settings")
    settings = selectors.settings_of(business_id)
    rows = [
        {
            "value": s,
            "label": label,
            "response": getattr(settings, f"response_{s}_min"),
            "resolution": getattr(settings, f"resolution_{s}_h"),
        }
        for s, label in Severity.choices
    ]
    limits = [
        (role, label, services.limit_for(business_id, role))
        for role, label in Role.choices
        if role in policy.roles_with(ComplaintCap.COMPLAINT_HANDLE)
    ]
    context = {
        "settings": settings,
        "rows": rows,
        "severities": Severity.choices,
        "limits": limits,
        "causes": selectors.causes(actor=actor, include_inactive=True),
        "section": "settings",
    }
    return render(request, "complaints/settings.html", context)


@staff_view(cap=ComplaintCap.COMPLAINT_REPORTS)
def reports(request: StaffRequest) -> HttpResponse:
    actor = request.user
    days = positive_id(request.GET.get("days")) or 90
    branch_id = positive_id(request.GET.get("branch"))
    report = selectors.report(actor=actor, days=days, branch_id=branch_id)
    context = {
        "r": report,
        "days": report.days,
        "branch_id": branch_id,
        "branches": policy.scope_branches(actor, Branch.objects.all()),
        "board": selectors.dashboard(actor=actor),
        "section": "reports",
    }
    return render(request, "complaints/reports.html", context)


@staff_view(cap=ComplaintCap.COMPLAINT_VIEW)
def customer_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The complaints section of the customer's profile (alone: a refresh of the panel)."""
    return panel_response(request, "complaints", customer_id)
