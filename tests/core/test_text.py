from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from liuke.core.text import clean_text


def test_text_is_stripped_and_inner_whitespace_collapsed() -> None:
    assert clean_text("  张  三 \t", max_length=50, field="name") == "张 三"


def test_multiline_text_keeps_its_lines() -> None:
    assert (
        clean_text(" 花粉\r\n青霉素 ", max_length=50, field="x", multiline=True) == "花粉\n青霉素"
    )


def test_text_is_nfc_normalised() -> None:
    # given "é" written as e + combining acute accent (NFD)
    decomposed = "Cafe\u0301"
    # when it is cleaned
    result = clean_text(decomposed, max_length=50, field="x")
    # then it is stored composed (NFC), so search and uniqueness see one spelling
    assert result == "Caf\u00e9"
    assert unicodedata.is_normalized("NFC", result)


def test_none_becomes_empty() -> None:
    assert clean_text(None, max_length=5, field="x") == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "hostile",
    [
        "abc\x00def",  # NUL: PostgreSQL cannot store it
        "abc\ud800def",  # a lone surrogate: not encodable as UTF-8
        "abc\x07def",  # BEL, a control character
        "abc\x1bdef",  # ESC
    ],
)
def test_hostile_characters_are_refused(hostile: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean_text(hostile, max_length=50, field="x", multiline=True)
    assert info.value.code == "invalid_text"


def test_too_long_text_is_refused_with_the_numbers() -> None:
    with pytest.raises(ValidationError) as info:
        clean_text("长" * 51, max_length=50, field="Name")
    assert info.value.code == "too_long"
    message = info.value.messages[0]
    assert "50" in message
    assert "51" in message


def test_text_at_the_limit_is_accepted() -> None:
    assert clean_text("长" * 50, max_length=50, field="Name") == "长" * 50


def test_non_text_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        clean_text(123, max_length=50, field="x")  # type: ignore[arg-type]
    assert info.value.code == "invalid_text"
