"""Stored-value card pages: a card, its issue, top-up and refund."""

from __future__ import annotations

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
from liuke.core.idempotency import FORM_FIELD, form_once
from liuke.core.middleware import safe_next
from liuke.core.money import format_yuan
from liuke.sales import selectors, services
from liuke.sales.capabilities import SalesCap
from liuke.sales.forms import (
    CardIssueForm,
    CardRefundForm,
    TopupForm,
)
from liuke.sales.services.cards import LARGE_TOPUP_FEN
from liuke.sales.views.common import (
    back_to,
    bonus_rules,
    form_errors,
    staff_branches,
    tier_choices,
)


@staff_view(cap=SalesCap.SALES_VIEW)
def card_detail(request: StaffRequest, card_id: int) -> HttpResponse:
    try:
        view, entries = selectors.card_get(actor=request.user, card_id=card_id)
    except PermissionDenied:  # another branch's card is "not found" here
        raise Http404 from None
    context: dict[str, Any] = {"view": view, "card": view.card, "entries": entries}
    if view.card.status == "active":
        if policy.can(request.user, SalesCap.CARD_MANAGE):
            context["topup_form"] = TopupForm(auto_id="topup_%s")
            context["bonus_rules"] = bonus_rules(request.user)
        if policy.can(request.user, SalesCap.SALE_REFUND):
            context["refund_form"] = CardRefundForm(auto_id="cardrefund_%s")
    return render(request, "sales/card.html", context)


@staff_view
@require_POST
@form_once
def card_issue(request: StaffRequest, customer_id: int) -> HttpResponse:
    form = CardIssueForm(request.POST)
    form.fields["tier_id"].choices = tier_choices(request.user)  # type: ignore[attr-defined]
    form.fields["branch_id"].choices = [(b.pk, b.name) for b in staff_branches(request.user)]  # type: ignore[attr-defined]
    request.back = back = f"/customers/{customer_id}/#sales"
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(back)
    card = services.card_issue(actor=request.user, customer_id=customer_id, **form.cleaned_data)
    messages.success(request, _("Card %(number)s issued.") % {"number": card.number})
    return redirect(back)


@staff_view
@require_POST
@form_once
def card_topup(request: StaffRequest, card_id: int) -> HttpResponse:
    form = TopupForm(request.POST)
    request.back = default = f"/sales/cards/{card_id}/"
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return back_to(request, default)
    if form.cleaned_data["amount"] > LARGE_TOPUP_FEN and request.POST.get("confirm") != "1":
        return _topup_confirm(request, card_id, form)
    card = services.card_topup(
        actor=request.user,
        card_id=card_id,
        amount_fen=form.cleaned_data["amount"],
        method=form.cleaned_data["method"],
    )
    bonus = services.bonus_for(card.business_id, form.cleaned_data["amount"])
    text = _("Card %(number)s topped up with ¥%(amount)s.") % {
        "number": card.number,
        "amount": format_yuan(form.cleaned_data["amount"]),
    }
    if bonus:
        text += " " + _("Bonus: ¥%(bonus)s.") % {"bonus": format_yuan(bonus)}
    messages.success(request, text)
    return back_to(request, default)


def _topup_confirm(request: StaffRequest, card_id: int, form: TopupForm) -> HttpResponse:
    """A large top-up shown once more with its card and bonus, to be sent again with
    `confirm=1` (the same form key: nothing was done yet)."""
    try:
        view, _entries = selectors.card_get(actor=request.user, card_id=card_id)
    except PermissionDenied:
        raise Http404 from None
    amount = form.cleaned_data["amount"]
    return render(
        request,
        "sales/topup_confirm.html",
        {
            "view": view,
            "card": view.card,
            "amount_fen": amount,
            "amount": format_yuan(amount, grouping=False),
            "method": form.cleaned_data["method"],
            "method_label": dict(form.fields["method"].choices).get(  # type: ignore[attr-defined]
                form.cleaned_data["method"], ""
            ),
            "bonus_fen": services.bonus_for(view.card.business_id, amount),
            "next": request.POST.get("next", ""),
            "once": request.POST.get(FORM_FIELD, ""),
            "back": safe_next(request) or request.back,
        },
    )


@staff_view
@require_POST
@form_once
def card_refund(request: StaffRequest, card_id: int) -> HttpResponse:
    form = CardRefundForm(request.POST)
    request.back = reverse("sales:card", args=[card_id])
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(request.back)
    paid = services.card_refund(actor=request.user, card_id=card_id, **form.cleaned_data)
    messages.success(
        request, _("Card closed; ¥%(amount)s paid back.") % {"amount": format_yuan(paid)}
    )
    return redirect("sales:card", card_id=card_id)
