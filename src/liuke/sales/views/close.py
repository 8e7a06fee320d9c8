"""The daily close: on the page and as a spreadsheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch
from liuke.core.errors import PermissionDenied
from liuke.core.money import format_yuan, yuan_decimal
from liuke.core.spreadsheet import safe_cell as _cell
from liuke.core.spreadsheet import xlsx_response
from liuke.sales import selectors
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    PaymentMethod,
    PaymentPurpose,
    RefundReason,
)
from liuke.sales.commission_selectors import CommissionDay
from liuke.sales.views.common import (
    staff_branches,
)


def _close_params(request: StaffRequest) -> tuple[list[Branch], Branch, dt.date]:
    branches = staff_branches(request.user)
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
    day = close.commissions or CommissionDay()
    commissions: Rows = [(name, v) for _pk, name, v in day.by_staff]
    commissions.append((_("Commissions in all"), day.total_fen))
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
        (_("Commissions by staff"), commissions),
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
