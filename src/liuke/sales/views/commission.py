"""Commission (提成) pages: the month's statements, one staff member's statement (page and
spreadsheet), closing a month, adjusting a closed month's statement, the plans and their rates,
and a staff member's plan (a section of their set-up page). Thin: parse, call, render.
Percentages are typed as percent (12.5), amounts in yuan; the services take basis points and fen.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import User
from liuke.core.errors import ServiceError
from liuke.core.idempotency import form_once
from liuke.core.money import parse_yuan, yuan_decimal
from liuke.core.spreadsheet import safe_cell, xlsx_response
from liuke.sales import commission_selectors as selectors
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import CommissionKind
from liuke.sales.errors import SalesErrorCode
from liuke.sales.months import month_closable, next_month, parse_month, previous_month
from liuke.sales.services import commission_setup as setup
from liuke.sales.views.common import staff_branches


def _month(request: StaffRequest) -> Any:
    return parse_month(request.GET.get("month") or request.POST.get("month"))


@staff_view
def statements(request: StaffRequest) -> HttpResponse:
    """The month's statements of every staff member the viewer may see (their own only, for
    those without `commission.view`), with a total; the owner closes a past month here."""
    actor = request.user
    month = _month(request)
    branches = staff_branches(actor) if policy.can(actor, policy.Cap.COMMISSION_VIEW) else []
    wanted = request.GET.get("branch", "")
    branch = next((b for b in branches if str(b.pk) == wanted), None)
    rows = selectors.commission_statements(
        actor=actor, month=month, branch_id=branch.pk if branch else None
    )
    context = {
        "month": month,
        "previous": previous_month(month),
        "next": next_month(month),
        "rows": rows,
        "kinds": list(CommissionKind),
        "total": sum(r.total_fen for r in rows),
        "branches": branches,
        "branch": branch,
        "closed": selectors.month_closed(actor=actor, month=month),
        "may_close": policy.can(actor, SalesCap.COMMISSION_MANAGE) and month_closable(month),
        "may_plan": policy.can(actor, SalesCap.COMMISSION_MANAGE),
    }
    return render(request, "sales/commission_statements.html", context)


@staff_view
def statement(request: StaffRequest, staff_id: int) -> HttpResponse:
    """One staff member's statement of a month: totals by kind, the lines, the adjustments."""
    actor = request.user
    st = selectors.commission_statement(actor=actor, staff_id=staff_id, month=_month(request))
    context = {
        "st": st,
        "items": [(line, selectors.line_item(line)) for line in st.lines],
        "shown_all": len(st.lines) == st.line_count,
        "sees_base": policy.sees_money(actor),
        "may_adjust": st.closed is not None and policy.can(actor, SalesCap.COMMISSION_MANAGE),
        "previous": previous_month(st.month),
        "next": next_month(st.month),
    }
    return render(request, "sales/commission_statement.html", context)


