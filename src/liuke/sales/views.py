"""Sales pages: checkout, visits, cards, packages, the daily close, the catalogue.

Thin like the customer pages: parse (sales.forms), call a service or selector, render; htmx
gets partials (the live checkout quote). Every service refusal is shown with its own message and
nothing is saved (each service is one transaction)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liuke.accounts import policy
from liuke.accounts import selectors as account_selectors
from liuke.accounts.choices import Role
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch, User
from liuke.core.errors import CoreErrorCode, NotFound, PermissionDenied, ServiceError
from liuke.core.middleware import refusal_text, safe_next
from liuke.core.money import format_yuan, yuan_decimal
from liuke.core.spreadsheet import safe_cell as _cell
from liuke.core.spreadsheet import xlsx_response
from liuke.customers import selectors as customer_selectors
from liuke.customers.models import Customer
from liuke.customers.profile import CustomerProfile
from liuke.sales import ledger, selectors, services
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    MONEY_METHODS,
    PaymentMethod,
    PaymentPurpose,
    RefundReason,
)
from liuke.sales.forms import (
    CardIssueForm,
    CardRefundForm,
    CheckoutPost,
    PackageExtendForm,
    PackageSellForm,
    RefundForm,
    StockReceiveForm,
    TopupForm,
)
from liuke.sales.models import BonusRule, CardTier, Visit, VisitLine


def _form_errors(form: Any) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


def _customer_or_404(request: StaffRequest, customer_id: Any, purpose: str) -> Customer:
    try:
        return customer_selectors.customer_get(
            actor=request.user, customer_id=customer_id, purpose=purpose
        )
    except (ValueError, TypeError):  # an id typed by hand in the query string
        raise Http404 from None


def _branches(actor: User) -> list[Branch]:
    return list(account_selectors.branch_choices(actor=actor).order_by("id"))


def _default_branch(actor: User, customer: Customer | None) -> Branch | None:
    branches = _branches(actor)
    for b in branches:
        if customer is not None and b.pk == customer.branch_id:
            return b
    return branches[0] if branches else None


def bonus_rules(actor: User) -> list[BonusRule]:
    return list(
        BonusRule.objects.filter(business_id=policy.business_of(actor), is_active=True).order_by(
            "pay_fen"
        )
    )


# --- the customer profile's sales section ------------------------------------------------------


def customer_sales_context(request: StaffRequest, profile: CustomerProfile) -> dict[str, Any]:
    """What the profile's "Sales" panel needs (`sales.panels.sales_panel`)."""
    actor, customer = request.user, profile.customer
    summary = selectors.profile_sales_summary(profile=profile)
    context: dict[str, Any] = {
        "sales": summary,
        "visits": selectors.customer_visits(actor=actor, customer=customer, limit=10),
    }
    if summary is None:
        return context
    branches = _branches(actor)
    branch = next((b for b in branches if b.pk == customer.branch_id), None)
    branch = branch or (branches[0] if branches else None)
    initial_branch = {"branch_id": branch.pk if branch else None}
    branch_choices = [(b.pk, b.name) for b in branches]
    if policy.can(actor, SalesCap.CARD_MANAGE):
        issue = CardIssueForm(initial=initial_branch, auto_id="issue_%s")
        issue.fields["tier_id"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (t.pk, f"{t.name} ({t.discount_pct}%)")
            for t in CardTier.objects.filter(business_id=policy.business_of(actor))
        ]
        issue.fields["branch_id"].choices = branch_choices  # type: ignore[attr-defined]
        context["card_issue_form"] = issue
        context["topup_form"] = TopupForm(auto_id="topup_%s")
        context["bonus_rules"] = bonus_rules(actor)
    if policy.can(actor, SalesCap.PACKAGE_SELL):
        sell = PackageSellForm(initial=initial_branch, auto_id="sell_%s")
        sell.fields["service_ids"].choices = [  # type: ignore[attr-defined]
            (s.pk, s.name) for s in selectors.services_for(actor=actor)
        ]
        sell.fields["branch_id"].choices = branch_choices  # type: ignore[attr-defined]
        context["package_sell_form"] = sell
    return context


