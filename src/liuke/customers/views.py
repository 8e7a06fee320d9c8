"""Customer archive pages. Thin: parse, call a service or selector, render; htmx gets partials."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import ValidationError as PydanticValidationError

from liuke.accounts import policy
from liuke.accounts import selectors as account_selectors
from liuke.accounts.models import User
from liuke.accounts.policy import Cap
from liuke.analytics import views as analytics_views
from liuke.core.errors import KeyAccountRestricted, NotFound, ServiceError
from liuke.core.registry import Capability
from liuke.customers import selectors, services
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import FieldGroup, Source
from liuke.customers.forms import CustomerForm, PhotoForm
from liuke.customers.models import CustomerPhoto
from liuke.sales import views as sales_views


def _actor(request: HttpRequest) -> User:
    """The logged-in staff member (views are behind login_required)."""
    return cast(User, request.user)


def _require(request: HttpRequest, cap: Capability) -> None:
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
        "branches": account_selectors.branch_choices(actor=_actor(request)),
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
    _require(request, CustomerCap.CUSTOMER_CREATE)
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
    _require(request, CustomerCap.CUSTOMER_EDIT)
    try:
        customer = _customer_or_404(request, customer_id, "edit")
    except KeyAccountRestricted as exc:
        messages.error(request, exc.message)
        return redirect("customers:detail", customer_id=customer_id)
    form = CustomerForm(
        request.POST or None,
        actor=_actor(request),
        customer=customer,
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
    try:
        file = selectors.customer_file(actor=_actor(request), customer_id=customer_id)
    except NotFound:
        raise Http404 from None
    customer = file.customer
    if not file.full:
        return _key_account_card(request, file)
    business = _actor(request).business
    assert business is not None  # policy.can() above requires one
    stale = selectors.stale_groups(customer, business)
    context = {
        "customer": customer,
        "file": file,
        "mobile": policy.present_customer_mobile(request.user, customer),
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


def _key_account_card(request: HttpRequest, file: selectors.CustomerFile) -> HttpResponse:
    """The minimal card of a key account, with the way to ask for the full file."""
    actor = _actor(request)
    customer = file.customer
    return render(
        request,
        "customers/card.html",
        {
            "customer": customer,
            "file": file,
            "mobile": policy.present_customer_mobile(actor, customer, full_file=False),
            "requests": selectors.my_access_requests(actor=actor, customer=customer),
        },
    )


@login_required
@require_POST
def customer_confirm(request: HttpRequest, customer_id: int) -> HttpResponse:
    _require(request, CustomerCap.CUSTOMER_CONFIRM)
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
    _require(request, CustomerCap.CUSTOMER_CONFIRM)
    try:
        page_no = max(1, min(int(request.GET.get("page", "1")), 100000))
    except ValueError:
        page_no = 1
    page = selectors.stale_queue(actor=_actor(request), page=page_no)
    return render(request, "customers/stale.html", {"page": page})


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    _require(request, CustomerCap.CUSTOMER_MERGE)
    groups = selectors.duplicate_groups(actor=_actor(request))
    return render(request, "customers/duplicates.html", {"groups": groups})


@login_required
@require_POST
def customer_merge(request: HttpRequest, customer_id: int) -> HttpResponse:
    _require(request, CustomerCap.CUSTOMER_MERGE)
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
    _require(request, CustomerCap.CUSTOMER_EDIT)
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
    try:
        customer = _customer_or_404(request, customer_id, "photo")
    except KeyAccountRestricted:
        raise DjangoPermissionDenied from None
    photo = CustomerPhoto.objects.filter(customer=customer, pk=photo_id).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


# --- Key accounts: asking for a file, deciding, handing over ------------------------------------


@login_required
@require_POST
def access_request(request: HttpRequest, customer_id: int) -> HttpResponse:
    _require(request, Cap.CUSTOMER_VIEW)
    try:
        services.access_request(
            actor=_actor(request), customer_id=customer_id, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Request sent. You will see the file once it is approved."))
    return redirect("customers:detail", customer_id=customer_id)


_GRANT_VIEWS: tuple[selectors.GrantView, ...] = ("to_decide", "active", "past", "mine")


@login_required
def access_grants(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.CUSTOMER_VIEW)
    view = request.GET.get("view", "to_decide")
    if view not in _GRANT_VIEWS:
        view = "to_decide"
    grants = selectors.access_grants(actor=_actor(request), view=view)  # type: ignore[arg-type]
    return render(
        request,
        "customers/access.html",
        {
            "grants": grants,
            "view": view,
            "views": [
                ("to_decide", _("To decide")),
                ("active", _("In force")),
                ("past", _("Past")),
                ("mine", _("My requests")),
            ],
        },
    )


@login_required
@require_POST
def access_decide(request: HttpRequest, grant_id: int, decision: str) -> HttpResponse:
    _require(request, Cap.CUSTOMER_VIEW)
    actor = _actor(request)
    try:
        if decision == "revoke":
            services.access_revoke(actor=actor, grant_id=grant_id)
            messages.success(request, _("Access revoked."))
        elif decision in ("approve", "refuse"):
            services.access_decide(
                actor=actor,
                grant_id=grant_id,
                approve=decision == "approve",
                note=request.POST.get("note", ""),
            )
            messages.success(
                request, _("Request approved.") if decision == "approve" else _("Request refused.")
            )
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('customers:access')}?view={request.POST.get('view', 'to_decide')}")


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest) -> HttpResponse:
    """Hand every customer of one staff member (or a list of customers) to another."""
    _require(request, CustomerCap.CUSTOMER_HANDOVER)
    actor = _actor(request)
    staff = list(account_selectors.staff_choices(actor=actor))
    errors: list[str] = []
    if request.method == "POST":
        try:
            ids_text = request.POST.get("customer_ids", "").replace("，", ",")
            ids = [int(x) for x in ids_text.replace(" ", ",").split(",") if x.strip()]
        except ValueError:
            errors.append(_("Customer numbers must be whole numbers separated by commas."))
            ids = []
        from_user = request.POST.get("from_user_id") or None
        if not errors:
            try:
                moved = services.customer_handover(
                    actor=actor,
                    to_user_id=int(request.POST.get("to_user_id") or 0),
                    reason=request.POST.get("reason", ""),
                    customer_ids=ids or None,
                    from_user_id=int(from_user) if from_user else None,
                )
            except (ValueError, TypeError):
                errors.append(_("Choose the staff members from the lists."))
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, _("%(n)s customers handed over.") % {"n": moved})
                return redirect("customers:handover")
    return render(
        request,
        "customers/handover.html",
        {
            "staff": staff,
            "from_staff": account_selectors.staff_choices(actor=actor, include_inactive=True),
            "errors": errors,
            "posted": request.POST,
        },
    )


# --- Privacy: a customer's own data, erasure, retention ------------------------------------------


@login_required
def privacy(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer's data rights: export everything held about them, or erase it."""
    actor = _actor(request)
    if not (
        policy.can(actor, CustomerCap.CUSTOMER_EXPORT) or policy.can(actor, services.ERASE_CAP)
    ):
        raise Http404
    try:
        customer = _customer_or_404(request, customer_id, "privacy")
    except KeyAccountRestricted:
        raise DjangoPermissionDenied from None
    return render(request, "customers/privacy.html", {"customer": customer})


