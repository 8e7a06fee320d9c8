"""Customer archive pages. Thin: parse, call a service or selector, render; htmx gets partials."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import ValidationError as PydanticValidationError

from liuke.accounts import selectors as account_selectors
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.policy import Cap
from liuke.core.errors import KeyAccountRestricted
from liuke.core.inputs import parse_form, parse_post
from liuke.customers import selectors, services
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import FieldGroup, Source
from liuke.customers.forms import CustomerForm, PhotoForm
from liuke.customers.models import Customer
from liuke.customers.picking import positive_id
from liuke.customers.profile import (
    FIRST_SCREEN_ORDER,
    CustomerProfile,
    customer_profile,
    panels_for,
    profile_history,
)
from liuke.customers.schemas import (
    AccessRequestIn,
    ConfirmIn,
    DataRightsReasonIn,
    DecisionIn,
    HandoverIn,
    MergeIn,
)


def _filters(request: HttpRequest) -> selectors.CustomerFilters:
    raw: dict[str, Any] = {k: v for k, v in request.GET.items() if v != ""}
    try:
        return selectors.CustomerFilters.model_validate(raw)
    except PydanticValidationError:
        return selectors.CustomerFilters.model_validate({})


def _detail(customer_id: int) -> str:
    return reverse("customers:detail", args=[customer_id])


@staff_view(cap=Cap.CUSTOMER_VIEW)
def customer_list(request: StaffRequest) -> HttpResponse:
    filters = _filters(request)
    page = selectors.customer_list(actor=request.user, filters=filters)
    context = {
        "page": page,
        "filters": filters,
        "branches": account_selectors.branch_choices(actor=request.user),
        "sources": Source.choices,
        "quality": selectors.branch_quality(actor=request.user),
        "querystring": request.GET.copy(),
    }
    if request.htmx:
        return render(request, "customers/partials/list_rows.html", context)
    return render(request, "customers/list.html", context)


@staff_view(cap=Cap.CUSTOMER_VIEW)
def customer_search(request: StaffRequest) -> HttpResponse:
    """The search box's live results (htmx partial)."""
    query = request.GET.get("q", "")[:50]
    results = selectors.customer_search(actor=request.user, query=query, limit=10) if query else []
    return render(
        request, "customers/partials/search_results.html", {"results": results, "q": query}
    )


def _referrer_picked(request: StaffRequest, value: Any) -> Customer | None:
    """The referrer chosen so far (the form's value, or the customer's), shown checked in the
    picker; nobody when it is not a customer the actor may see."""
    pk = positive_id(value)
    if pk is None:
        return None
    return selectors.visible_customers(request.user).filter(pk=pk).select_related("branch").first()


def _referrer_context(request: StaffRequest, value: Any) -> dict[str, Any]:
    picked = _referrer_picked(request, value)
    return {"referrer_results": [picked] if picked else [], "referrer_checked": value}


@staff_view(cap=Cap.CUSTOMER_VIEW)
def referrer_pick(request: StaffRequest) -> HttpResponse:
    """The referrer picker's live results (htmx partial): customers found by name, pinyin
    initials or phone, as radio buttons, with the one chosen so far kept on top."""
    query = (request.GET.get("referrer_q") or request.GET.get("q") or "")[:50]
    picked = _referrer_picked(request, request.GET.get("referrer_id"))
    found = selectors.customer_search(actor=request.user, query=query, limit=8) if query else []
    results = ([picked] if picked else []) + [c for c in found if picked is None or c != picked]
    return render(
        request,
        "customers/partials/referrer_choices.html",
        {"results": results, "checked": picked.pk if picked else None, "q": query},
    )


@staff_view(cap=CustomerCap.CUSTOMER_CREATE)
@require_http_methods(["GET", "POST"])
def customer_create(request: StaffRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, actor=request.user)
    if request.method == "POST":
        try:
            customer = services.customer_create(actor=request.user, data=form.parse())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:detail", customer_id=customer.pk)
    referrer = _referrer_context(request, request.POST.get("referrer_id"))
    return render(request, "customers/form.html", {"form": form, "customer": None, **referrer})


