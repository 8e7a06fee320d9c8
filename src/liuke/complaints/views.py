"""Complaint pages. Thin: parse, call a service or selector, render. Refused input shows its
message on the page and saves nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticError

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch, User
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
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.money import parse_yuan
from liuke.customers.picking import customer_pick, positive_id
from liuke.customers.profile import panel_response


def _amount(value: str | None) -> int:
    """Yuan typed in a form (12 or 12.50) as fen; blank is nothing (an apology gives no money).
    A typing mistake is refused here with the amount's own message (a ServiceError)."""
    return parse_yuan(value, allow_zero=True) if (value or "").strip() else 0


def _team(actor: User) -> list[User]:
    return list(
        User.objects.filter(
            business_id=policy.business_of(actor),
            is_active=True,
            role__in=policy.roles_with(ComplaintCap.COMPLAINT_HANDLE),
        ).order_by("display_name", "id")
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


@staff_view(cap=ComplaintCap.COMPLAINT_HANDLE)
def complaint_new(request: StaffRequest) -> HttpResponse:
    """Open a complaint: from the customer's profile (?customer=) or after a search."""
    actor = request.user
    picked = customer_pick(request, actor, purpose="complaint")
    customer, matches, query = picked.customer, picked.matches, picked.query
    error: ServiceError | None = None
    if request.method == "POST" and customer is not None:
        try:
            complaint = services.complaint_open(
                actor=actor,
                customer_id=customer.pk,
                channel=request.POST.get("channel", ""),
                description=request.POST.get("description", ""),
                severity=request.POST.get("severity") or None,
                cause_code=request.POST.get("cause_code") or None,
                visit_id=positive_id(request.POST.get("visit_id")),
                staff_id=positive_id(request.POST.get("staff_id")),
            )
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


def _act(
    request: StaffRequest,
    complaint_id: int,
    act: Callable[[], Any],
    done: str,
    *,
    step: Any = None,
    step_refused: Any = None,
) -> HttpResponse:
    """Run a service for a complaint; its refusal is shown on the page (at `step_refused`)
    and nothing is saved; success goes on to `step`."""
    url = reverse("complaints:detail", args=[complaint_id])
    request.back = f"{url}?step={step_refused}" if step_refused else url
    act()
    messages.success(request, done)
    return redirect(f"{url}?step={step}" if step else url)


@staff_view
@require_POST
def step_record(request: StaffRequest, complaint_id: int) -> HttpResponse:
    step = positive_id(request.POST.get("step"))
    following = step + 1 if step and step < Step.CLOSE else step
    return _act(
        request,
        complaint_id,
        lambda: services.complaint_step_record(
            actor=request.user,
            complaint_id=complaint_id,
            step=step,
            note=request.POST.get("note", ""),
            restated_problem=request.POST.get("restated_problem"),
            confirmed=request.POST.get("confirmed") == "yes",
            summary=request.POST.get("summary"),
        ),
        _("Step recorded."),
        step=following,
        step_refused=step,
    )


@staff_view
@require_POST
def wait_toggle(request: StaffRequest, complaint_id: int) -> HttpResponse:
    actor = request.user

    def act() -> Any:
        if request.POST.get("wait") == "1":
            return services.complaint_wait(
                actor=actor, complaint_id=complaint_id, note=request.POST.get("note", "")
            )
        return services.complaint_resume(actor=actor, complaint_id=complaint_id)

    return _act(request, complaint_id, act, _("Saved. The timers follow."))


@staff_view
@require_POST
def update(request: StaffRequest, complaint_id: int) -> HttpResponse:
    return _act(
        request,
        complaint_id,
        lambda: services.complaint_update(
            actor=request.user,
            complaint_id=complaint_id,
            severity=request.POST.get("severity") or None,
            cause_code=request.POST.get("cause_code") or None,
            handler_id=positive_id(request.POST.get("handler_id")),
            staff_id=positive_id(request.POST.get("staff_id")),
        ),
        _("Saved."),
    )


def _date(value: Any) -> Any:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@staff_view
@require_POST
def action_add(request: StaffRequest, complaint_id: int) -> HttpResponse:
    return _act(
        request,
        complaint_id,
        lambda: services.action_add(
            actor=request.user,
            complaint_id=complaint_id,
            side=request.POST.get("side", ""),
            text=request.POST.get("text", ""),
            owner_id=positive_id(request.POST.get("owner_id")),
            due_on=_date(request.POST.get("due_on")),
        ),
        _("Action added."),
        step=positive_id(request.POST.get("back_step")),
        step_refused=positive_id(request.POST.get("back_step")),
    )


@staff_view
@require_POST
def action_done(request: StaffRequest, action_id: int) -> HttpResponse:
    request.back = reverse("complaints:list")
    action = services.action_done(actor=request.user, action_id=action_id)
    messages.success(request, _("Action done."))
    return redirect("complaints:detail", complaint_id=action.complaint_id)


@staff_view
@require_POST
def resolve(request: StaffRequest, complaint_id: int) -> HttpResponse:
    actor = request.user
    outcome: dict[str, Any] = {}

    def act() -> Any:
        kind = request.POST.get("kind", "")
        visit_id = positive_id(request.POST.get("visit_id"))
        line_id = positive_id(request.POST.get("line_id"))
        exchange = _exchange(request, actor, line_id) if kind == ResolutionKind.EXCHANGE else None
        if exchange is not None:
            visit_id = exchange.pop("visit_id")
        outcome["r"] = services.complaint_resolve(
            actor=actor,
            complaint_id=complaint_id,
            kind=kind,
            amount_fen=_amount(request.POST.get("amount")),
            note=request.POST.get("note", ""),
            visit_id=visit_id,
            line_id=line_id,
            card_id=positive_id(request.POST.get("card_id")),
            voucher_code=request.POST.get("voucher_code", ""),
            exchange=exchange,
        )
        return outcome["r"]

    response = _act(request, complaint_id, act, _("Resolution recorded."))
    r = outcome.get("r")
    if r is not None and r.status == "pending":
        messages.info(request, _("Above your limit: it waits for a manager's approval."))
    return response


def _exchange(request: StaffRequest, actor: User, line_id: int | None) -> dict[str, Any]:
    """The exchange typed on the page: the line given back, the service taken instead and who
    performs it, paid in full by one method at the new price (priced by the checkout's own
    quote, so member prices apply exactly as at the till)."""
    from liuke.sales import services as sales
    from liuke.sales.models import VisitLine

    line = VisitLine.objects.filter(pk=line_id or 0).select_related("visit").first()
    if line is None:
        raise ServiceError(ComplaintsErrorCode.LINE_REQUIRED, _("Choose the line to exchange."))
    new_line = {
        "service_id": positive_id(request.POST.get("service_id")),
        "staff_id": positive_id(request.POST.get("performer_id")),
    }
    quote = sales.checkout_quote(
        actor=actor,
        data={
            "customer_id": line.visit.customer_id,
            "branch_id": line.visit.branch_id,
            "lines": [new_line],
        },
    )
    method = request.POST.get("method", "")
    return {
        "visit_id": line.visit_id,
        "lines": [new_line],
        "payments": [{"method": method, "amount_fen": quote.total_fen}],
    }


@staff_view
@require_POST
def close(request: StaffRequest, complaint_id: int) -> HttpResponse:
    return _act(
        request,
        complaint_id,
        lambda: services.complaint_close(
            actor=request.user, complaint_id=complaint_id, note=request.POST.get("note", "")
        ),
        _("Complaint closed. Thank you for seeing it through."),
    )


@staff_view
@require_POST
def after(request: StaffRequest, complaint_id: int) -> HttpResponse:
    """After closing: the cause fix, then telling the customer."""
    actor = request.user
    if request.POST.get("what") == "told":
        return _act(
            request,
            complaint_id,
            lambda: services.complaint_customer_told(
                actor=actor, complaint_id=complaint_id, note=request.POST.get("note", "")
            ),
            _("Saved."),
        )
    return _act(
        request,
        complaint_id,
        lambda: services.complaint_cause_fix(
            actor=actor, complaint_id=complaint_id, cause_fix=request.POST.get("cause_fix", "")
        ),
        _("Saved."),
    )


# --- approvals, settings, reports, the profile panel -------------------------------------------


@staff_view(cap=ComplaintCap.COMPLAINT_APPROVE)
def approvals(request: StaffRequest) -> HttpResponse:
    rows = selectors.approvals(actor=request.user)
    return render(request, "complaints/approvals.html", {"rows": rows, "section": "approvals"})


@staff_view
@require_POST
def decide(request: StaffRequest, resolution_id: int) -> HttpResponse:
    request.back = reverse("complaints:approvals")
    services.resolution_decide(
        actor=request.user,
        resolution_id=resolution_id,
        approve=request.POST.get("decision") == "approve",
        note=request.POST.get("note", ""),
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
                values: dict[str, Any] = {}
                for name in services.SETTING_RANGES:
                    raw = request.POST.get(name, "")
                    values[name] = int(raw) if raw.strip().isdigit() else raw
                values["escalate_severity"] = request.POST.get("escalate_severity", "")
                services.settings_save(actor=actor, values=values)
            elif what == "limit":
                raw = request.POST.get("limit", "").strip()
                services.limit_save(
                    actor=actor,
                    role=request.POST.get("role", ""),
                    limit_fen=None if raw == "" else _amount(raw),
                )
            elif what == "cause":
                position = request.POST.get("position", "100")
                services.cause_save(
                    actor=actor,
                    cause_id=positive_id(request.POST.get("cause_id")),
                    code=request.POST.get("code", ""),
                    name_zh=request.POST.get("name_zh", ""),
                    name_en=request.POST.get("name_en", ""),
                    position=int(position) if position.isdigit() else -1,
                    is_active=request.POST.get("is_active") == "on",
                )
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
