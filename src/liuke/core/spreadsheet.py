"""Spreadsheet exports: every text cell neutralised against formula injection."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet cell. Text that a spreadsheet would run as a formula (starting
    with = + - @, or a tab or CR before one) gets a leading single quote and stays text; aware
    datetimes become naive local times (spreadsheets have no time zones); lists and dicts become
    their text."""
    if isinstance(value, str):
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, list | dict | tuple):
        return safe_cell(str(value))
    return value


def xlsx_response(book: Any, filename: str) -> HttpResponse:
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
