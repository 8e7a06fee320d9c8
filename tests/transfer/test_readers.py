"""Files read row by row, and bad files refused with a clear message. Large files are made
here, never committed."""

from __future__ import annotations

import codecs
import random
import string
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import override_settings
from django.utils import translation

from liuke.core.errors import ServiceError
from liuke.transfer.errors import TransferErrorCode
from liuke.transfer.readers import MAX_CELL, detect_encoding, open_table

HEAD = ["姓名", "手机", "生日"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The refusals' words are checked in English."""
    with translation.override("en"):
        yield


ROWS = [["张丽", "13800138000", "1990/5/12"], ["王芳", "+86 139 0013 9000", "1月5日"]]


def _rows(path: Path, name: str, **kw: Any) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    with open_table(path, name=name, **kw) as table:
        return table.headers, list(table.rows)


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _refused(path: Path, name: str, code: TransferErrorCode) -> str:
    with pytest.raises(ServiceError) as caught:
        _rows(path, name)
    assert caught.value.code == code
    return caught.value.message


def test_an_xlsx_is_read_with_its_row_numbers(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "a.xlsx", [HEAD, ROWS[0], [None, None], ROWS[1]])
    headers, rows = _rows(path, "客户.xlsx")
    assert headers == HEAD
    assert rows == [(2, ROWS[0]), (4, ROWS[1])]


@pytest.mark.parametrize(
    ("encoding", "bom", "sep"),
    [("utf-8", b"", ","), ("utf-8", codecs.BOM_UTF8, ","), ("gbk", b"", ","),
     ("gb18030", b"", "\t"), ("utf-8", b"", "\t"), ("utf-8", b"", ";")],
)  # fmt: skip
def test_csv_in_utf8_or_gbk_comma_or_tab(
    tmp_path: Path, encoding: str, bom: bytes, sep: str
) -> None:
    text = "\r\n".join(sep.join(r) for r in [HEAD, *ROWS]) + "\r\n"
    path = tmp_path / "a.csv"
    path.write_bytes(bom + text.encode(encoding))
    headers, rows = _rows(path, "a.csv")
    assert headers == HEAD
    assert [r for _n, r in rows] == ROWS


def test_a_chosen_encoding_is_used_and_a_wrong_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("姓名,手机\n张丽,13800138000\n".encode("gbk"))
    assert _rows(path, "a.csv", encoding="gb18030")[1] == [(2, ["张丽", "13800138000"])]
    with pytest.raises(ServiceError) as caught:
        _rows(path, "a.csv", encoding="utf-8")
    assert caught.value.code == TransferErrorCode.FILE_NOT_READABLE


def test_detecting_utf8_survives_a_character_cut_at_the_sample_end() -> None:
    assert detect_encoding("张丽".encode()[:-1]) == "utf-8"
    assert detect_encoding("张丽".encode("gbk")) == "gb18030"


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n" * 1000)
    with override_settings(LIUKE_IMPORT_MAX_BYTES=1000):
        assert "MB" in _refused(path, "a.csv", TransferErrorCode.FILE_TOO_LARGE)


def test_a_file_that_is_not_what_it_claims_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "a.xlsx"
    text.write_text("姓名,手机\n", "utf-8")
    assert "not an Excel workbook" in _refused(text, "a.xlsx", TransferErrorCode.FILE_NOT_READABLE)
    packed = _xlsx(tmp_path / "b.xlsx", [HEAD])
    assert ".xlsx" in _refused(packed, "b.csv", TransferErrorCode.FILE_NOT_READABLE)
    binary = tmp_path / "c.csv"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    _refused(binary, "c.csv", TransferErrorCode.FILE_NOT_READABLE)
    other = tmp_path / "d.zip"
    other.write_bytes(b"PK\x03\x04")
    _refused(other, "d.pdf", TransferErrorCode.FILE_NOT_READABLE)
    not_a_book = tmp_path / "e.xlsx"
    with zipfile.ZipFile(not_a_book, "w") as z:
        z.writestr("readme.txt", "hello")
    _refused(not_a_book, "e.xlsx", TransferErrorCode.FILE_NOT_READABLE)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    assert "unsafe" in _refused(path, "bomb.xlsx", TransferErrorCode.ZIP_BOMB)


def test_an_encrypted_workbook_and_an_old_xls_are_named_as_such(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    encrypted = tmp_path / "secret.xlsx"
    encrypted.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100)
    assert "password" in _refused(encrypted, "secret.xlsx", TransferErrorCode.FILE_NOT_READABLE)
    old = tmp_path / "old.xls"
    old.write_bytes(ole + b"Workbook" + b"\x00" * 100)
    assert ".xls" in _refused(old, "old.xls", TransferErrorCode.FILE_NOT_READABLE)


def test_100000_columns_are_refused(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n", "utf-8")
    assert "more than 500 columns" in _refused(wide, "wide.csv", TransferErrorCode.FILE_TOO_WIDE)
    book = _xlsx(tmp_path / "wide.xlsx", [[f"c{i}" for i in range(16_384)]])
    _refused(book, "wide.xlsx", TransferErrorCode.FILE_TOO_WIDE)
    # past the format's own 16,384 columns, written by hand: refused, never a crash
    with zipfile.ZipFile(book) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    cells = "".join(f'<c t="inlineStr"><is><t>c{i}</t></is></c>' for i in range(100_000))
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = f'<worksheet xmlns="{ns}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'
    hand = tmp_path / "hand.xlsx"
    with zipfile.ZipFile(hand, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, sheet.encode() if name == "xl/worksheets/sheet1.xml" else data)
    with pytest.raises(ServiceError) as caught:
        _rows(hand, "hand.xlsx")
    assert caught.value.code in (
        TransferErrorCode.FILE_TOO_WIDE,
        TransferErrorCode.FILE_NOT_READABLE,
    )


def test_a_10_mb_cell_is_refused(tmp_path: Path) -> None:
    big = "x" * (10 * 1024 * 1024)
    csv_path = tmp_path / "big.csv"
    csv_path.write_text(f"姓名,备注\n张丽,{big}\n", "utf-8")
    assert str(MAX_CELL) in _refused(csv_path, "big.csv", TransferErrorCode.CELL_TOO_LONG)
    book = tmp_path / "big.xlsx"
    with zipfile.ZipFile(_xlsx(tmp_path / "small.xlsx", [["姓名", "备注"], ["张丽", "x"]])) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    # text that does not pack tightly (a run of one letter would be refused as a zip bomb)
    pasted = "".join(random.Random(1).choices(string.ascii_letters, k=10 * 1024 * 1024))
    sheet = parts["xl/worksheets/sheet1.xml"].replace(b">x<", f">{pasted}<".encode())
    with zipfile.ZipFile(book, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else data)
    _refused(book, "big.xlsx", TransferErrorCode.CELL_TOO_LONG)


def test_formula_cells_are_never_evaluated(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "金额"])
    sheet.append(["张丽", "=1+1"])
    sheet.append(["王芳", '=HYPERLINK("http://example.com","x")'])
    book.save(tmp_path / "f.xlsx")
    _headers, rows = _rows(tmp_path / "f.xlsx", "f.xlsx")
    # openpyxl stores no cached value for a formula it wrote: the cell reads as empty, never 2
    assert [cells for _n, cells in rows] == [["张丽"], ["王芳"]]


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("\n\n", "utf-8")
    _refused(path, "e.csv", TransferErrorCode.FILE_EMPTY)


def test_a_large_file_streams_in_flat_memory(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("姓名,手机,备注\n")
        for i in range(200_000):
            f.write(f"客户{i},138{i:08d},{'备注' * 20}\n")
    tracemalloc.start()
    with open_table(path, name="big.csv") as table:
        count = sum(1 for _row in table.rows)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 200_000
    assert peak < 5 * 1024 * 1024  # the file is ~20 MB