def _export_json(data: dict[str, Any]) -> str:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


@login_required
@require_POST
def privacy_export(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        data = selectors.customer_export_data(
            actor=_actor(request), customer_id=customer_id, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied from None
        messages.error(request, exc.message)
        return redirect("customers:privacy", customer_id=customer_id)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.POST.get("format") == "xlsx":
        from openpyxl import Workbook

        from liuke.core.spreadsheet import safe_cell, xlsx_response

        book = Workbook()
        first = book.active
        assert first is not None
        book.remove(first)
        for table, rows in data.items():
            sheet = book.create_sheet(title=table[-31:])
            records = rows if isinstance(rows, list) else [rows]
            records = [r if isinstance(r, dict) else {"id": r} for r in records]
            columns = list(dict.fromkeys(k for r in records for k in r))
            sheet.append([safe_cell(c) for c in columns])
            for record in records:
                sheet.append([safe_cell(record.get(c)) for c in columns])
        return xlsx_response(book, f"customer-{customer_id}-{stamp}.xlsx")
    response = HttpResponse(_export_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer_id}-{stamp}.json"'
    return response


@login_required
@require_POST
def privacy_erase(request: HttpRequest, customer_id: int) -> HttpResponse:
    _require(request, services.ERASE_CAP)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect("customers:privacy", customer_id=customer_id)
    try:
        erased = services.customer_anonymise(
            actor=_actor(request),
            customer_ids=[customer_id],
            reason=request.POST.get("reason", ""),
            strict=True,
        )
    except NotFound:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:privacy", customer_id=customer_id)
    if erased:
        messages.success(
            request, _("The customer's personal data was erased; sales records remain.")
        )
    else:
        messages.info(request, _("Nothing to erase: the data was already erased."))
    return redirect("customers:detail", customer_id=customer_id)


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    """Customers inactive for longer than the retention period, to review and erase in bulk."""
    _require(request, services.ERASE_CAP)
    actor = _actor(request)
    if request.method == "POST":
        try:
            ids = [int(x) for x in request.POST.getlist("customer")]
            erased = services.customer_anonymise(
                actor=actor, customer_ids=ids, reason=request.POST.get("reason", "")
            )
        except ValueError:
            messages.error(request, _("Choose customers from the list."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(n)s customers erased.") % {"n": erased})
        return redirect("customers:retention")
    return render(
        request,
        "customers/retention.html",
        {"rows": selectors.retention_candidates(actor=actor), "business": actor.business},
    )
