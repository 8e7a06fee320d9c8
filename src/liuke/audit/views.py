"""The audit log's pages: browse and filter, export, unusual-reading flags. Thin: parse, call a
selector or service, render; htmx gets partials."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticValidationError

from liuke.accounts import policy
from liuke.accounts import services as account_services
from liuke.accounts.models import Branch, User
from liuke.accounts.policy import Cap
from liuke.audit import exports, selectors, services
from liuke.audit.capabilities import AuditCap
from liuke.audit.choices import Action
from liuke.core.errors import NotFound, ServiceError
from liuke.core.registry import Capability

_FILTER_KEYS = ("staff", "customer", "customer_q", "action", "since", "until", "cursor")


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, cap: Capability) -> None:
    if not policy.can(request.user, cap):
        raise Http404  # as elsewhere: nothing to learn from a refusal


def _filters(data: Any) -> tuple[selectors.AuditFilters, list[str]]:
    """The filters from a query string or form; invalid ones are dropped with a message."""
    raw = {k: data.get(k) for k in _FILTER_KEYS if data.get(k) not in (None, "")}
    try:
        return selectors.AuditFilters.model_validate(raw), []
    except PydanticValidationError as exc:
        bad = {str(err["loc"][0]) for err in exc.errors() if err.get("loc")}
        labels = {
            "staff": _("Staff member"),
            "customer": _("Customer number"),
            "customer_q": _("Customer search"),
            "action": _("Action"),
            "since": _("From"),
            "until": _("Until"),
            "cursor": _("Page"),
        }
        errors = [
            _("%(field)s: this value is not valid and was ignored.") % {"field": labels[b]}
            for b in sorted(bad)
            if b in labels
        ]
        kept = {k: v for k, v in raw.items() if k not in bad}
        return selectors.AuditFilters.model_validate(kept), errors


def _log_context(request: HttpRequest, filters: selectors.AuditFilters) -> dict[str, Any]:
    actor = _actor(request)
    page = selectors.audit_events(actor=actor, filters=filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    return {
        "page": page,
        "filters": filters,
        "staff": selectors.staff_choices(actor=actor),
        "actions": Action.choices,
        "query": query.urlencode(),
        "can_export": policy.can(actor, AuditCap.AUDIT_EXPORT),
        "since_value": _local_input(filters.since),
        "until_value": _local_input(filters.until),
    }


def _local_input(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _require(request, AuditCap.AUDIT_VIEW)
    filters, errors = _filters(request.GET)
    for error in errors:
        messages.error(request, error)
    context = _log_context(request, filters)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "audit/partials/event_rows.html", context)
    return render(request, "audit/log.html", context)


@login_required
@require_POST
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered log as xlsx or CSV; the export is recorded first, with its reason."""
    _require(request, AuditCap.AUDIT_EXPORT)
    actor = _actor(request)
    filters, errors = _filters(request.POST)
    file_format = request.POST.get("format", "xlsx")
    if errors:
        for error in errors:
            messages.error(request, error)
        return render(request, "audit/log.html", _log_context(request, filters), status=400)
    try:
        event = services.audit_export_record(
            actor=actor, filters=filters, file_format=file_format,
            reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except ServiceError as exc:
        messages.error(request, exc.message)
        return render(request, "audit/log.html", _log_context(request, filters), status=400)
    return exports.export_response(
        actor=actor, filters=filters, event=event, file_format=file_format
    )


@login_required
def audit_flags(request: HttpRequest) -> HttpResponse:
    _require(request, AuditCap.AUDIT_VIEW)
    flags = selectors.audit_flags(actor=_actor(request))
    return render(
        request,
        "audit/flags.html",
        {
            "flags": flags,
            "can_ack": policy.can(request.user, AuditCap.AUDIT_FLAG_ACK),
            "can_configure": policy.can(request.user, Cap.SETTINGS_MANAGE),
            "branches": Branch.objects.filter(business_id=policy.business_of(_actor(request))),
        },
    )


class ThresholdsForm(forms.Form):
    files_per_hour = forms.IntegerField(label=_lazy("Customer files per person and hour"))
    opens_at = forms.TimeField(label=_lazy("Opens at"))
    closes_at = forms.TimeField(label=_lazy("Closes at"))


@login_required
@require_POST
def audit_thresholds(request: HttpRequest) -> HttpResponse:
    """The unusual-reading thresholds, from the flags page (owners)."""
    _require(request, Cap.SETTINGS_MANAGE)
    form = ThresholdsForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect("audit:flags")
    try:
        services.audit_thresholds_update(actor=_actor(request), **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thresholds saved; the next check uses them."))
    return redirect("audit:flags")


class BranchHoursForm(forms.Form):
    opens_at = forms.TimeField(label=_lazy("Opens at"), required=False)
    closes_at = forms.TimeField(label=_lazy("Closes at"), required=False)


@login_required
@require_POST
def branch_hours(request: HttpRequest, branch_id: int) -> HttpResponse:
    """A branch's own opening hours, from the flags page (owners); both empty: the business's."""
    _require(request, Cap.SETTINGS_MANAGE)
    form = BranchHoursForm(request.POST)
    errors: dict[str, Any] = dict(form.errors) if not form.is_valid() else {}
    if not errors:
        try:
            account_services.branch_hours_update(
                actor=_actor(request), branch_id=branch_id, **form.cleaned_data
            )
        except NotFound:
            raise Http404 from None
        except ValidationError as exc:
            errors = exc.message_dict
    if errors:
        for field, messages_ in errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in messages_:
                messages.error(request, f"{label}: {error}" if label else str(error))
    else:
        messages.success(request, _("Opening hours saved; the next check uses them."))
    return redirect(reverse("audit:flags") + "#branch-hours")


@login_required
@require_POST
def audit_flag_ack(request: HttpRequest, flag_id: int) -> HttpResponse:
    _require(request, AuditCap.AUDIT_FLAG_ACK)
    try:
        flag = services.audit_flag_acknowledge(
            actor=_actor(request), flag_id=flag_id, note=request.POST.get("note", "")
        )
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("audit:flags")
    if request.htmx:  # type: ignore[attr-defined]
        selectors.with_staff_names(flag.business_id, [flag])
        return render(request, "audit/partials/flag_row.html", {"flag": flag, "can_ack": True})
    messages.success(request, _("Flag acknowledged."))
    return redirect("audit:flags")
