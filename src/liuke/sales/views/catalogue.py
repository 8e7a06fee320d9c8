"""Stock received from the menu page (the page itself: `views.menu.catalogue`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts.http import StaffRequest, staff_view
from liuke.core.idempotency import form_once
from liuke.sales import services
from liuke.sales.forms import (
    StockReceiveForm,
)
from liuke.sales.views.common import (
    form_errors,
    staff_branches,
)


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
