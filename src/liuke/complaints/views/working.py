"""The guided page's forms: each records one step of the case (a step, waiting, an update, an
agreed action, a resolution, closing, the follow-up) and returns to the case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import User
from liuke.complaints import services
from liuke.complaints.choices import ResolutionKind, Step
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.complaints.schemas import (
    ComplaintActionIn,
    ComplaintCauseFixIn,
    ComplaintNoteIn,
    ComplaintResolveIn,
    ComplaintStepIn,
    ComplaintUpdateIn,
)
from liuke.complaints.views.shared import _amount
from liuke.core.errors import ServiceError
from liuke.core.idempotency import form_once
from liuke.core.inputs import form_data, parse_input, parse_post, refused
from liuke.customers.picking import positive_id


def _act(
    request: StaffRequest,
    complaint_id: int,
    act: Callable[[], Any],
    done: str,
    *,
    step: int | None = None,
    step_refused: int | None = None,
) -> HttpResponse:
    """Run a service for a complaint; its refusal is shown on the page (at `step_refused`)
    and nothing is saved; success goes on to `step`. The address ends on the step's anchor, so
    the page opens at the step in hand, not at its top (a phone would scroll past the case's
    header after every step)."""
    url = reverse("complaints:detail", args=[complaint_id])
    request.back = f"{url}?step={step_refused}#step-{step_refused}" if step_refused else url
    act()
    messages.success(request, done)
    return redirect(f"{url}?step={step}#step-{step}" if step else url)


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
            **parse_post(ComplaintStepIn, request.POST).model_dump(),
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
            note = parse_post(ComplaintNoteIn, request.POST).note
            return services.complaint_wait(actor=actor, complaint_id=complaint_id, note=note)
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
            **parse_post(ComplaintUpdateIn, request.POST).model_dump(),
        ),
        _("Saved."),
    )


@staff_view
@require_POST
def action_add(request: StaffRequest, complaint_id: int) -> HttpResponse:
    return _act(
        request,
        complaint_id,
        lambda: services.action_add(
            actor=request.user,
            complaint_id=complaint_id,
            **parse_post(ComplaintActionIn, request.POST).model_dump(),
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


_RESOLVE_FIELDS = ("kind", "note", "visit_id", "line_id", "card_id", "voucher_code")


@staff_view
@require_POST
@form_once
def resolve(request: StaffRequest, complaint_id: int) -> HttpResponse:
    actor = request.user
    outcome: dict[str, Any] = {}

    def act() -> Any:
        data = form_data(ComplaintResolveIn, request.POST, fields=_RESOLVE_FIELDS)
        # The page types the amount in yuan, and the exchange as a line and one method.
        data["amount_fen"] = _amount(request.POST.get("amount"))
        if data.get("kind") == ResolutionKind.EXCHANGE:
            data["exchange"] = _exchange(request, actor, positive_id(data.get("line_id")))
            data["visit_id"] = data["exchange"].pop("visit_id")
        try:
            typed = parse_input(ComplaintResolveIn, data, form=True)
        except ValidationError as exc:
            raise refused(exc) from None
        outcome["r"] = services.complaint_resolve(
            actor=actor, complaint_id=complaint_id, **typed.model_dump()
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
            actor=request.user,
            complaint_id=complaint_id,
            note=parse_post(ComplaintNoteIn, request.POST).note,
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
                actor=actor,
                complaint_id=complaint_id,
                note=parse_post(ComplaintNoteIn, request.POST).note,
            ),
            _("Saved."),
        )
    return _act(
        request,
        complaint_id,
        lambda: services.complaint_cause_fix(
            actor=actor,
            complaint_id=complaint_id,
            cause_fix=parse_post(ComplaintCauseFixIn, request.POST).cause_fix,
        ),
        _("Saved."),
    )
