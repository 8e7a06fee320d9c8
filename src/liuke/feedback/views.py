"""Feedback pages for staff. Thin: parse, call a service or selector, render. Refused input
shows its message and saves nothing; a missing capability is a 404, like a missing page
(`accounts.http.staff_view` and the error middleware)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch
from liuke.core import inputs
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.customers.profile import panel_response
from liuke.feedback import figures, links, selectors, services
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import ConversationKind, GroupBy, SuggestionStatus
from liuke.feedback.schemas import (
    BoxQuery,
    ConversationIn,
    FeedbackResultsQuery,
    ImprovementIn,
    ResponsesQuery,
    SuggestionHandleIn,
    SurveySettingsIn,
)


def _branches(request: StaffRequest) -> list[Branch]:
    return list(policy.scope_branches(request.user, Branch.objects.all()).order_by("name"))


@staff_view(cap=FeedbackCap.FEEDBACK_VIEW)
def results(request: StaffRequest) -> HttpResponse:
    actor = request.user
    query = inputs.parse_filters(FeedbackResultsQuery, request.GET)
    group_by, since, until, branch_id = query.group_by, query.since, query.until, query.branch
    context = {
        "section": "results",
        "group_by": group_by,
        "groups": GroupBy.choices,
        "rows": figures.results(
            actor=actor, group_by=group_by, since=since, until=until, branch_id=branch_id
        ),
        "rate": figures.response_rate(actor=actor, since=since, until=until, branch_id=branch_id),
        "managers": figures.manager_activity(actor=actor, since=since, until=until),
        "since": since,
        "until": until,
        "branch_id": branch_id,
        "branches": _branches(request),
    }
    return render(request, "feedback/results.html", context)


@staff_view(cap=FeedbackCap.FEEDBACK_VIEW)
def response_list(request: StaffRequest) -> HttpResponse:
    query = inputs.parse_filters(ResponsesQuery, request.GET)
    detractors = query.detractors
    rows = selectors.responses(
        actor=request.user,
        detractors_only=detractors,
        branch_id=query.branch,
        customer_id=query.customer,
    )
    return render(
        request,
        "feedback/responses.html",
        {"section": "responses", "rows": rows, "detractors": detractors},
    )


@staff_view(cap=FeedbackCap.FEEDBACK_VIEW)
def response_detail(request: StaffRequest, response_id: int) -> HttpResponse:
    row = selectors.response_detail(actor=request.user, response_id=response_id)
    return render(request, "feedback/response.html", {"section": "responses", "r": row})


@staff_view(cap=FeedbackCap.FEEDBACK_VIEW)
def customer_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The feedback section of the customer's profile (alone: a refresh of the panel)."""
    return panel_response(request, "feedback", customer_id)