# --- checkout -----------------------------------------------------------------------------------


def _checkout_context(
    request: StaffRequest, customer: Customer, posted: CheckoutPost | None = None
) -> dict[str, Any]:
    actor = request.user
    summary = selectors.customer_sales_summary(actor=actor, customer=customer)
    branches = _branches(actor)
    branch: Branch | None = None
    if posted is not None:
        branch = next((b for b in branches if b.pk == posted.data.get("branch_id")), None)
    branch = branch or _default_branch(actor, customer)
    cards = [c for c in (summary.cards if summary else []) if c.card.status == "active"]
    packages = [
        p for p in (summary.packages if summary else []) if p.remaining > 0 and not p.expired
    ]
    post = posted.post if posted is not None else None

    def rows(names: list[str], minimum: int) -> list[dict[str, str]]:
        if post is None:
            return [dict.fromkeys(names, "") for _ in range(minimum)]
        columns = [post.getlist(n) for n in names]
        count = max([minimum, *(len(c) for c in columns)])
        return [
            {n: (col[i] if i < len(col) else "") for n, col in zip(names, columns, strict=True)}
            for i in range(count)
        ]

    services_ = selectors.services_for(actor=actor, branch=branch)
    products = selectors.products_for(actor=actor, branch=branch)
    staff = list(account_selectors.staff_choices(actor=actor))
    item_groups = [
        (
            _("Services"),
            [(f"s:{s.pk}", f"{s.name} · ¥{format_yuan(s.price_fen)}") for s in services_],
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
    return {
        "customer": customer,
        "summary": summary,
        "item_groups": item_groups,
        "staff_options": [(str(u.pk), f"{u} · {u.get_role_display()}") for u in staff],
        "package_options": [
            (
                str(p.package.pk),
                _("Use package %(name)s (%(n)d left)") % {"name": p.package.name, "n": p.remaining},
                ",".join(str(s.pk) for s in p.package.services.all()),
            )
            for p in packages
        ],
        "pay_options": [(m.value, str(m.label)) for m in MONEY_METHODS]
        + [
            (
                f"card:{c.card.pk}",
                _("Stored value %(number)s (¥%(balance)s)")
                % {"number": c.card.number, "balance": format_yuan(c.balance_fen)},
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
        "line_rows": rows(["line_item", "line_staff", "line_qty", "line_package"], 2),
        "pay_rows": rows(["pay_method", "pay_amount"], 2),
        "post": post,
        "idempotency_key": (
            (post.get("idempotency_key") if post is not None else None) or secrets.token_urlsafe(18)
        ),
    }


@staff_view(cap=SalesCap.SALE_CHECKOUT)
@require_http_methods(["GET", "POST"])
def checkout(request: StaffRequest) -> HttpResponse:
    actor = request.user
    if request.method == "POST":
        posted = CheckoutPost(request.POST)
        customer = _customer_or_404(request, posted.data.get("customer_id"), "checkout")
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
                return redirect("sales:visit", visit_id=visit.pk)
        context = _checkout_context(request, customer, posted)
        context["errors"] = errors
        context["exchange"] = exchange
        return render(request, "sales/checkout.html", context)
    customer_id = request.GET.get("customer")
    if not customer_id:
        return render(request, "sales/checkout_pick.html", {"q": request.GET.get("q", "")})
    customer = _customer_or_404(request, customer_id, "checkout")
    context = _checkout_context(request, customer)
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


# --- visits -------------------------------------------------------------------------------------


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
def visit_refund(request: StaffRequest, visit_id: int) -> HttpResponse:
    visit = _visit_or_404(request, visit_id)
    request.back = reverse("sales:visit", args=[visit.pk])
    form = RefundForm(request.POST)
    form.fields["line_id"].choices = [("", "")] + [  # type: ignore[attr-defined]
        (line.pk, str(line.pk)) for line in visit.lines.all()
    ]
    if not form.is_valid():
        messages.error(request, _form_errors(form))
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


# --- stored-value cards -------------------------------------------------------------------------


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


def _back(request: StaffRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (a local path only)."""
    return redirect(safe_next(request) or default)


@staff_view
@require_POST
def card_issue(request: StaffRequest, customer_id: int) -> HttpResponse:
    form = CardIssueForm(request.POST)
    form.fields["tier_id"].choices = [("", "")] + [  # type: ignore[attr-defined]
        (t.pk, t.name)
        for t in CardTier.objects.filter(business_id=policy.business_of(request.user))
    ]
    form.fields["branch_id"].choices = [(b.pk, b.name) for b in _branches(request.user)]  # type: ignore[attr-defined]
    request.back = back = f"/customers/{customer_id}/#sales"
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    card = services.card_issue(actor=request.user, customer_id=customer_id, **form.cleaned_data)
    messages.success(request, _("Card %(number)s issued.") % {"number": card.number})
    return redirect(back)


@staff_view
@require_POST
def card_topup(request: StaffRequest, card_id: int) -> HttpResponse:
    form = TopupForm(request.POST)
    request.back = default = f"/sales/cards/{card_id}/"
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, default)
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
    return _back(request, default)


@staff_view
@require_POST
def card_refund(request: StaffRequest, card_id: int) -> HttpResponse:
    form = CardRefundForm(request.POST)
    request.back = reverse("sales:card", args=[card_id])
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(request.back)
    paid = services.card_refund(actor=request.user, card_id=card_id, **form.cleaned_data)
    messages.success(
        request, _("Card closed; ¥%(amount)s paid back.") % {"amount": format_yuan(paid)}
    )
    return redirect("sales:card", card_id=card_id)


# --- packages -----------------------------------------------------------------------------------


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
def package_sell(request: StaffRequest, customer_id: int) -> HttpResponse:
    actor = request.user
    form = PackageSellForm(request.POST)
    form.fields["service_ids"].choices = [  # type: ignore[attr-defined]
        (s.pk, s.name) for s in selectors.services_for(actor=actor)
    ]
    form.fields["branch_id"].choices = [(b.pk, b.name) for b in _branches(actor)]  # type: ignore[attr-defined]
    request.back = back = f"/customers/{customer_id}/#sales"
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    data = form.cleaned_data
    package = services.package_sell(
        actor=actor,
        customer_id=customer_id,
        branch_id=data["branch_id"],
        name=data["name"],
        service_ids=data["service_ids"],
        sessions=data["sessions"],
        price_fen=data["price"],
        method=data["method"],
        expires_on=data["expires_on"],
    )
    messages.success(request, _("Package %(name)s sold.") % {"name": package.name})
    return redirect(back)


@staff_view
@require_POST
def package_extend(request: StaffRequest, package_id: int) -> HttpResponse:
    form = PackageExtendForm(request.POST)
    request.back = reverse("sales:package", args=[package_id])
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(request.back)
    services.package_extend(actor=request.user, package_id=package_id, **form.cleaned_data)
    messages.success(request, _("Package extended."))
    return redirect("sales:package", package_id=package_id)


# --- the daily close ----------------------------------------------------------------------------


def _close_params(request: StaffRequest) -> tuple[list[Branch], Branch, dt.date]:
    branches = _branches(request.user)
    if not branches:
        raise Http404
    branch = branches[0]
    wanted = request.GET.get("branch", "")
    if wanted:
        branch = next((b for b in branches if str(b.pk) == wanted), None)  # type: ignore[assignment]
        if branch is None:
            raise Http404
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    return branches, branch, day


def _close(request: StaffRequest) -> tuple[list[Branch], selectors.DailyClose]:
    branches, branch, day = _close_params(request)
    try:
        close = selectors.daily_close(actor=request.user, branch_id=branch.pk, day=day)
    except PermissionDenied:  # a branch out of reach is "not found" here
        raise Http404 from None
    return branches, close


Rows = list[tuple[str, int | str]]


def close_rows(close: selectors.DailyClose) -> list[tuple[str, Rows]]:
    """The daily close as titled sections of (label, value) rows: the page and the export
    show the same figures. Money values are fen (int); counts are str."""
    method_label = dict(PaymentMethod.choices)
    purpose_label = dict(PaymentPurpose.choices)
    reason_label = dict(RefundReason.choices)
    by_method: Rows = [(str(method_label[m]), v) for m, v in close.money_by_method.items()]
    by_method.append((_("Total"), close.money_total_fen))
    refunds: Rows = [
        (_("Visits"), str(close.visits)),
        (_("Discounts"), close.discounts_fen),
        (_("Refunds"), str(close.refunds)),
        (_("Refunded"), close.refunds_fen),
    ]
    refunds += [
        (str(reason_label.get(r, r)), v) for r, v in sorted(close.refunds_by_reason.items())
    ]
    return [
        (_("Money received by method"), by_method),
        (
            _("Money received by purpose"),
            [(str(purpose_label.get(p, p)), v) for p, v in sorted(close.money_by_purpose.items())],
        ),
        (
            _("Prepaid used"),
            [
                (_("Stored value used"), close.stored_value_used_fen),
                (_("Package sessions used"), str(close.package_sessions_used)),
                (_("Value of package sessions used"), close.package_value_used_fen),
            ],
        ),
        (_("Revenue by staff"), [(name, v) for name, v in close.revenue_by_staff]),
        (_("Visits, discounts and refunds"), refunds),
        (
            _("Liabilities at the end of the day"),
            [
                (_("Stored value, paid part"), close.stored_value_paid_liability_fen),
                (_("Stored value, bonus outstanding"), close.stored_value_bonus_outstanding_fen),
                (_("Packages, unearned value"), close.package_liability_fen),
                (_("Package sessions outstanding"), str(close.package_sessions_outstanding)),
            ],
        ),
    ]


@staff_view(cap=SalesCap.DAILY_CLOSE_VIEW)
def daily_close(request: StaffRequest) -> HttpResponse:
    branches, close = _close(request)
    return render(
        request,
        "sales/daily_close.html",
        {
            "branches": branches,
            "close": close,
            "sections": [
                (
                    title,
                    [
                        (label, format_yuan(v, symbol=True) if isinstance(v, int) else v)
                        for label, v in rows
                    ],
                )
                for title, rows in close_rows(close)
            ],
        },
    )


@staff_view(cap=SalesCap.DAILY_CLOSE_VIEW)
def daily_close_export(request: StaffRequest) -> HttpResponse:
    from openpyxl import Workbook

    _branches_unused, close = _close(request)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = close.day.isoformat()
    sheet.append([_cell(_("Daily close")), _cell(close.branch.name), close.day.isoformat()])
    sheet.append([])
    for title, rows in close_rows(close):
        sheet.append([_cell(str(title))])
        for label, value in rows:
            if isinstance(value, int):
                cell_value: Any = yuan_decimal(value)
            else:
                cell_value = int(value) if value.isdigit() else _cell(value)
            sheet.append([_cell(str(label)), cell_value])
            if isinstance(value, int):
                sheet.cell(row=sheet.max_row, column=2).number_format = "#,##0.00"
        sheet.append([])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 16
    return xlsx_response(book, f"daily-close-{close.branch.pk}-{close.day.isoformat()}.xlsx")


# --- the catalogue ------------------------------------------------------------------------------


@staff_view(cap=SalesCap.SALES_VIEW)
def catalogue(request: StaffRequest) -> HttpResponse:
    actor = request.user
    branches = _branches(actor)
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
def stock_receive(request: StaffRequest) -> HttpResponse:
    request.back = reverse("sales:catalogue")
    form = StockReceiveForm(request.POST)
    form.fields["branch_id"].choices = [(b.pk, b.name) for b in _branches(request.user)]  # type: ignore[attr-defined]
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("sales:catalogue")
    after = services.stock_receive(actor=request.user, **form.cleaned_data)
    messages.success(request, _("Stock recorded: %(n)d on hand.") % {"n": after})
    return redirect("sales:catalogue")
