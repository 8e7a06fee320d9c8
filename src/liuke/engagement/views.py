"""Engagement pages. Thin: parse, call a service or selector, render; htmx gets partials.
Refused input shows its message in the page and saves nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liuke.accounts.http import StaffRequest, staff_view
from liuke.core import inputs
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.customers.picking import customer_pick, positive_id
from liuke.customers.profile import panel_response
from liuke.engagement import brief as brief_selectors
from liuke.engagement import selectors, services
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.choices import Channel, Direction, FollowUpOutcome, MessageStatus, Outcome
from liuke.engagement.schemas import (
    CompleteIn,
    ContactFormIn,
    NoteIn,
    ReasonFormIn,
    ReminderSettingsFormIn,
    RescheduleIn,
    RuleFormIn,
    TemplateFormIn,
)

# --- follow-ups ---------------------------------------------------------------------------------

VIEWS = ("today", "overdue", "upcoming", "done")


@staff_view(cap=EngagementCap.ENGAGEMENT_VIEW)
def followup_list(request: StaffRequest) -> HttpResponse:
    actor = request.user
    view = request.GET.get("view", "today")
    view = view if view in VIEWS else "today"
    staff_id = positive_id(request.GET.get("staff"))
    rows = selectors.followups(actor=actor, view=view, staff_id=staff_id)  # type: ignore[arg-type]
    context = {
        "rows": rows,
        "view": view,
        "views": [
            ("today", _("Today")),
            ("overdue", _("Overdue")),
            ("upcoming", _("Next 7 days")),
            ("done", _("Done")),
        ],
        "counts": selectors.followup_counts(actor=actor, staff_id=staff_id),
        "team": selectors.team(actor=actor),
        "staff_id": staff_id,
        "outcomes": FollowUpOutcome.choices,
        "today": timezone.localdate(),
    }
    return render(request, "engagement/followups.html", context)


def followup_action(
    request: StaffRequest, followup_id: int, act: Callable[[], Any], done: Callable[[Any], str]
) -> HttpResponse:
    """Run a follow-up service (this app's, or another app's that closes a follow-up: the
    complaint a follow-up opens); htmx gets the row replaced (by a done line, or by the error
    under it), a plain form post a message and the list again."""
    request.back = reverse("engagement:followups")
    try:
        followup = act()
    except ServiceError as exc:
        # htmx swaps the refusal in under the row; the rest goes to the error middleware.
        if not request.htmx or isinstance(exc, NotFound | PermissionDenied):
            raise
        return render(
            request,
            "engagement/partials/row_error.html",
            {"message": exc.message, "row_id": f"fu-{followup_id}"},
            status=400,
        )
    note = done(followup)
    if request.htmx:
        return render(
            request,
            "engagement/partials/followup_done.html",
            {"f": followup, "note": note, "row_id": f"fu-{followup_id}"},
        )
    messages.success(request, note)
    return redirect("engagement:followups")


@staff_view
@require_POST
def followup_complete(request: StaffRequest, followup_id: int) -> HttpResponse:
    return followup_action(
        request,
        followup_id,
        lambda: services.followup_complete(
            actor=request.user,
            followup_id=followup_id,
            **inputs.parse_post(CompleteIn, request.POST).model_dump(),
        ),
        _done_note,
    )


def _done_note(followup: Any) -> str:
    """What the row says once the outcome is in: done, or (no answer) when it is tried again."""
    if followup.status == "open":
        return _("No answer: we try again on %(day)s (call %(n)d).") % {
            "day": followup.due_on.isoformat(),
            "n": followup.attempts + 1,
        }
    if followup.outcome == FollowUpOutcome.ISSUE:
        return _("Done: %(outcome)s. A senior colleague will call the customer back.") % {
            "outcome": followup.get_outcome_display()
        }
    return str(_("Done: %(outcome)s.") % {"outcome": followup.get_outcome_display()})


@staff_view
@require_POST
def followup_reschedule(request: StaffRequest, followup_id: int) -> HttpResponse:
    return followup_action(
        request,
        followup_id,
        lambda: services.followup_reschedule(
            actor=request.user,
            followup_id=followup_id,
            **inputs.parse_post(RescheduleIn, request.POST).model_dump(),
        ),
        lambda f: _("Moved to %(day)s.") % {"day": f.due_on.isoformat()},
    )


# --- tasks --------------------------------------------------------------------------------------


@staff_view(cap=EngagementCap.ENGAGEMENT_VIEW)
def task_list(request: StaffRequest) -> HttpResponse:
    actor = request.user
    staff_id = positive_id(request.GET.get("staff"))
    overdue = request.GET.get("overdue") == "1"
    context = {
        "rows": selectors.tasks(actor=actor, staff_id=staff_id, overdue_only=overdue),
        "team": selectors.team(actor=actor),
        "staff_id": staff_id,
        "overdue": overdue,
        "now": timezone.now(),
    }
    return render(request, "engagement/tasks.html", context)


@staff_view
@require_POST
def task_complete(request: StaffRequest, task_id: int) -> HttpResponse:
    request.back = reverse("engagement:tasks")
    done = inputs.parse_post(NoteIn, request.POST)
    services.task_complete(actor=request.user, task_id=task_id, note=done.note)
    messages.success(request, _("Task done."))
    return redirect(request.back)


# --- contacts -----------------------------------------------------------------------------------


@staff_view(cap=EngagementCap.CONTACT_LOG)
@require_http_methods(["GET", "POST"])
def contact_new(request: StaffRequest) -> HttpResponse:
    """Log a contact: from the customer's profile (?customer=) or after a phone-number search
    (?q=13812345678 finds the caller at once)."""
    actor = request.user
    chosen = customer_pick(request, actor, purpose="contact")
    customer, matches, query = chosen.customer, chosen.matches, chosen.query
    error: ServiceError | None = None
    if request.method == "POST" and customer is not None:
        try:
            form = inputs.parse_post(ContactFormIn, request.POST)
            services.contact_log(
                actor=actor,
                customer_id=customer.pk,
                channel=form.channel,
                direction=form.direction,
                reason_id=form.reason_id,
                outcome=form.outcome,
                notes=form.notes,
                wait_seconds=(form.wait_minutes or 0) * 60,
                handle_seconds=(form.handle_minutes or 0) * 60,
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("Contact logged."))
            return redirect("customers:detail", customer_id=customer.pk)
    reasons = selectors.reasons(actor=actor)
    picked = positive_id(request.POST.get("reason_id"))
    context = {
        "customer": customer,
        "matches": matches,
        "q": query,
        "reasons": reasons,
        "picked": next((r for r in reasons if r.pk == picked), None),
        "channels": Channel.choices,
        "directions": Direction.choices,
        "outcomes": Outcome.choices,
        "error": error,
        "data": request.POST,
        "history": selectors.contacts(actor=actor, customer=customer, limit=10) if customer else [],
    }
    return render(request, "engagement/contact_form.html", context, status=400 if error else 200)


@staff_view(cap=EngagementCap.CONTACT_LOG)
def reason_response(request: StaffRequest) -> HttpResponse:
    """The best response of the reason just picked (htmx partial)."""

    reason = None
    with contextlib.suppress(NotFound):
        reason = selectors.reason_get(actor=request.user, reason_id=request.GET.get("reason_id"))
    return render(request, "engagement/partials/best_response.html", {"picked": reason})


@staff_view(cap=EngagementCap.ENGAGEMENT_VIEW)
def contact_list(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "engagement/contacts.html",
        {"rows": selectors.contacts(actor=request.user, limit=100)},
    )


# --- reasons (managers) -------------------------------------------------------------------------


@staff_view(cap=EngagementCap.REASON_MANAGE)
@require_http_methods(["GET", "POST"])
def reason_manage(request: StaffRequest) -> HttpResponse:
    actor = request.user
    error: ServiceError | None = None
    if request.method == "POST":
        try:
            services.reason_save(
                actor=actor, **inputs.parse_post(ReasonFormIn, request.POST).model_dump()
            )
        except NotFound:
            raise
        except ServiceError as exc:  # shown in the form, beside what was typed
            error = exc
        else:
            messages.success(request, _("Reason saved."))
            return redirect("engagement:reasons")
    return render(
        request,
        "engagement/reasons.html",
        {
            "reasons": selectors.reasons(actor=actor, include_inactive=True),
            "error": error,
            "data": request.POST,
        },
        status=400 if error else 200,
    )


# --- the outbox ---------------------------------------------------------------------------------


@staff_view(cap=EngagementCap.ENGAGEMENT_VIEW)
def outbox(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", MessageStatus.READY)
    status = status if status in MessageStatus.values else MessageStatus.READY
    actor = request.user
    counts = selectors.outbox_counts(actor=actor)
    return render(
        request,
        "engagement/outbox.html",
        {
            "rows": selectors.outbox(actor=actor, status=status),
            "status": status,
            "statuses": [(key, label, counts.get(key, 0)) for key, label in MessageStatus.choices],
        },
    )


@staff_view
@require_POST
def outbox_sent(request: StaffRequest, message_id: int) -> HttpResponse:
    request.back = reverse("engagement:outbox")
    services.message_mark_sent(actor=request.user, message_id=message_id)
    messages.success(request, _("Marked as sent."))
    return redirect(request.back)


# --- reports ------------------------------------------------------------------------------------


@staff_view(cap=EngagementCap.ENGAGEMENT_REPORTS)
def reports(request: StaffRequest) -> HttpResponse:
    actor = request.user
    days = positive_id(request.GET.get("days")) or 30
    days = min(days, 366)
    branch_id = positive_id(request.GET.get("branch"))
    staff, branches = selectors.on_time_rates(actor=actor, days=days)
    return render(
        request,
        "engagement/reports.html",
        {
            "report": selectors.contact_report(actor=actor, days=days, branch_id=branch_id),
            "branches": selectors.branches(actor=actor),
            "branch_id": branch_id,
            "staff_rates": staff,
            "branch_rates": branches,
            "days": days,
        },
    )


# --- the brief ----------------------------------------------------------------------------------


@staff_view(cap=EngagementCap.ENGAGEMENT_VIEW)
def brief_today(request: StaffRequest) -> HttpResponse:
    actor = request.user
    branches = selectors.branches(actor=actor)
    if not branches:
        raise Http404
    branch_id = positive_id(request.GET.get("branch"))
    branch = next((b for b in branches if b.pk == branch_id), branches[0])
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    expected = brief_selectors.expected_today(actor=actor, branch=branch, day=day)
    return render(
        request,
        "engagement/brief_today.html",
        {"expected": expected, "branch": branch, "branches": branches, "day": day},
    )


@staff_view(cap=EngagementCap.ENGAGEMENT_VIEW)
def brief_customer(request: StaffRequest, customer_id: int) -> HttpResponse:
    try:
        brief = brief_selectors.customer_brief(actor=request.user, customer_id=customer_id)
    except PermissionDenied:  # any refusal of the brief answers 404 here, as it always has
        raise Http404 from None
    return render(request, "engagement/brief.html", {"b": brief})


# --- follow-up rules, templates and reminder settings (managers) -------------------------------


@staff_view(cap=EngagementCap.REASON_MANAGE)
@require_http_methods(["GET", "POST"])
def settings_manage(request: StaffRequest) -> HttpResponse:
    actor = request.user
    error: ServiceError | None = None
    if request.method == "POST":
        form = request.POST.get("form")
        try:
            if form == "rule":
                rule = inputs.parse_post(RuleFormIn, request.POST)
                services.rule_save(actor=actor, **rule.model_dump())
            elif form == "template":
                template = inputs.parse_post(TemplateFormIn, request.POST)
                services.template_save(actor=actor, **template.model_dump())
            else:
                sent = inputs.parse_post(ReminderSettingsFormIn, request.POST)
                # only the boxes sent change; a blank one is None, which the service refuses
                values = sent.model_dump(exclude={"branch_id"})
                services.reminder_settings_save(
                    actor=actor,
                    branch_id=sent.branch_id,
                    values={f: v for f, v in values.items() if f in request.POST},
                )
        except NotFound:
            raise
        except ServiceError as exc:  # shown in the form, beside what was typed
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect("engagement:settings")
    return render(
        request,
        "engagement/settings.html",
        {**selectors.engagement_settings(actor=actor), "error": error},
        status=400 if error else 200,
    )


@staff_view(cap=EngagementCap.ENGAGEMENT_VIEW)
def customer_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The profile's "contacts and follow-ups" section (alone: a refresh of the panel)."""
    return panel_response(request, "engagement", customer_id)