@staff_view(cap=FeedbackCap.FEEDBACK_VIEW)
def suggestion_list(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    rows = selectors.suggestions(actor=request.user, status=status)
    return render(
        request,
        "feedback/suggestions.html",
        {
            "section": "suggestions",
            "rows": rows,
            "status": status,
            "statuses": SuggestionStatus.choices,
            "manager": selectors.sees_suggestion_contacts(request.user),
        },
    )


@staff_view
@require_POST
def suggestion_handle(request: StaffRequest, suggestion_id: int) -> HttpResponse:
    request.back = reverse("feedback:suggestions")
    try:
        handled = inputs.parse_form(SuggestionHandleIn, request.POST)
    except ValidationError as exc:
        raise inputs.refused(exc) from None  # its message, and back to the list
    services.suggestion_handle(
        actor=request.user, suggestion_id=suggestion_id, status=handled.status, note=handled.note
    )
    messages.success(request, _("Saved."))
    return redirect(request.back)


def _qr_svg(url: str) -> str:
    """The QR code of `url` as an inline SVG element (no script; prints crisply)."""
    qr = segno.make(url, error="m")
    # omitsize: a viewBox instead of a fixed width and height, so the CSS can size the code
    # without clipping it (a clipped code does not scan)
    return qr.svg_inline(scale=8, border=4, dark="#111", light="#fff", omitsize=True)


@staff_view(cap=FeedbackCap.FEEDBACK_MANAGE)
@require_http_methods(["GET", "POST"])
def box(request: StaffRequest) -> HttpResponse:
    branches = _branches(request)
    branch_id = inputs.parse_filters(BoxQuery, request.POST or request.GET).branch
    if branch_id is None and branches:
        branch_id = branches[0].pk
    if request.method == "POST":
        renew = request.POST.get("renew") == "1"
        try:
            made = services.box_ensure(actor=request.user, branch_id=branch_id, renew=renew)
        except ServiceError:  # no branch of the business to show: there is no page
            raise Http404 from None
        if renew:
            messages.success(
                request, _("A new QR code is ready; the old printout no longer works.")
            )
        return redirect(f"{request.path}?branch={made.branch_id}")
    # a GET only reads: a branch added after the business was created has no box until the
    # manager makes one (the form below posts without `renew`)
    branch, box_found = selectors.suggestion_box(actor=request.user, branch_id=branch_id or 0)
    context: dict[str, Any] = {"section": "box", "branches": branches, "branch": branch}
    if box_found is not None:
        url = links.box_url(box_found.token)
        context |= {"url": url, "qr": mark_safe(_qr_svg(url))}  # noqa: S308 (segno's own SVG)
    return render(request, "feedback/box.html", context)


@staff_view(any_cap=(FeedbackCap.FEEDBACK_VIEW, FeedbackCap.FEEDBACK_RECORD))
@require_http_methods(["GET", "POST"])
def conversations(request: StaffRequest) -> HttpResponse:
    actor = request.user
    error, posted = None, None
    if request.method == "POST":
        try:
            held = inputs.parse_form(ConversationIn, request.POST, comma=["customer_ids"])
            services.conversation_record(actor=actor, **held.model_dump())
        except (NotFound, PermissionDenied):
            raise  # answered by the error middleware
        except (ServiceError, ValidationError) as exc:  # shown in the form, beside what was typed
            error, posted = _message(exc), request.POST
        else:
            messages.success(request, _("The conversation is recorded."))
            return redirect("feedback:conversations")
    context = {
        "section": "conversations",
        "rows": selectors.conversations(actor=actor),
        "kinds": ConversationKind.choices,
        "branches": _branches(request),
        "today": timezone.localdate(),
        "error": error,
        "posted": posted,
        "can_record": policy.can(actor, FeedbackCap.FEEDBACK_RECORD),
    }
    return render(request, "feedback/conversations.html", context, status=400 if error else 200)


def _message(exc: ServiceError | ValidationError) -> str:
    return (inputs.refused(exc) if isinstance(exc, ValidationError) else exc).message


@staff_view(cap=FeedbackCap.FEEDBACK_VIEW)
@require_http_methods(["GET", "POST"])
def improvements(request: StaffRequest) -> HttpResponse:
    actor = request.user
    error, posted = None, None
    if request.method == "POST":
        try:
            notice = inputs.parse_form(
                ImprovementIn, request.POST, comma=["response_ids", "suggestion_ids"]
            )
            services.improvement_create(actor=actor, **notice.model_dump())
        except (NotFound, PermissionDenied):
            raise  # answered by the error middleware
        except (ServiceError, ValidationError) as exc:  # shown in the form, beside what was typed
            error, posted = _message(exc), request.POST
        else:
            messages.success(request, _("Recorded."))
            return redirect("feedback:improvements")
    context = {
        "section": "improvements",
        "rows": selectors.improvements(actor=actor),
        "branches": _branches(request),
        "error": error,
        "posted": posted,
        "manager": policy.can(actor, FeedbackCap.FEEDBACK_MANAGE),
    }
    return render(request, "feedback/improvements.html", context, status=400 if error else 200)


@staff_view
@require_POST
def improvement_notify(request: StaffRequest, improvement_id: int) -> HttpResponse:
    request.back = reverse("feedback:improvements")
    queued = services.improvement_notify(actor=request.user, improvement_id=improvement_id)
    messages.success(
        request,
        _("%(n)d messages queued in the outbox (customers with consent only).") % {"n": queued},
    )
    return redirect("feedback:improvements")


@staff_view(cap=FeedbackCap.FEEDBACK_MANAGE)
@require_http_methods(["GET", "POST"])
def settings_page(request: StaffRequest) -> HttpResponse:
    actor = request.user
    row = services.survey_settings(policy.business_of(actor))
    error = None
    if request.method == "POST":
        try:
            changed = inputs.parse_form(SurveySettingsIn, request.POST)
            services.settings_save(actor=actor, data=changed.model_dump())
        except (ServiceError, ValidationError) as exc:
            error = _message(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("feedback:settings")
    context = {"section": "settings", "s": row, "error": error}
    return render(request, "feedback/settings.html", context, status=400 if error else 200)
