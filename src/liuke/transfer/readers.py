"""Spreadsheet files read row by row, refused with a clear message when they are not safe.

`open_table(path, name=…)` checks the file (size, what it really is, an .xlsx's unpacked size,
encryption) and returns a `Table`: the header row and an iterator over the data rows, each with
its row number as the spreadsheet shows it. Nothing is read whole: CSV is decoded as it streams,
an .xlsx is read by openpyxl's read-only reader (docs/transfer.md says why not calamine), so
memory stays flat at any number of rows. Formula cells give their cached values (the file as
the spreadsheet last showed it); nothing is ever evaluated.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from liuke.core.errors import ServiceError
from liuke.transfer.errors import TransferErrorCode

#: Limits, each overridable in settings (LIUKE_IMPORT_…).
MAX_BYTES = 256 * 1024 * 1024
MAX_COLUMNS = 500
#: A spreadsheet cell holds at most 32,767 characters (Excel's own limit).
MAX_CELL = 32_767
#: An .xlsx may unpack to this much in all, and no part more than this many times its packed size.
MAX_UNPACKED = 3 * 1024 * 1024 * 1024
MAX_RATIO = 200

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCODINGS = ("utf-8", "gb18030")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, f"LIUKE_IMPORT_{name}", default))


def refuse(code: TransferErrorCode, message: str) -> ServiceError:
    return ServiceError(code, message)


@dataclass
class Table:
    """A file's header row and its data rows: (row number as the spreadsheet shows it, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    format: str  # "xlsx" | "csv"
    encoding: str = ""
    delimiter: str = ""
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_table(path: Path | str, *, name: str, encoding: str = "") -> Table:
    """The file at `path` (uploaded as `name`) as a `Table`; a `ServiceError` with a code of
    `TransferErrorCode` when it cannot be read safely. `encoding` ("utf-8", "gb18030") chooses
    a CSV's encoding instead of detecting it."""
    path = Path(path)
    size = path.stat().st_size
    if size > _limit("MAX_BYTES", MAX_BYTES):
        raise refuse(
            TransferErrorCode.FILE_TOO_LARGE,
            _("The file is %(mb)d MB: imports take files up to %(max)d MB.")
            % {"mb": size // 2**20, "max": _limit("MAX_BYTES", MAX_BYTES) // 2**20},
        )
    with path.open("rb") as probe:
        head = probe.read(8)
    suffix = Path(name).suffix.lower()
    if head.startswith(_OLE_MAGIC):
        raise refuse(TransferErrorCode.FILE_NOT_READABLE, _ole_message(path))
    if suffix in (".xlsx", ".xlsm"):
        if not head.startswith(_ZIP_MAGIC):
            raise refuse(
                TransferErrorCode.FILE_NOT_READABLE,
                _("The file is named .xlsx but is not an Excel workbook."),
            )
        return _open_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv", ""):
        if head.startswith(_ZIP_MAGIC):
            raise refuse(
                TransferErrorCode.FILE_NOT_READABLE,
                _("The file is named .csv but is a packed file (perhaps an .xlsx): rename it."),
            )
        return _open_csv(path, encoding=encoding)
    raise refuse(
        TransferErrorCode.FILE_NOT_READABLE,
        _("Imports read .xlsx and .csv files (UTF-8 or GBK, comma or tab separated)."),
    )


def _ole_message(path: Path) -> str:
    """An OLE2 compound file is either an old .xls or an encrypted .xlsx (Office wraps a
    password-protected workbook in one, with an `EncryptedPackage` stream)."""
    with path.open("rb") as f:
        sample = f.read(1024 * 1024)
    if "EncryptedPackage".encode("utf-16-le") in sample or b"EncryptionInfo" in sample:
        return _("The workbook is protected by a password: save a copy without it and import that.")
    return _("This is an old Excel file (.xls): save it as .xlsx (Excel workbook) and import that.")


# --- xlsx ---------------------------------------------------------------------------------------


def _check_zip(path: Path) -> None:
    """Refuse a zip bomb before any part is unpacked: the parts' declared sizes, in all and
    each against its packed size (the reader then never unpacks past what a part declares)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise refuse(
            TransferErrorCode.FILE_NOT_READABLE, _("The workbook is damaged: it cannot be opened.")
        ) from None
    total = sum(i.file_size for i in infos)
    ratio = _limit("MAX_RATIO", MAX_RATIO)
    if total > _limit("MAX_UNPACKED", MAX_UNPACKED) or any(
        i.file_size > 1024 * 1024 and i.file_size > ratio * max(i.compress_size, 1) for i in infos
    ):
        raise refuse(
            TransferErrorCode.ZIP_BOMB,
            _("The workbook unpacks to far more than its size: it is refused as unsafe."),
        )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise refuse(
            TransferErrorCode.FILE_NOT_READABLE,
            _("The file is named .xlsx but is not an Excel workbook."),
        )


def _open_xlsx(path: Path) -> Table:
    import openpyxl

    _check_zip(path)
    stack = ExitStack()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise refuse(
            TransferErrorCode.FILE_NOT_READABLE, _("The workbook is damaged: it cannot be opened.")
        ) from None
    stack.callback(book.close)
    sheet = book.worksheets[0]
    # The declared dimension is not trusted: a sheet that claims 16,384 columns is padded to
    # them row by row, so each row is cut at the limit and refused past it.
    sheet.reset_dimensions()
    return _table(_xlsx_rows(sheet.iter_rows(values_only=True)), fmt="xlsx", stack=stack)


def _xlsx_rows(raw: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """openpyxl's rows; whatever it raises on a damaged sheet becomes a refusal of the file."""
    try:
        yield from raw
    except ServiceError:
        raise
    except Exception:
        raise refuse(
            TransferErrorCode.FILE_NOT_READABLE,
            _("The workbook is damaged: a sheet cannot be read."),
        ) from None


# --- csv ----------------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without its BOM) when the sample decodes as UTF-8, else GB18030 (GBK's
    superset, what Excel in Chinese saves a CSV as). The sample may end inside a character."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_csv(path: Path, *, encoding: str) -> Table:
    with path.open("rb") as f:
        sample = f.read(64 * 1024)
    if b"\x00" in sample:
        raise refuse(
            TransferErrorCode.FILE_NOT_READABLE,
            _("The file is not a text file (CSV): save the spreadsheet as .xlsx or CSV."),
        )
    chosen = encoding or detect_encoding(sample)
    if chosen == "utf-8" and sample.startswith(codecs.BOM_UTF8):
        chosen = "utf-8-sig"
    if chosen not in (*ENCODINGS, "utf-8-sig", "gbk"):
        raise refuse(TransferErrorCode.FILE_NOT_READABLE, _("Choose UTF-8 or GBK."))
    stack = ExitStack()
    binary = stack.enter_context(path.open("rb"))
    text = io.TextIOWrapper(binary, encoding=chosen, errors="strict", newline="")
    stack.callback(text.detach)
    first = sample.decode(chosen, errors="ignore").splitlines()[:1]
    delimiter = _delimiter(first[0] if first else "")
    reader = csv.reader(text, delimiter=delimiter)
    table = _table(_csv_rows(reader, chosen), fmt="csv", stack=stack)
    table.encoding = "utf-8" if chosen == "utf-8-sig" else chosen
    table.delimiter = delimiter
    return table


