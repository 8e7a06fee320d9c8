"""A visit's page and its refund."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest, staff_view
from liuke.core.errors import PermissionDenied
from liuke.core.idempotency import form_once
from liuke.core.money import format_yuan
from liuke.customers.selectors import has_full_file
from liuke.sales import selectors, services
from liuke.sales.capabilities import SalesCap
from liuke.sales.forms import (
    RefundForm,
)
from liuke.sales.models import Visit
from liuke.sales.views.common import (
    form_errors,
)


def _visit_or_404(request: StaffRequest, visit_id: int) -> Visit:
    try:
        return selectors.visit_get(actor=request.user, visit_id=visit_id)
    except PermissionDenied:  # another branch's visit is "not found" here, as in the API
        raise Http404 from None


@staff_view(cap=SalesCap.SALES_VIEW)
def visit_detail(
    request: StaffRequest, visit_id: int, refund_form: RefundForm | None = None
) -> HttpResponse:

    visit = _visit_or_404(request, visit_id)
    lines = list(visit.lines.all())
    context: dict[str, Any] = {
        "visit": visit,
        "lines": lines,
        "payments": list(visit.payments.all()),
        "refunds": list(visit.refunds.select_related("line__service", "line__product", "staff")),
        # the note is a detail of the customer's file (FieldClass.FILE)
        "details": has_full_file(request.user, visit.customer),
    }
    if policy.can(request.user, SalesCap.SALE_REFUND) and any(
        line.refunded_quantity < line.quantity for line in lines
    ):
        form = refund_form or RefundForm(initial={"idempotency_key": secrets.token_urlsafe(18)})
        form.fields["line_id"].choices = [("", _("The whole visit"))] + [  # type: ignore[attr-defined]
            (line.pk, f"{line.service or line.product} × {line.quantity}")
            for line in lines
            if line.refunded_quantity < line.quantity
        ]
        context["refund_form"] = form
    return render(request, "sales/visit.html", context)


@staff_view
@require_POST
@form_once
def visit_refund(request: StaffRequest, visit_id: int) -> HttpResponse:
    visit = _visit_or_404(request, visit_id)
    request.back = reverse("sales:visit", args=[visit.pk])
    form = RefundForm(request.POST)
    form.fields["line_id"].choices = [("", "")] + [  # type: ignore[attr-defined]
        (line.pk, str(line.pk)) for line in visit.lines.all()
    ]
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return visit_detail(request, visit_id, refund_form=form)
    refund = services.visit_refund(
        actor=request.user,
        visit_id=visit.pk,
        line_id=form.cleaned_data["line_id"],
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
        idempotency_key=form.cleaned_data["idempotency_key"] or None,
    )
    messages.success(
        request, _("Refunded ¥%(amount)s.") % {"amount": format_yuan(refund.amount_fen)}
    )
    return redirect("sales:visit", visit_id=visit.pk)
