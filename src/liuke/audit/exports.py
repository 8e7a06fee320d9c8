"""Writing the audit log out as CSV or xlsx, streamed: memory stays flat at any size."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

#: A spreadsheet runs a cell starting with one of these as a formula (a tab or CR before one
#: hides it): such text gets a leading single quote and stays text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() hands the line back (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """UTF-8 CSV with a byte-order mark (so Excel reads the Chinese right), line by line."""
    writer = csv.writer(_Echo())
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