def _csv_rows(reader: Any, encoding: str) -> Iterator[tuple[Any, ...]]:
    # The csv module's own limit (128 KiB by default) stops a runaway field before it is held;
    # the cell check in `_table` words the refusal.
    old = csv.field_size_limit(MAX_CELL * 4 + 1)
    try:
        yield from (tuple(row) for row in reader)
    except csv.Error:
        raise refuse(
            TransferErrorCode.CELL_TOO_LONG,
            _("A cell holds more than %(max)d characters: no spreadsheet cell may.")
            % {"max": MAX_CELL},
        ) from None
    except UnicodeDecodeError:
        raise refuse(
            TransferErrorCode.FILE_NOT_READABLE,
            _("The file is not in the %(encoding)s encoding: choose the other one.")
            % {"encoding": encoding.upper().replace("-SIG", "")},
        ) from None
    finally:
        csv.field_size_limit(old)


# --- shared -------------------------------------------------------------------------------------


def _checked(cells: tuple[Any, ...], number: int, max_columns: int) -> list[Any]:
    row = list(cells)
    while row and row[-1] in (None, ""):
        row.pop()
    if len(row) > max_columns:
        raise refuse(
            TransferErrorCode.FILE_TOO_WIDE,
            _("Row %(row)d has more than %(max)d columns: imports read at most %(max)d.")
            % {"row": number, "max": max_columns},
        )
    for value in row:
        if isinstance(value, str) and len(value) > MAX_CELL:
            raise refuse(
                TransferErrorCode.CELL_TOO_LONG,
                _("Row %(row)d has a cell of more than %(max)d characters: no cell may.")
                % {"row": number, "max": MAX_CELL},
            )
    return row


def _table(raw: Iterator[tuple[Any, ...]], *, fmt: str, stack: ExitStack) -> Table:
    """The first non-blank row is the header; the rows after it are data, blank ones skipped."""
    max_columns = _limit("MAX_COLUMNS", MAX_COLUMNS)
    numbered = enumerate(_capped(raw, max_columns), start=1)
    try:
        for number, cells in numbered:
            header = _checked(cells, number, max_columns)
            if header:
                break
        else:
            raise refuse(TransferErrorCode.FILE_EMPTY, _("The file is empty: no header row."))
    except BaseException:
        stack.close()
        raise
    headers = [str(h).strip() if h is not None else "" for h in header]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for n, cells in numbered:
            row = _checked(cells, n, max_columns)
            if any(v not in (None, "") for v in row):
                yield n, row

    return Table(headers=headers, rows=rows(), format=fmt, _stack=stack)


def _capped(raw: Iterator[tuple[Any, ...]], max_columns: int) -> Iterator[tuple[Any, ...]]:
    """Rows cut just past the column limit, so a row of 100,000 cells is never held whole by
    the checks (openpyxl still builds it; its reader holds one row at a time)."""
    for cells in raw:
        yield tuple(cells[: max_columns + 1]) if len(cells) > max_columns else cells