@staff_view(cap=CustomerCap.CUSTOMER_EDIT)
@require_http_methods(["GET", "POST"])
def customer_edit(request: StaffRequest, customer_id: int) -> HttpResponse:
    try:
        customer = selectors.customer_get(
            actor=request.user, customer_id=customer_id, purpose="edit"
        )
    except KeyAccountRestricted as exc:
        messages.error(request, exc.message)
        return redirect("customers:detail", customer_id=customer_id)
    form = CustomerForm(
        request.POST or None,
        actor=request.user,
        customer=customer,
        initial=CustomerForm.initial_for(customer),
    )
    if request.method == "POST":
        try:
            services.customer_update(
                actor=request.user, customer_id=customer.pk, data=form.parse(changed_only=True)
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", customer_id=customer.pk)
    chosen = request.POST.get("referrer_id") if request.method == "POST" else customer.referrer_id
    referrer = _referrer_context(request, chosen)
    return render(request, "customers/form.html", {"form": form, "customer": customer, **referrer})


@staff_view(cap=Cap.CUSTOMER_VIEW)
def customer_detail(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The profile: fetched once, its sections and every app's panel rendered from it, in one
    request (so one audit event names every section read)."""
    profile = customer_profile(actor=request.user, customer_id=customer_id)
    if not profile.full:
        return _key_account_card(request, profile)
    customer = profile.customer
    business = request.user.business
    assert business is not None  # staff_view requires one
    stale = selectors.stale_groups(customer, business)
    context = {
        "customer": customer,
        "file": profile.file,
        "mobile": profile.mobile,
        "history": profile_history(profile),
        "duplicates": selectors.likely_duplicates(actor=request.user, customer=customer),
        "referrals": selectors.customer_referrals(actor=request.user, customer=customer),
        "photos": selectors.customer_photos(customer),
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
        "panels": panels_for(request, profile),
        "first_screen": FIRST_SCREEN_ORDER,
        "stale_labels": selectors.stale_labels(customer, business),
    }
    return render(request, "customers/detail.html", context)


def _key_account_card(request: StaffRequest, profile: CustomerProfile) -> HttpResponse:
    """The minimal card of a key account, with the way to ask for the full file."""
    customer = profile.customer
    return render(
        request,
        "customers/card.html",
        {
            "customer": customer,
            "file": profile.file,
            "mobile": profile.mobile,
            "requests": selectors.my_access_requests(actor=request.user, customer=customer),
        },
    )


@staff_view
@require_POST
def customer_confirm(request: StaffRequest, customer_id: int) -> HttpResponse:
    request.back = _detail(customer_id)
    groups = parse_post(ConfirmIn, {"groups": request.POST.getlist("group")}).groups or None
    customer = services.customer_confirm(actor=request.user, customer_id=customer_id, groups=groups)
    if request.htmx:
        return render(request, "customers/partials/confirmed_row.html", {"customer": customer})
    messages.success(request, _("Data of %(name)s confirmed as current.") % {"name": customer.name})
    back = request.POST.get("next", "")
    if back == "detail":
        return redirect("customers:detail", customer_id=customer.pk)
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)  # the checkout or the brief the prompt was shown on
    return redirect("customers:stale")


@staff_view(cap=CustomerCap.CUSTOMER_CONFIRM)
def stale_queue(request: StaffRequest) -> HttpResponse:
    try:
        page_no = max(1, min(int(request.GET.get("page", "1")), 100000))
    except ValueError:
        page_no = 1
    page = selectors.stale_queue(actor=request.user, page=page_no)
    return render(request, "customers/stale.html", {"page": page})


@staff_view(cap=CustomerCap.CUSTOMER_MERGE)
def duplicates(request: StaffRequest) -> HttpResponse:
    groups = selectors.duplicate_groups(actor=request.user)
    return render(request, "customers/duplicates.html", {"groups": groups})


@staff_view
@require_POST
def customer_merge(request: StaffRequest, customer_id: int) -> HttpResponse:
    request.back = _detail(customer_id)
    merge = services.customer_merge(
        actor=request.user,
        survivor_id=customer_id,
        duplicate_id=parse_post(MergeIn, request.POST).duplicate_id,
    )
    messages.success(
        request, _("Customer #%(merged)s merged into this profile.") % {"merged": merge.merged_id}
    )
    return redirect("customers:detail", customer_id=customer_id)


@staff_view
@require_POST
def photo_upload(request: StaffRequest, customer_id: int) -> HttpResponse:
    request.back = _detail(customer_id)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("customers:detail", customer_id=customer_id)
    services.customer_photo_add(
        actor=request.user,
        customer_id=customer_id,
        image=form.cleaned_data["image"],
        kind=form.cleaned_data["kind"],
        caption=form.cleaned_data["caption"],
        taken_on=form.cleaned_data["taken_on"],
    )
    messages.success(request, _("Photo added."))
    return redirect("customers:detail", customer_id=customer_id)


@staff_view(cap=Cap.CUSTOMER_VIEW)
def photo_file(request: StaffRequest, customer_id: int, photo_id: int) -> FileResponse:
    """Photos are never on a public URL: each request passes the access policy (a key
    account's card answers 403, like the other refusals, through the error middleware)."""
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id, purpose="photo")
    photo = selectors.customer_photo(customer, photo_id)
    if photo is None:  # no such photo, or the customer withdrew photo consent
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


# --- Key accounts: asking for a file, deciding, handing over ------------------------------------


@staff_view
@require_POST
def access_request(request: StaffRequest, customer_id: int) -> HttpResponse:
    request.back = _detail(customer_id)
    services.access_request(
        actor=request.user,
        customer_id=customer_id,
        reason=parse_post(AccessRequestIn, request.POST).reason,
    )
    messages.success(request, _("Request sent. You will see the file once it is approved."))
    return redirect("customers:detail", customer_id=customer_id)


_GRANT_VIEWS: tuple[selectors.GrantView, ...] = ("to_decide", "active", "past", "mine")


@staff_view(cap=Cap.CUSTOMER_VIEW)
def access_grants(request: StaffRequest) -> HttpResponse:
    view = request.GET.get("view", "to_decide")
    if view not in _GRANT_VIEWS:
        view = "to_decide"
    grants = selectors.access_grants(actor=request.user, view=view)  # type: ignore[arg-type]
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


@staff_view
@require_POST
def access_decide(request: StaffRequest, grant_id: int, decision: str) -> HttpResponse:
    actor = request.user
    request.back = f"{reverse('customers:access')}?view={request.POST.get('view', 'to_decide')}"
    if decision == "revoke":
        services.access_revoke(actor=actor, grant_id=grant_id)
        messages.success(request, _("Access revoked."))
    elif decision in ("approve", "refuse"):
        services.access_decide(
            actor=actor,
            grant_id=grant_id,
            approve=decision == "approve",
            note=parse_post(DecisionIn, request.POST).note,
        )
        messages.success(
            request, _("Request approved.") if decision == "approve" else _("Request refused.")
        )
    else:
        raise Http404
    return redirect(request.back)


@staff_view(cap=CustomerCap.CUSTOMER_HANDOVER)
@require_http_methods(["GET", "POST"])
def handover(request: StaffRequest) -> HttpResponse:
    """Hand every customer of one staff member (or a list of customers) to another."""
    actor = request.user
    # who may take customers on: staff of the actor's branches who look after customers
    staff = list(
        account_selectors.staff_for_work(actor=actor, capability=CustomerCap.CUSTOMER_EDIT)
    )
    errors: list[str] = []
    if request.method == "POST":
        # customer numbers typed in one box, by commas or spaces (a Chinese comma too)
        sent = request.POST.copy()
        sent["customer_ids"] = ",".join(
            sent.get("customer_ids", "").replace("，", ",").replace(" ", ",").split(",")
        )
        try:
            handover_in = parse_form(HandoverIn, sent, comma=["customer_ids"])
            moved = services.customer_handover(
                actor=actor,
                to_user_id=handover_in.to_user_id,
                reason=handover_in.reason,
                customer_ids=handover_in.customer_ids or None,
                from_user_id=handover_in.from_user_id,
            )
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


@staff_view(any_cap=(CustomerCap.CUSTOMER_EXPORT, services.ERASE_CAP))
def privacy(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The customer's data rights: export everything held about them, or erase it."""
    customer = selectors.customer_get(
        actor=request.user, customer_id=customer_id, purpose="privacy"
    )
    return render(request, "customers/privacy.html", {"customer": customer})


def _export_json(data: dict[str, Any]) -> str:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


@staff_view
@require_POST
def privacy_export(request: StaffRequest, customer_id: int) -> HttpResponse:
    request.back = reverse("customers:privacy", args=[customer_id])
    data = selectors.customer_export_data(
        actor=request.user,
        customer_id=customer_id,
        reason=parse_post(DataRightsReasonIn, request.POST).reason,
    )
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


@staff_view
@require_POST
def privacy_erase(request: StaffRequest, customer_id: int) -> HttpResponse:
    request.back = reverse("customers:privacy", args=[customer_id])
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect(request.back)
    erased = services.customer_anonymise(
        actor=request.user,
        customer_ids=[customer_id],
        reason=parse_post(DataRightsReasonIn, request.POST).reason,
        strict=True,
    )
    if erased:
        messages.success(
            request, _("The customer's personal data was erased; sales records remain.")
        )
    else:
        messages.info(request, _("Nothing to erase: the data was already erased."))
    return redirect("customers:detail", customer_id=customer_id)


@staff_view(cap=services.ERASE_CAP)
@require_http_methods(["GET", "POST"])
def retention(request: StaffRequest) -> HttpResponse:
    """Customers inactive for longer than the retention period, to review and erase in bulk."""
    actor = request.user
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
