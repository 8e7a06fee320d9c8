"""docs/security.md shows the role table exactly as `accounts.policy` defines it."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from liuke.accounts.policy import capability_table_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_the_published_table_is_the_policy() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("-->", text.index("<!-- capability table")) + 3
    end = text.index("<!-- end of capability table -->")
    with translation.override("en"):
        expected = capability_table_markdown()
    assert text[start:end].strip() == expected, "regenerate the table in docs/security.md"
