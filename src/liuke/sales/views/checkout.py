"""The checkout page: the customer picker, the live quote, the checkout (or an exchange) itself."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch, User
from liuke.core.errors import CoreErrorCode, NotFound, PermissionDenied, ServiceError
from liuke.core.idempotency import form_once
from liuke.core.middleware import refusal_text
from liuke.core.money import format_yuan
from liuke.customers import selectors as customer_selectors
from liuke.customers.models import Customer
from liuke.sales import selectors, services
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    MONEY_METHODS,
)
from liuke.sales.forms import (
    CheckoutPost,
)
from liuke.sales.models import Service, VisitLine
from liuke.sales.views.common import (
    customer_or_404,
    default_branch,
    staff_branches,
)

#: A checkout line's boxes, repeated once per line (a second staff member and their share of
#: the commission: a split, `liuke.sales.forms.CheckoutPost`).
LINE_FIELDS = [
    "line_item", "line_staff", "line_qty", "line_package", "line_designated", "line_staff2",
    "line_share2",
]  # fmt: skip


def _rows(post: QueryDict | None, names: list[str], minimum: int) -> list[dict[str, Any]]:
    """The form's repeated rows (lines, payments) as posted, at least `minimum` of them."""
    if post is None:
        return [dict.fromkeys(names, "") for _ in range(minimum)]
    columns = [post.getlist(n) for n in names]
    count = max([minimum, *(len(c) for c in columns)])
    return [
        {n: (col[i] if i < len(col) else "") for n, col in zip(names, columns, strict=True)}
        for i in range(count)
    ]


