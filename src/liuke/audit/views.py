"""The audit log's pages: browse and filter, export, unusual-reading flags. Thin: parse, call a
selector or service, render; htmx gets partials."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticValidationError

from liuke.accounts import policy
from liuke.accounts import services as account_services
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch
from liuke.accounts.policy import Cap
from liuke.audit import exports, selectors, services
from liuke.audit.capabilities import AuditCap
from liuke.audit.choices import Action
from liuke.core.errors import ServiceError

_FILTER_KEYS = ("staff", "customer", "customer_q", "action", "since", "until", "cursor")


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
            "until": pgettext("date filter", "Until"),
            "cursor": _("Page"),
        }
        errors = [
            _("%(field)s: this value is not valid and was ignored.") % {"field": labels[b]}
            for b in sorted(bad)
            if b in labels
        ]
        kept = {k: v for k, v in raw.items() if k not in bad}
        return selectors.AuditFilters.model_validate(kept), errors


def _log_context(request: StaffRequest, filters: selectors.AuditFilters) -> dict[str, Any]:
    actor = request.user
    page = selectors.audit_events(actor=actor, filters=filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    return {
        "page": page,
        "rows": [(e, selectors.field_words(e.fields)) for e in page.items],
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


@staff_view(cap=AuditCap.AUDIT_VIEW)
def audit_log(request: StaffRequest) -> HttpResponse:
    filters, errors = _filters(request.GET)
    for error in errors:
        messages.error(request, error)
    context = _log_context(request, filters)
    if request.htmx:
        return render(request, "audit/partials/event_rows.html", context)
    return render(request, "audit/log.html", context)


@staff_view(cap=AuditCap.AUDIT_EXPORT)  # the audit services' own checks answer 403, not 404
@require_POST
def audit_export(request: StaffRequest) -> HttpResponseBase:
    """The filtered log as xlsx or CSV; the export is recorded first, with its reason."""
    actor = request.user
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


@staff_view(cap=AuditCap.AUDIT_VIEW)
def audit_flags(request: StaffRequest) -> HttpResponse:
    flags = selectors.audit_flags(actor=request.user)
    return render(
        request,
        "audit/flags.html",
        {
            "flags": flags,
            "can_ack": policy.can(request.user, AuditCap.AUDIT_FLAG_ACK),
            "can_configure": policy.can(request.user, Cap.SETTINGS_MANAGE),
            "branches": Branch.objects.filter(business_id=policy.business_of(request.user)),
        },
    )


class ThresholdsForm(forms.Form):
    files_per_hour = forms.IntegerField(label=_lazy("Customer files per person and hour"))
    opens_at = forms.TimeField(label=_lazy("Opens at"))
    closes_at = forms.TimeField(label=_lazy("Closes at"))


@staff_view(cap=Cap.SETTINGS_MANAGE)  # the audit services' own checks answer 403, not 404
@require_POST
def audit_thresholds(request: StaffRequest) -> HttpResponse:
    """The unusual-reading thresholds, from the flags page (owners)."""
    request.back = reverse("audit:flags")
    form = ThresholdsForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect("audit:flags")
    services.audit_thresholds_update(actor=request.user, **form.cleaned_data)
    messages.success(request, _("Thresholds saved; the next check uses them."))
    return redirect(request.back)


class BranchHoursForm(forms.Form):
    opens_at = forms.TimeField(label=_lazy("Opens at"), required=False)
    closes_at = forms.TimeField(label=_lazy("Closes at"), required=False)


@staff_view
@require_POST
def branch_hours(request: StaffRequest, branch_id: int) -> HttpResponse:
    """A branch's own opening hours, from the flags page (owners); both empty: the business's."""
    form = BranchHoursForm(request.POST)
    errors: dict[str, Any] = dict(form.errors) if not form.is_valid() else {}
    if not errors:
        try:
            account_services.branch_hours_update(
                actor=request.user, branch_id=branch_id, **form.cleaned_data
            )
        except ValidationError as exc:  # each field's message under its label
            errors = exc.message_dict
    if errors:
        for field, messages_ in errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in messages_:
                messages.error(request, f"{label}: {error}" if label else str(error))
    else:
        messages.success(request, _("Opening hours saved; the next check uses them."))
    return redirect(reverse("audit:flags") + "#branch-hours")


@staff_view(cap=AuditCap.AUDIT_FLAG_ACK)  # the audit services' own checks answer 403, not 404
@require_POST
def audit_flag_ack(request: StaffRequest, flag_id: int) -> HttpResponse:
    request.back = reverse("audit:flags")
    flag = services.audit_flag_acknowledge(
        actor=request.user, flag_id=flag_id, note=request.POST.get("note", "")
    )
    if request.htmx:
        selectors.with_staff_names(flag.business_id, [flag])
        return render(request, "audit/partials/flag_row.html", {"flag": flag, "can_ack": True})
    messages.success(request, _("Flag acknowledged."))
    return redirect("audit:flags")
