"""Customer archive pages. Thin: parse, call a service or selector, render; htmx gets partials."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import ValidationError as PydanticValidationError

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.accounts.policy import Cap
from liuke.analytics import views as analytics_views
from liuke.core.errors import NotFound, ServiceError
from liuke.customers import selectors, services
from liuke.customers.choices import FieldGroup, Source
from liuke.customers.forms import CustomerForm, PhotoForm
from liuke.customers.models import CustomerPhoto
from liuke.sales import views as sales_views


def _actor(request: HttpRequest) -> User:
    """The logged-in staff member (views are behind login_required)."""
    return cast(User, request.user)


def _require(request: HttpRequest, cap: Cap) -> None:
    if not policy.can(request.user, cap):
        raise Http404  # the same answer as "no such customer": nothing to learn from it


def _filters(request: HttpRequest) -> selectors.CustomerFilters:
    raw: dict[str, Any] = {k: v for k, v in request.GET.items() if v != ""}
    try:
        return selectors.CustomerFilters.model_validate(raw)
    except PydanticValidationError:
        return selectors.CustomerFilters.model_validate({})


def _customer_or_404(request: HttpRequest, customer_id: int, purpose: str = "profile") -> Any:
    try:
        return selectors.customer_get(
            actor=_actor(request), customer_id=customer_id, purpose=purpose
        )
    except NotFound:
        raise Http404 from None


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.CUSTOMER_VIEW)
    filters = _filters(request)
    page = selectors.customer_list(actor=_actor(request), filters=filters)
    context = {
        "page": page,
        "filters": filters,
        "branches": selectors.branch_choices(actor=_actor(request)),
        "sources": Source.choices,
        "quality": selectors.branch_quality(actor=_actor(request)),
        "querystring": request.GET.copy(),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "customers/partials/list_rows.html", context)
    return render(request, "customers/list.html", context)


@login_required
def customer_search(request: HttpRequest) -> HttpResponse:
    """The search box's live results (htmx partial)."""
    _require(request, Cap.CUSTOMER_VIEW)
    query = request.GET.get("q", "")[:50]
    results = (
        selectors.customer_search(actor=_actor(request), query=query, limit=10) if query else []
    )
    return render(
        request, "customers/partials/search_results.html", {"results": results, "q": query}
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.CUSTOMER_CREATE)
    form = CustomerForm(request.POST or None, actor=_actor(request))
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(actor=_actor(request), data=form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": None})


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    _require(request, Cap.CUSTOMER_EDIT)
    customer = _customer_or_404(request, customer_id, "edit")
    form = CustomerForm(
        request.POST or None,
        actor=_actor(request),
        initial=CustomerForm.initial_for(customer),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.service_data().items() if k in form.changed_data}
        try:
            services.customer_update(actor=_actor(request), customer_id=customer.pk, data=data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@login_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    _require(request, Cap.CUSTOMER_VIEW)
    customer = _customer_or_404(request, customer_id)
    business = _actor(request).business
    assert business is not None  # policy.can() above requires one
    stale = selectors.stale_groups(customer, business)
    context = {
        "customer": customer,
        "mobile": policy.present_mobile(request.user, customer.mobile),
        "history": selectors.customer_history(actor=_actor(request), customer_id=customer.pk),
        "duplicates": selectors.likely_duplicates(actor=_actor(request), customer=customer),
        "referrals": selectors.customer_referrals(actor=_actor(request), customer=customer),
        "photos": customer.photos.all(),
        "stale": stale,
        "groups": [
            {
                "key": g,
                "label": label,
                "at": getattr(customer, f"{g}_verified_at"),
                "stale": g in stale,
            }
            for g, label in FieldGroup.choices
        ],
        "photo_form": PhotoForm(),
    }
    context.update(sales_views.customer_sales_context(request, customer))
    context.update(analytics_views.customer_figures_context(request, customer))
    return render(request, "customers/detail.html", context)


@login_required
@require_POST
def customer_confirm(request: HttpRequest, customer_id: int) -> HttpResponse:
    _require(request, Cap.CUSTOMER_CONFIRM)
    groups = request.POST.getlist("group") or None
    try:
        customer = services.customer_confirm(
            actor=_actor(request), customer_id=customer_id, groups=groups
        )
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("customers:detail", customer_id=customer_id)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "customers/partials/confirmed_row.html", {"customer": customer})
    messages.success(request, _("Data of %(name)s confirmed as current.") % {"name": customer.name})
    if request.POST.get("next") == "detail":
        return redirect("customers:detail", customer_id=customer.pk)
    return redirect("customers:stale")


@login_required
def stale_queue(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.CUSTOMER_CONFIRM)
    try:
        page_no = max(1, min(int(request.GET.get("page", "1")), 100000))
    except ValueError:
        page_no = 1
    page = selectors.stale_queue(actor=_actor(request), page=page_no)
    return render(request, "customers/stale.html", {"page": page})


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.CUSTOMER_MERGE)
    groups = selectors.duplicate_groups(actor=_actor(request))
    return render(request, "customers/duplicates.html", {"groups": groups})


@login_required
@require_POST
def customer_merge(request: HttpRequest, customer_id: int) -> HttpResponse:
    _require(request, Cap.CUSTOMER_MERGE)
    try:
        merge = services.customer_merge(
            actor=_actor(request),
            survivor_id=customer_id,
            duplicate_id=int(request.POST.get("duplicate_id", "0") or 0),
        )
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("customers:detail", customer_id=customer_id)
    messages.success(
        request, _("Customer #%(merged)s merged into this profile.") % {"merged": merge.merged_id}
    )
    return redirect("customers:detail", customer_id=customer_id)


@login_required
@require_POST
def photo_upload(request: HttpRequest, customer_id: int) -> HttpResponse:
    _require(request, Cap.CUSTOMER_EDIT)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("customers:detail", customer_id=customer_id)
    try:
        services.customer_photo_add(
            actor=_actor(request),
            customer_id=customer_id,
            image=form.cleaned_data["image"],
            kind=form.cleaned_data["kind"],
            caption=form.cleaned_data["caption"],
            taken_on=form.cleaned_data["taken_on"],
        )
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Photo added."))
    return redirect("customers:detail", customer_id=customer_id)


@login_required
def photo_file(request: HttpRequest, customer_id: int, photo_id: int) -> FileResponse:
    """Photos are never on a public URL: each request passes the access policy."""
    _require(request, Cap.CUSTOMER_VIEW)
    customer = _customer_or_404(request, customer_id, "photo")
    photo = CustomerPhoto.objects.filter(customer=customer, pk=photo_id).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
