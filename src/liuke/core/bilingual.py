"""Texts kept in both of the product's languages (a catalogue entry's name, a template's body):
which one a reader sees."""

from __future__ import annotations

from django.utils.translation import get_language


def bilingual(zh: str, en: str) -> str:
    """The Chinese or English text for the current language (the other when one is empty)."""
    lang = (get_language() or "zh-hans").lower()
    first, second = (en, zh) if lang.startswith("en") else (zh, en)
    return first or second
