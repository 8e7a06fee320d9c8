"""The catalogue page and the stock received there."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.http import StaffRequest, staff_view
from liuke.core.idempotency import form_once
from liuke.sales import ledger, selectors, services
from liuke.sales.capabilities import SalesCap
from liuke.sales.forms import (
    StockReceiveForm,
)
from liuke.sales.views.common import (
    form_errors,
    staff_branches,
)


@staff_view(cap=SalesCap.SALES_VIEW)
def catalogue(request: StaffRequest) -> HttpResponse:
    actor = request.user
    branches = staff_branches(actor)
    products = selectors.products_for(actor=actor)
    stock = (
        {
            (p.pk, b.pk): q
            for (p, b, q) in (
                (p, b, ledger.stock_on_hand(p, b)) for p in products for b in branches
            )
        }
        if len(products) * len(branches) <= 400
        else {}
    )
    rows = [
        {"product": p, "stock": [stock.get((p.pk, b.pk), "—") for b in branches]} for p in products
    ]
    role_label = dict(Role.choices)
    services_ = selectors.services_for(actor=actor)
    for service in services_:
        service.performer_labels = [  # type: ignore[attr-defined]
            str(role_label.get(r, r)) for r in service.performer_roles
        ]
    context: dict[str, Any] = {
        "services": services_,
        "products": rows,
        "branches": branches,
        "stock_form": policy.can(actor, SalesCap.STOCK_MANAGE),
    }
    return render(request, "sales/catalogue.html", context)


@staff_view
@require_POST
@form_once
def stock_receive(request: StaffRequest) -> HttpResponse:
    request.back = reverse("sales:catalogue")
    form = StockReceiveForm(request.POST)
    form.fields["branch_id"].choices = [(b.pk, b.name) for b in staff_branches(request.user)]  # type: ignore[attr-defined]
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("sales:catalogue")
    after = services.stock_receive(actor=request.user, **form.cleaned_data)
    messages.success(request, _("Stock recorded: %(n)d on hand.") % {"n": after})
    return redirect("sales:catalogue")