@staff_view
def statement_export(request: StaffRequest, staff_id: int) -> HttpResponse:
    """The statement as a spreadsheet: totals by kind, adjustments, then every line."""
    from openpyxl import Workbook

    st = selectors.commission_statement(
        actor=request.user, staff_id=staff_id, month=_month(request), every_line=True
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{st.month:%Y-%m}"
    name = st.staff.display_name or st.staff.username
    sheet.append([safe_cell(_("Commission statement")), safe_cell(name), f"{st.month:%Y-%m}"])
    sheet.append([])
    for _kind, label, total in st.kinds:
        sheet.append([safe_cell(label), yuan_decimal(total)])
    for adj in st.adjustments:
        label = _("Adjustment: %(reason)s") % {"reason": adj.reason}
        sheet.append([safe_cell(label), yuan_decimal(adj.amount_fen)])
    sheet.append([safe_cell(_("Total")), yuan_decimal(st.total_fen)])
    sheet.append([])
    heads = (_("Day"), _("Kind"), _("Item"), _("Share"), _("Commission (¥)"))
    sheet.append([safe_cell(h) for h in heads])
    for line in st.lines:
        sheet.append(
            [
                line.occurred_on.isoformat(),
                safe_cell(str(CommissionKind(line.kind).label)),
                safe_cell(selectors.line_item(line)),
                line.share_pct,
                yuan_decimal(line.amount_fen),
            ]
        )
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["C"].width = 24
    return xlsx_response(book, f"commission-{st.staff.pk}-{st.month:%Y-%m}.xlsx")


@staff_view
@require_POST
def month_close(request: StaffRequest) -> HttpResponse:
    month = _month(request)
    request.back = reverse("sales:commission_statements") + f"?month={month:%Y-%m}"
    closed = setup.commission_month_close(actor=request.user, month=month)
    messages.success(
        request,
        _("%(month)s closed: %(n)d statements stored.")
        % {"month": f"{month:%Y-%m}", "n": closed.statements.count()},
    )
    return redirect(request.back)


@staff_view
@require_POST
@form_once
def adjust(request: StaffRequest, staff_id: int) -> HttpResponse:
    month = _month(request)
    back = reverse("sales:commission_statement", args=[staff_id]) + f"?month={month:%Y-%m}"
    request.back = back
    amount = parse_yuan(str(request.POST.get("amount", "")), signed=True, field="amount_fen")
    setup.commission_adjust(
        actor=request.user,
        staff_id=staff_id,
        month=month,
        amount_fen=amount,
        reason=str(request.POST.get("reason", "")),
    )
    messages.success(request, _("Adjustment recorded."))
    return redirect(back)


# --- plans --------------------------------------------------------------------------------------


def _percent_bp(text: str, field: str) -> int | None:
    """ "12.5" (percent) → 1250 basis points; empty → None."""
    text = text.strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    bp = value * 100
    if bp != bp.to_integral_value() or not 0 <= bp <= 10_000:
        message = _("Enter a percentage from 0 to 100 (at most two decimals).")
        raise ServiceError(SalesErrorCode.INVALID_PERCENT, message, fields={field: [message]})
    return int(bp)


def _rates(post: QueryDict) -> dict[str, dict[str, int | None]]:
    """The rate boxes of the plan form, by kind: `<kind>_pct`, `<kind>_fixed` (yuan), and for
    services `service_dpct`, `service_dfixed` (designated)."""
    rates: dict[str, dict[str, int | None]] = {}
    for kind in CommissionKind.values:
        if f"{kind}_pct" not in post:
            continue
        fixed = str(post.get(f"{kind}_fixed", "")).strip()
        dfixed = str(post.get(f"{kind}_dfixed", "")).strip()
        rates[kind] = {
            "percent_bp": _percent_bp(str(post.get(f"{kind}_pct", "")), f"{kind}_pct") or 0,
            "fixed_fen": parse_yuan(fixed, allow_zero=True, field=f"{kind}_fixed") if fixed else 0,
            "designated_percent_bp": _percent_bp(str(post.get(f"{kind}_dpct", "")), f"{kind}_dpct"),
            "designated_fixed_fen": (
                parse_yuan(dfixed, allow_zero=True, field=f"{kind}_dfixed") if dfixed else None
            ),
        }
    return rates


@staff_view(cap=SalesCap.COMMISSION_MANAGE)
def plans(request: StaffRequest) -> HttpResponse:
    """The plans with their rates by kind; POST adds a plan."""
    actor = request.user
    request.back = reverse("sales:commission_plans")
    if request.method == "POST":
        plan = setup.commission_plan_create(
            actor=actor,
            name_text=str(request.POST.get("name", "")),
            role=str(request.POST.get("role", "")),
            rates=_rates(request.POST),
        )
        messages.success(request, _("Commission plan %(name)s added.") % {"name": plan.name})
        return redirect(request.back)
    context = {
        "plans": selectors.commission_plans(actor=actor),
        "kinds": list(CommissionKind),
        "roles": [(r.value, str(r.label)) for r in Role if r != Role.AUDITOR],
    }
    return render(request, "sales/commission_plans.html", context)


@staff_view
@require_POST
def plan_update(request: StaffRequest, plan_id: int) -> HttpResponse:
    request.back = reverse("sales:commission_plans") + f"#plan-{plan_id}"
    data: dict[str, Any] = {"rates": _rates(request.POST)}
    for key in ("name", "role"):
        if key in request.POST:
            data[key] = str(request.POST[key])
    if "is_active" in request.POST:
        data["is_active"] = request.POST["is_active"] == "true"
    setup.commission_plan_update(actor=request.user, plan_id=plan_id, data=data)
    messages.success(request, _("Commission plan saved."))
    return redirect(request.back)


@staff_view
@require_POST
def staff_plan(request: StaffRequest, staff_id: int) -> HttpResponse:
    """A staff member's plan, from their set-up page."""
    request.back = reverse("accounts:staff_member", args=[staff_id])
    raw = str(request.POST.get("plan_id", "")).strip()
    plan_id = int(raw) if raw.isdigit() else None
    setup.commission_plan_assign(actor=request.user, staff_id=staff_id, plan_id=plan_id)
    messages.success(request, _("Commission plan saved."))
    return redirect(request.back)


def staff_section(*, request: StaffRequest, member: User) -> str:
    """The staff member's commission plan on their set-up page (`staff_sections`): shown to
    those who may see their commissions, changeable by those who may assign plans."""
    actor = request.user
    if not selectors.visible_staff(actor).filter(pk=member.pk).exists():
        return ""
    plan, own = selectors.staff_plan(actor=actor, member=member)
    may_assign = policy.can(actor, SalesCap.COMMISSION_ASSIGN) and member.is_active
    context = {
        "member": member,
        "plan": plan,
        "own": own,
        "may_assign": may_assign,
        "plans": [v.plan for v in selectors.commission_plans(actor=actor) if v.plan.is_active]
        if may_assign
        else [],
    }
    return SafeString(
        render_to_string("sales/partials/staff_commission.html", context, request=request)
    )
