"""Feedback pages for staff. Thin: parse, call a service or selector, render. Refused input
shows its message and saves nothing; a missing capability is a 404, like a missing page."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.accounts.policy import Cap
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.feedback import links, selectors, services
from liuke.feedback.choices import ConversationKind, GroupBy, SuggestionStatus


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, *caps: Cap) -> None:
    if not any(policy.can(request.user, c) for c in caps):
        raise Http404


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


def _branches(request: HttpRequest) -> list[Branch]:
    return list(policy.scope_branches(request.user, Branch.objects.all()).order_by("name"))


@login_required
def results(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.FEEDBACK_VIEW)
    actor = _actor(request)
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


@login_required
def response_list(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.FEEDBACK_VIEW)
    detractors = request.GET.get("detractors") == "1"
    rows = selectors.responses(
        actor=_actor(request),
        detractors_only=detractors,
        branch_id=_int(request.GET.get("branch")),
        customer_id=_int(request.GET.get("customer")),
    )
    return render(
        request,
        "feedback/responses.html",
        {"section": "responses", "rows": rows, "detractors": detractors},
    )


@login_required
def response_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    _require(request, Cap.FEEDBACK_VIEW)
    try:
        row = selectors.response_detail(actor=_actor(request), response_id=response_id)
    except NotFound:
        raise Http404 from None
    return render(request, "feedback/response.html", {"section": "responses", "r": row})


@login_required
def customer_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The feedback section of the customer's profile (loaded by htmx)."""
    _require(request, Cap.FEEDBACK_VIEW)
    try:
        found = selectors.customer_feedback(actor=_actor(request), customer_id=customer_id)
    except NotFound:
        raise Http404 from None
    return render(request, "feedback/partials/customer_panel.html", {"feedback": found})


@login_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.FEEDBACK_VIEW)
    status = request.GET.get("status") or None
    rows = selectors.suggestions(actor=_actor(request), status=status)
    return render(
        request,
        "feedback/suggestions.html",
        {
            "section": "suggestions",
            "rows": rows,
            "status": status,
            "statuses": SuggestionStatus.choices,
            "manager": policy.can(request.user, Cap.FEEDBACK_MANAGE),
        },
    )


@login_required
@require_POST
def suggestion_handle(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    _require(request, Cap.FEEDBACK_MANAGE)
    try:
        services.suggestion_handle(
            actor=_actor(request),
            suggestion_id=suggestion_id,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("feedback:suggestions")


def _qr_svg(url: str) -> str:
    """The QR code of `url` as an inline SVG element (no script; prints crisply)."""
    qr = segno.make(url, error="m")
    return qr.svg_inline(scale=8, border=4, dark="#111", light="#fff")


@login_required
@require_http_methods(["GET", "POST"])
def box(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.FEEDBACK_MANAGE)
    branches = _branches(request)
    branch_id = _int(request.POST.get("branch") or request.GET.get("branch"))
    if branch_id is None and branches:
        branch_id = branches[0].pk
    if request.method == "POST":
        renew = request.POST.get("renew") == "1"
        try:
            made = services.box_ensure(actor=_actor(request), branch_id=branch_id, renew=renew)
        except ServiceError:
            raise Http404 from None
        if renew:
            messages.success(
                request, _("A new QR code is ready; the old printout no longer works.")
            )
        return redirect(f"{request.path}?branch={made.branch_id}")
    # a GET only reads: a branch added after the business was created has no box until the
    # manager makes one (the form below posts without `renew`)
    try:
        branch, box_found = selectors.suggestion_box(
            actor=_actor(request), branch_id=branch_id or 0
        )
    except NotFound:
        raise Http404 from None
    context: dict[str, Any] = {"section": "box", "branches": branches, "branch": branch}
    if box_found is not None:
        url = links.box_url(box_found.token)
        context |= {"url": url, "qr": mark_safe(_qr_svg(url))}  # noqa: S308 (segno's own SVG)
    return render(request, "feedback/box.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conversations(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.FEEDBACK_VIEW, Cap.FEEDBACK_RECORD)
    actor = _actor(request)
    error, posted = None, None
    if request.method == "POST":
        _require(request, Cap.FEEDBACK_RECORD)
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
        except (ServiceError, PermissionDenied) as exc:
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
        "can_record": policy.can(actor, Cap.FEEDBACK_RECORD),
    }
    return render(request, "feedback/conversations.html", context, status=400 if error else 200)


def _ids(value: str) -> list[str]:
    return [x.strip() for x in value.replace("，", ",").split(",") if x.strip()]


@login_required
@require_http_methods(["GET", "POST"])
def improvements(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.FEEDBACK_VIEW)
    actor = _actor(request)
    error, posted = None, None
    if request.method == "POST":
        _require(request, Cap.FEEDBACK_MANAGE)
        try:
            services.improvement_create(
                actor=actor,
                you_said=request.POST.get("you_said", ""),
                we_did=request.POST.get("we_did", ""),
                branch_id=request.POST.get("branch_id") or None,
                response_ids=_ids(request.POST.get("response_ids", "")),
                suggestion_ids=_ids(request.POST.get("suggestion_ids", "")),
            )
        except ServiceError as exc:
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
        "manager": policy.can(actor, Cap.FEEDBACK_MANAGE),
    }
    return render(request, "feedback/improvements.html", context, status=400 if error else 200)


@login_required
@require_POST
def improvement_notify(request: HttpRequest, improvement_id: int) -> HttpResponse:
    _require(request, Cap.FEEDBACK_MANAGE)
    try:
        queued = services.improvement_notify(actor=_actor(request), improvement_id=improvement_id)
    except NotFound:
        raise Http404 from None
    messages.success(
        request,
        _("%(n)d messages queued in the outbox (customers with consent only).") % {"n": queued},
    )
    return redirect("feedback:improvements")


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.FEEDBACK_MANAGE)
    actor = _actor(request)
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