def _item_groups(
    actor: User,
    branch: Branch | None,
    packages: list[selectors.PackageView],
    services_: list[Service],
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The line picker's options: the services, then the products with their stock. A retired
    service that one of the customer's packages covers is offered too: its sessions stay usable."""
    products = selectors.products_for(actor=actor, branch=branch)
    retired = {s.pk: s for p in packages for s in p.package.services.all() if not s.is_active}
    return [
        (
            _("Services"),
            [(f"s:{s.pk}", f"{s.name} · ¥{format_yuan(s.price_fen)}") for s in services_]
            + [
                (f"s:{s.pk}", f"{s.name} · {_('retired: package sessions only')}")
                for s in retired.values()
            ],
        ),
        (
            _("Products"),
            [
                (
                    f"p:{p.pk}",
                    f"{p.name} · ¥{format_yuan(p.price_fen)} · "
                    + _("%(n)s in stock") % {"n": getattr(p, "stock", "?")},
                )
                for p in products
            ],
        ),
    ]


def _staff_options(actor: User, branch: Branch | None, line_item: str) -> list[tuple[str, str]]:
    """The "performed by" choices of one line: for a service (`s:<id>`), the staff of the
    branch who perform it; otherwise (a product, nothing chosen yet) the branch's staff."""
    if branch is None:
        return []
    staff: list[User]
    if line_item.startswith("s:") and line_item[2:].isdigit():
        try:
            staff = selectors.performers_for(
                actor=actor, branch_id=branch.pk, service_id=int(line_item[2:])
            )
        except NotFound:
            staff = []
    else:
        staff = list(selectors.branch_sellers(branch))
    return [(str(u.pk), f"{u} · {u.get_role_display()}") for u in staff]


def _checkout_context(
    request: StaffRequest,
    customer: Customer,
    posted: CheckoutPost | None = None,
    prefill: QueryDict | None = None,
) -> dict[str, Any]:
    """`prefill`: a GET that fills the form in as a POST would (the appointments app's "check
    out" link: `branch_id`, `appointment_id`, rows of `line_item` and `line_staff`)."""
    actor = request.user
    summary = selectors.customer_sales_summary(actor=actor, customer=customer)
    branches = staff_branches(actor)
    branch: Branch | None = None
    if posted is not None:
        branch = next((b for b in branches if b.pk == posted.data.get("branch_id")), None)
    elif prefill is not None:
        branch = next((b for b in branches if str(b.pk) == prefill.get("branch_id")), None)
    branch = branch or default_branch(actor, customer)
    cards = [c for c in (summary.cards if summary else []) if c.card.status == "active"]
    packages = [
        p for p in (summary.packages if summary else []) if p.remaining > 0 and not p.expired
    ]
    post = posted.post if posted is not None else prefill
    on_menu = selectors.services_for(actor=actor, branch=branch)
    line_rows = _rows(post, LINE_FIELDS, 2)
    sellers = _staff_options(actor, branch, "")
    for row in line_rows:
        row["staff_options"] = (
            _staff_options(actor, branch, row["line_item"])
            if row["line_item"].startswith("s:")
            else sellers
        )
    return {
        "customer": customer,
        # the data-quality prompt: confirm what is old while the customer is at the counter
        "stale_labels": customer_selectors.stale_labels(customer, actor.business),
        "summary": summary,
        "item_groups": _item_groups(actor, branch, packages, on_menu),
        "staff_options": sellers,
        # the next visit is booked as an appointment of one of these (appointments' hook)
        "rebook_services": on_menu,
        "package_options": [
            (
                str(p.package.pk),
                _("Use package %(name)s (%(n)d left)") % {"name": p.label, "n": p.remaining},
                ",".join(str(s.pk) for s in p.package.services.all()),
            )
            for p in packages
        ],
        # (value, label, balance in fen for a card: the amount filled in never exceeds it)
        "pay_options": [(m.value, str(m.label), None) for m in MONEY_METHODS]
        + [
            (
                f"card:{c.card.pk}",
                _("Stored value No. %(number)s (balance ¥%(balance)s)")
                % {"number": c.card.number, "balance": format_yuan(c.balance_fen)},
                c.balance_fen,
            )
            for c in cards
        ],
        "member_card_options": [
            (str(c.card.pk), f"{c.card.number} · {c.card.tier or _('no tier')}") for c in cards
        ],
        "branches": branches,
        "branch": branch,
        "cards": cards,
        "packages": packages,
        "line_rows": line_rows,
        "pay_rows": _rows(post, ["pay_method", "pay_amount"], 2),
        "post": post,
        "idempotency_key": (
            (post.get("idempotency_key") if post is not None else None) or secrets.token_urlsafe(18)
        ),
    }


@staff_view(cap=SalesCap.SALE_CHECKOUT)
@require_http_methods(["GET", "POST"])
@form_once
def checkout(request: StaffRequest) -> HttpResponse:
    actor = request.user
    if request.method == "POST":
        posted = CheckoutPost(request.POST)
        customer = customer_or_404(request, posted.data.get("customer_id"), "checkout")
        errors = list(posted.errors)
        exchange = _exchange(request, request.POST)
        if not errors:
            try:
                if exchange is not None:
                    _refund, visit = services.visit_exchange(
                        actor=actor,
                        visit_id=exchange["visit"].pk,
                        line_id=exchange["line"].pk,
                        data=posted.data,
                    )
                else:
                    visit = services.checkout(actor=actor, data=posted.data)
            except (ServiceError, ValidationError) as exc:
                if (
                    isinstance(exc, NotFound | PermissionDenied)
                    and exc.code == CoreErrorCode.NOT_FOUND
                ):
                    errors.append(exc.message)
                else:
                    errors.append(refusal_text(exc))
            else:
                messages.success(
                    request, _("Checked out: ¥%(total)s.") % {"total": format_yuan(visit.total_fen)}
                )
                return redirect("sales:visit_receipt", visit_id=visit.pk)
        context = _checkout_context(request, customer, posted)
        context["errors"] = errors
        context["exchange"] = exchange
        return render(request, "sales/checkout.html", context)
    customer_id = request.GET.get("customer")
    if not customer_id:
        return render(request, "sales/checkout_pick.html", {"q": request.GET.get("q", "")})
    customer = customer_or_404(request, customer_id, "checkout")
    prefill = request.GET if request.GET.get("appointment_id") else None
    context = _checkout_context(request, customer, prefill=prefill)
    context["exchange"] = _exchange(request, request.GET)
    return render(request, "sales/checkout.html", context)


def _exchange(request: StaffRequest, params: Any) -> dict[str, Any] | None:
    """The visit and line being exchanged (`exchange`/`line` in the query string, or
    `exchange_visit`/`exchange_line` in the form), or None."""
    visit_id = params.get("exchange") or params.get("exchange_visit")
    line_id = params.get("line") or params.get("exchange_line")
    if not visit_id or not line_id or not policy.can(request.user, SalesCap.SALE_REFUND):
        return None
    try:
        visit = selectors.visit_get(actor=request.user, visit_id=int(visit_id))
        line = visit.lines.get(pk=int(line_id))
    except (ValueError, VisitLine.DoesNotExist):
        raise Http404 from None
    return {"visit": visit, "line": line}


@staff_view(cap=SalesCap.SALE_CHECKOUT)
def checkout_search(request: StaffRequest) -> HttpResponse:
    """The customer picker's live results (htmx partial): each links to its checkout."""

    query = request.GET.get("q", "")[:50]
    results = (
        customer_selectors.customer_search(actor=request.user, query=query, limit=10)
        if query
        else []
    )
    return render(request, "sales/partials/pick_results.html", {"results": results, "q": query})


@staff_view(cap=SalesCap.SALE_CHECKOUT)
@require_POST
def checkout_quote(request: StaffRequest) -> HttpResponse:
    """The live quote (htmx partial): line prices, subtotal, discount, total, left to pay."""

    posted = CheckoutPost(request.POST)
    context: dict[str, Any] = {"errors": list(posted.errors), "paid_fen": posted.paid_fen}
    if posted.input is not None:
        try:
            quote = services.checkout_quote(actor=request.user, data=posted.data)
        except (ServiceError, ValidationError) as exc:
            context["errors"].append(refusal_text(exc))
        else:
            context["quote"] = quote
            context["remaining_fen"] = quote.total_fen - posted.paid_fen
    return render(request, "sales/partials/quote.html", context)


@staff_view(cap=SalesCap.SALE_CHECKOUT)
def checkout_staff(request: StaffRequest) -> HttpResponse:
    """One line's "performed by" options (htmx partial), refreshed when its service or the
    branch changes: only the staff of that branch who perform the service."""
    branch = next(
        (b for b in staff_branches(request.user) if str(b.pk) == request.GET.get("branch_id")),
        None,
    )
    options = _staff_options(request.user, branch, request.GET.get("line_item", ""))
    return render(
        request,
        "sales/partials/staff_options.html",
        {"staff_options": options, "selected": request.GET.get("line_staff", "")},
    )
