"""Spreadsheet exports: every text cell neutralised against formula injection."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from typing import Any

from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: What starts a formula, at the start of a cell or of any piece a spreadsheet may split a cell
#: into: a CSV opened where the list separator is `;` (most of Europe) or `|`, or pasted as tab-
#: separated text, turns `ok;=HYPERLINK(...)` into a second cell that runs.
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_AFTER_SEPARATOR = re.compile(r"([,;|\t\r\n][ \"']*)([=+\-@])")


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet cell. Text that a spreadsheet would run as a formula (starting
    with = + - @, or a tab or CR before one, at the cell's start or after any separator a
    spreadsheet may split on) gets a single quote before it and stays text; aware datetimes
    become naive local times (spreadsheets have no time zones); lists and dicts become their
    text."""
    if isinstance(value, str):
        value = _AFTER_SEPARATOR.sub(r"\1'\2", value)
        return "'" + value if value[:1] in _TRIGGERS else value
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
