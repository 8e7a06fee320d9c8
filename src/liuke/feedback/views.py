"""Feedback pages for staff. Thin: parse, call a service or selector, render. Refused input
shows its message and saves nothing; a missing capability is a 404, like a missing page
(`accounts.http.staff_view` and the error middleware)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib import messages
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
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.customers.profile import panel_response
from liuke.feedback import links, selectors, services
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import ConversationKind, GroupBy, SuggestionStatus


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _branches(request: StaffRequest) -> list[Branch]:
    return list(policy.scope_branches(request.user, Branch.objects.all()).order_by("name"))


@staff_view(cap=FeedbackCap.FEEDBACK_VIEW)
def results(request: StaffRequest) -> HttpResponse:
    actor = request.user
    group_by = request.GET.get("group_by", GroupBy.BRANCH)
    group_by = group_by if group_by in GroupBy.values else GroupBy.BRANCH
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    branch_id = _int(request.GET.get("branch"))
    context = {
        "section": "results",
        "group_by": group_by,
        "groups": GroupBy.choices,
        "rows": selectors.results(
            actor=actor, group_by=group_by, since=since, until=until, branch_id=branch_id
        ),
        "rate": selectors.response_rate(actor=actor, since=since, until=until, branch_id=branch_id),
        "managers": selectors.manager_activity(actor=actor, since=since, until=until),
        "since": since,
        "until": until,
        "branch_id": branch_id,
        "branches": _branches(request),
    }
    return render(request, "feedback/results.html", context)


@staff_view(cap=FeedbackCap.FEEDBACK_VIEW)
def response_list(request: StaffRequest) -> HttpResponse:
    detractors = request.GET.get("detractors") == "1"
    rows = selectors.responses(
        actor=request.user,
        detractors_only=detractors,
        branch_id=_int(request.GET.get("branch")),
        customer_id=_int(request.GET.get("customer")),
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
            "manager": policy.can(request.user, FeedbackCap.FEEDBACK_MANAGE),
        },
    )


@staff_view
@require_POST
def suggestion_handle(request: StaffRequest, suggestion_id: int) -> HttpResponse:
    request.back = reverse("feedback:suggestions")
    services.suggestion_handle(
        actor=request.user,
        suggestion_id=suggestion_id,
        status=request.POST.get("status", ""),
        note=request.POST.get("note", ""),
    )
    messages.success(request, _("Saved."))
    return redirect(request.back)


def _qr_svg(url: str) -> str:
    """The QR code of `url` as an inline SVG element (no script; prints crisply)."""
    qr = segno.make(url, error="m")
    return qr.svg_inline(scale=8, border=4, dark="#111", light="#fff")


@staff_view(cap=FeedbackCap.FEEDBACK_MANAGE)
@require_http_methods(["GET", "POST"])
def box(request: StaffRequest) -> HttpResponse:
    branches = _branches(request)
    branch_id = _int(request.POST.get("branch") or request.GET.get("branch"))
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
        raw_ids = [x for x in request.POST.get("customer_ids", "").replace("，", ",").split(",")]
        try:
            services.conversation_record(
                actor=actor,
                branch_id=request.POST.get("branch_id"),
                kind=request.POST.get("kind", ""),
                held_on=request.POST.get("held_on", ""),
                topic=request.POST.get("topic", ""),
                notes=request.POST.get("notes", ""),
                customer_ids=[x.strip() for x in raw_ids if x.strip()],
            )
        except (NotFound, PermissionDenied):
            raise  # answered by the error middleware
        except ServiceError as exc:  # shown in the form, beside what was typed
            error, posted = exc.message, request.POST
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


def _ids(value: str) -> list[str]:
    return [x.strip() for x in value.replace("，", ",").split(",") if x.strip()]


@staff_view(cap=FeedbackCap.FEEDBACK_VIEW)
@require_http_methods(["GET", "POST"])
def improvements(request: StaffRequest) -> HttpResponse:
    actor = request.user
    error, posted = None, None
    if request.method == "POST":
        try:
            services.improvement_create(
                actor=actor,
                you_said=request.POST.get("you_said", ""),
                we_did=request.POST.get("we_did", ""),
                branch_id=request.POST.get("branch_id") or None,
                response_ids=_ids(request.POST.get("response_ids", "")),
                suggestion_ids=_ids(request.POST.get("suggestion_ids", "")),
            )
        except (NotFound, PermissionDenied):
            raise  # answered by the error middleware
        except ServiceError as exc:  # shown in the form, beside what was typed
            error, posted = exc.message, request.POST
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
        data: dict[str, Any] = {f: request.POST.get(f) == "on" for f in services.SETTING_FLAGS}
        for field in services.SETTING_LIMITS:
            data[field] = request.POST.get(field, "")
        try:
            services.settings_save(actor=actor, data=data)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("Saved."))
            return redirect("feedback:settings")
    context = {"section": "settings", "s": row, "error": error}
    return render(request, "feedback/settings.html", context, status=400 if error else 200)
