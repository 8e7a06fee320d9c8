"""A visit's receipt page, laid out for a thermal printer and printed from the browser."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from liuke.accounts.http import StaffRequest, staff_view
from liuke.core.errors import PermissionDenied
from liuke.sales.capabilities import SalesCap
from liuke.sales.receipts import WIDTHS, receipt_get


@staff_view(cap=SalesCap.SALES_VIEW)
def visit_receipt(request: StaffRequest, visit_id: int) -> HttpResponse:
    """`?width=58|80`: the paper width in mm (80 unless 58 is asked for). Amounts follow the
    viewer's access to money, as on the visit page."""
    try:
        receipt = receipt_get(actor=request.user, visit_id=visit_id)
    except PermissionDenied:  # another branch's visit is "not found" here, as on the visit page
        raise Http404 from None
    asked = request.GET.get("width", "")
    width = int(asked) if asked.isdigit() and int(asked) in WIDTHS else WIDTHS[0]
    return render(
        request,
        "sales/receipt.html",
        {
            "receipt": receipt,
            "visit": receipt.visit,
            "width": width,
            "widths": WIDTHS,
            "stylesheet": f"liuke/receipt-{width}.css",
        },
    )
