"""Complaint pages: the list, opening a case, the guided page of one case. Thin: parse, call a
service or selector, render. Refused input shows its message on the page and saves nothing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticError

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch
from liuke.complaints import selectors, services
from liuke.complaints.capabilities import ComplaintCap
from liuke.complaints.choices import (
    STEP_HINTS,
    ActionSide,
    Channel,
    ResolutionKind,
    Severity,
    Status,
    Step,
)
from liuke.complaints.schemas import ComplaintOpenIn
from liuke.complaints.views.shared import _team
from liuke.core import inputs
from liuke.core.errors import ServiceError
from liuke.core.inputs import parse_post
from liuke.customers.picking import customer_pick, positive_id
from liuke.engagement.schemas import NoteIn
from liuke.engagement.views import followup_action

# --- from a follow-up --------------------------------------------------------------------------


@staff_view(cap=ComplaintCap.COMPLAINT_HANDLE)
@require_POST
def from_followup(request: StaffRequest, followup_id: int) -> HttpResponse:
    """The follow-up list's "unhappy: open a complaint": the follow-up closes and the note
    becomes the case (answered like the list's other follow-up forms)."""
    return followup_action(
        request,
        followup_id,
        lambda: services.complaint_from_followup(
            actor=request.user,
            followup_id=followup_id,
            note=inputs.parse_post(NoteIn, request.POST).note,
        ),
        lambda c: _("Complaint #%(id)s opened with what the customer said.") % {"id": c.pk},
    )


# --- list --------------------------------------------------------------------------------------


@staff_view(cap=ComplaintCap.COMPLAINT_VIEW)
def complaint_list(request: StaffRequest) -> HttpResponse:
    actor = request.user
    raw = {k: v for k, v in request.GET.items() if v not in ("", None)}
    if raw.get("handler") == "me":
        raw["handler"] = str(actor.pk)
    try:
        filters = selectors.ComplaintFilters.model_validate(raw)
    except PydanticError:
        filters = selectors.ComplaintFilters()
    rows = selectors.complaint_list(actor=actor, filters=filters)
    board = selectors.dashboard(actor=actor)
    now = timezone.now()
    context = {
        "rows": [(c, selectors.timers(c, now)) for c in rows],
        "f": filters,
        "board": board,
        "statuses": [
            ("unresolved", _("Unresolved")),
            ("open", Status.OPEN.label),
            ("waiting", Status.WAITING.label),
            ("resolved", Status.RESOLVED.label),
            ("closed", Status.CLOSED.label),
            ("all", _("All")),
        ],
        "severities": Severity.choices,
        "causes": selectors.causes(actor=actor),
        "branches": policy.scope_branches(actor, Branch.objects.all()),
        "section": "list",
    }
    return render(request, "complaints/list.html", context)


# What the page's form sends, and the customer picked (?customer=); a branch comes from the visit.
_OPEN_FIELDS = (
    "customer_id",
    "channel",
    "description",
    "severity",
    "cause_code",
    "visit_id",
    "staff_id",
)


@staff_view(cap=ComplaintCap.COMPLAINT_HANDLE)
def complaint_new(request: StaffRequest) -> HttpResponse:
    """Open a complaint: from the customer's profile (?customer=) or after a search."""
    actor = request.user
    picked = customer_pick(request, actor, purpose="complaint")
    customer, matches, query = picked.customer, picked.matches, picked.query
    error: ServiceError | None = None
    if request.method == "POST" and customer is not None:
        try:
            form = request.POST.copy()
            form["customer_id"] = str(customer.pk)
            sent = parse_post(ComplaintOpenIn, form, fields=_OPEN_FIELDS)
            complaint = services.complaint_open(actor=actor, **sent.model_dump())
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("Complaint opened. Work through the steps now."))
            return redirect("complaints:detail", complaint_id=complaint.pk)
    visits = []
    if customer is not None:
        from liuke.sales.models import Visit

        visits = list(
            Visit.objects.filter(customer=customer)
            .select_related("served_by")
            .order_by("-visited_at")[:10]
        )
    context = {
        "customer": customer,
        "matches": matches,
        "q": query,
        "visits": visits,
        "team": _team(actor),
        "causes": selectors.causes(actor=actor),
        "channels": Channel.choices,
        "severities": Severity.choices,
        "error": error,
        "data": request.POST,
        "section": "new",
    }
    return render(request, "complaints/new.html", context, status=400 if error else 200)


# --- the guided page ---------------------------------------------------------------------------


@staff_view(cap=ComplaintCap.COMPLAINT_VIEW)
def complaint_detail(request: StaffRequest, complaint_id: int) -> HttpResponse:
    """The ten steps: one at a time (?step=N, the next one to do by default) or all (?all=1),
    with a progress indicator, the agreed actions, the resolution and closing."""
    actor = request.user
    c = selectors.complaint_get(actor=actor, complaint_id=complaint_id)
    settings = selectors.settings_of(c.business_id)
    done = {s.step: s for s in c.steps.all()}
    next_step = next((s for s in Step.values if s not in done), Step.CLOSE)
    current = positive_id(request.GET.get("step")) or next_step
    current = current if current in Step.values else next_step
    show_all = request.GET.get("all") == "1"
    steps = [
        {
            "n": value,
            "label": label,
            "hint": STEP_HINTS[Step(value)],
            "done": done.get(value),
            "current": value == current,
        }
        for value, label in Step.choices
    ]
    from liuke.sales.choices import PaymentMethod
    from liuke.sales.models import Service, StoredValueCard, Visit, VisitLine

    context = {
        "c": c,
        "steps": steps,
        "current": current,
        "current_step": next(s for s in steps if s["n"] == current),
        "show_all": show_all,
        "done_count": len(done),
        "timers": selectors.timers(c),
        "reach": selectors.reach(c, settings),
        "settings": settings,
        "blockers": services.close_blockers(c) if c.status != Status.CLOSED else [],
        "recovery": selectors.recovery(c, settings),
        "team": _team(actor),
        "causes": selectors.causes(actor=actor),
        "severities": Severity.choices,
        "sides": ActionSide.choices,
        "kinds": ResolutionKind.choices,
        "visits": list(
            Visit.objects.filter(customer_id=c.customer_id).order_by("-visited_at")[:10]
        ),
        "cards": list(StoredValueCard.objects.filter(customer_id=c.customer_id, status="active")),
        "lines": list(
            VisitLine.objects.filter(visit__customer_id=c.customer_id, service__isnull=False)
            .select_related("visit", "service")
            .order_by("-visit__visited_at", "id")[:20]
        ),
        "services": list(
            Service.objects.filter(business_id=c.business_id, is_active=True).order_by("name")
        ),
        "methods": [(k, v) for k, v in PaymentMethod.choices if k != PaymentMethod.STORED_VALUE],
        "limit_fen": services.limit_for(c.business_id, actor.role),
        "today": timezone.localdate(),
        "error": None,
        "can_handle": policy.can(actor, ComplaintCap.COMPLAINT_HANDLE)
        and c.status != Status.CLOSED,
    }
    return render(request, "complaints/detail.html", context)
