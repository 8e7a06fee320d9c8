"""Package pages: a package, its sale and its extension."""

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
from liuke.accounts.models import Branch, User
from liuke.core.errors import PermissionDenied
from liuke.core.idempotency import form_once
from liuke.core.money import format_yuan
from liuke.sales import menu_selectors, selectors, services
from liuke.sales.capabilities import SalesCap
from liuke.sales.forms import (
    PackageExtendForm,
    PackageSellForm,
)
from liuke.sales.views.common import (
    form_errors,
    staff_branches,
)


@staff_view(cap=SalesCap.SALES_VIEW)
def package_detail(request: StaffRequest, package_id: int) -> HttpResponse:
    try:
        view, entries = selectors.package_get(actor=request.user, package_id=package_id)
    except PermissionDenied:  # another branch's package is "not found" here
        raise Http404 from None
    context: dict[str, Any] = {"view": view, "package": view.package, "entries": entries}
    if policy.can(request.user, SalesCap.PACKAGE_EXTEND):
        context["extend_form"] = PackageExtendForm(auto_id="extend_%s")
    return render(request, "sales/package.html", context)


@staff_view
@require_POST
@form_once
def package_sell(request: StaffRequest, customer_id: int) -> HttpResponse:
    actor = request.user
    form = PackageSellForm(request.POST)
    sell_form_choices(form, actor)
    request.back = back = f"/customers/{customer_id}/#sales"
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(back)
    data = form.cleaned_data
    package = services.package_sell(
        actor=actor,
        customer_id=customer_id,
        branch_id=data["branch_id"],
        method=data["method"],
        template_id=data["template_id"],
        price_fen=data["price"],
        price_reason=data["price_reason"],
        name=data["name"] or None,
        service_ids=data["service_ids"],
        sessions=data["sessions"],
        expires_on=data["expires_on"],
    )
    messages.success(request, _("Package %(name)s sold.") % {"name": package.name})
    return redirect(back)


def sell_form_choices(
    form: PackageSellForm, actor: User, branches: list[Branch] | None = None
) -> None:
    """The choices of the package sale form: the templates, services and branches (the
    actor's, unless the caller has them already)."""
    form.fields["template_id"].choices = [("", "—")] + [  # type: ignore[attr-defined]
        (t.pk, f"{t.name} · {t.sessions}× · ¥{format_yuan(t.price_fen)}")
        for t in menu_selectors.templates_for(actor=actor, active_only=True, with_relations=False)
    ]
    form.fields["service_ids"].choices = [  # type: ignore[attr-defined]
        (s.pk, s.name) for s in selectors.services_for(actor=actor)
    ]
    form.fields["branch_id"].choices = [  # type: ignore[attr-defined]
        (b.pk, b.name) for b in (staff_branches(actor) if branches is None else branches)
    ]


@staff_view
@require_POST
@form_once
def package_extend(request: StaffRequest, package_id: int) -> HttpResponse:
    form = PackageExtendForm(request.POST)
    request.back = reverse("sales:package", args=[package_id])
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(request.back)
    services.package_extend(actor=request.user, package_id=package_id, **form.cleaned_data)
    messages.success(request, _("Package extended."))
    return redirect("sales:package", package_id=package_id)
