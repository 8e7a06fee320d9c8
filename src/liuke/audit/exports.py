"""Writing the audit log out as CSV or xlsx, streamed: memory stays flat at any size."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.core.spreadsheet import XLSX_TYPE, safe_cell

if TYPE_CHECKING:
    from liuke.accounts.models import User
    from liuke.audit.models import AuditEvent
    from liuke.audit.selectors import AuditFilters

__all__ = ["XLSX_TYPE", "csv_lines", "export_response", "xlsx_file"]


class _Echo:
    """A file-like object whose write() hands the line back (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """UTF-8 CSV with a byte-order mark (so Excel reads the Chinese right), line by line. Every
    cell is quoted, so a spreadsheet whose list separator is `;` or `|` keeps a cell holding
    one whole (and `safe_cell` neutralises a formula after a separator besides)."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def xlsx_file(rows: Iterable[list[Any]], title: str) -> IO[bytes]:
    """A write-only workbook (rows go to disk as they come) in an anonymous temporary file,
    rewound for reading; it disappears when closed."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    book.save(out)
    out.seek(0)
    return out


def export_response(
    *, actor: User, filters: AuditFilters, event: AuditEvent, file_format: str
) -> FileResponse | StreamingHttpResponse:
    """The filtered log as a download, after `services.audit_export_record` has recorded the
    export (`event`: a customer search's matches are the ones it recorded). For the page and
    the API alike."""
    from liuke.audit import selectors

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"audit-log-{stamp}.{file_format}"
    searched = list(event.customer_ids) if filters.customer_q else None
    rows = selectors.export_rows(actor=actor, filters=filters, searched=searched)
    response: FileResponse | StreamingHttpResponse
    if file_format == "csv":
        response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        response = FileResponse(xlsx_file(rows, title=_("Audit log")), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
