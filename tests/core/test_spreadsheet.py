"""Formula injection: a text cell never runs as a formula, whatever separator a spreadsheet
splits it on."""

from __future__ import annotations

import re

import pytest

from liuke.core.spreadsheet import safe_cell

_PIECES = re.compile(r"[,;|\t\r\n]")


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+cmd",
        "-2",
        "@SUM(A1)",
        "\t=1",
        'ok;=HYPERLINK("http://x")',
        "ok,=HYPERLINK(1)",
        "a|@x",
        "a\t+1",
        "a;  =1",
        'a;"=1',
        "line\n=1",
    ],
)
def test_no_piece_of_a_cell_starts_a_formula(text: str) -> None:
    cell = safe_cell(text)
    starts = [piece.lstrip(' "')[:1] for piece in _PIECES.split(cell)]
    assert not [s for s in starts if s in ("=", "+", "-", "@")], cell
    # nothing is lost: only single quotes were put in
    assert cell.replace("'", "") == text.replace("'", "").replace("\t", "\t")


def test_plain_text_and_numbers_are_left_alone() -> None:
    assert safe_cell("王芳 13800000000") == "王芳 13800000000"
    assert safe_cell("a-b, c") == "a-b, c"
    assert safe_cell(12) == 12
