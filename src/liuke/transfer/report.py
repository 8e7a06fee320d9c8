"""The bad rows of a batch as an .xlsx to correct and import again: the file's own columns,
then the row number in the file and what is wrong (column: reason)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from liuke.core.spreadsheet import safe_cell
from liuke.transfer.models import ImportBatch, ImportIssue


def issues_workbook(batch: ImportBatch) -> Any:
    """A write-only workbook (rows streamed from the database, memory flat)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Rows to correct"))
    sheet.append([safe_cell(h) for h in batch.headers] + [_("Row in the file"), _("Problems")])
    width = len(batch.headers)
    issues = ImportIssue.objects.filter(batch=batch).order_by("row_no")
    for issue in issues.iterator(chunk_size=2000):
        cells = (list(issue.cells) + [None] * width)[:width]
        problems = "; ".join(
            f"{column}: {reason}" if column else reason for column, reason in issue.problems
        )
        sheet.append([safe_cell(c) for c in cells] + [issue.row_no, problems])
    return book
