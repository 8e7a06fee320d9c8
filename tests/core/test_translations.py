"""Every string in a Simplified Chinese catalogue reads in Chinese: a catalogue's empty entry is
fine only when another catalogue translates it (Django merges them), and no entry is left fuzzy
(a fuzzy entry is not compiled, so the page would show English)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "liuke"
CATALOGUES = sorted(PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))
#: Texts that are the same in both languages.
SAME = {"RFM", "NPS", "BG/NBD", "Gamma-Gamma", "API", "CSV", "xlsx", "Excel", "QR", "ID", "OK"}


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _text(block: str) -> str:
    raw = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw)


def _entries(path: Path) -> list[tuple[str, str | None, str, str, bool]]:
    """(msgid, msgctxt, msgstr or the first plural form, msgid_plural, fuzzy) per live entry."""
    out = []
    for entry in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in entry.splitlines() if not line.startswith("#~")]
        body = "\n".join(line for line in lines if not line.startswith("#"))
        found = re.search(r'^msgid ((?:".*"\n?)+)', body, re.M)
        if not found:
            continue
        msgid = _text(found.group(1))
        if not msgid:
            continue  # the header
        ctxt = re.search(r'^msgctxt ((?:".*"\n?)+)', body, re.M)
        plural = re.search(r'^msgid_plural ((?:".*"\n?)+)', body, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', body, re.M)
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        out.append(
            (
                msgid,
                _text(ctxt.group(1)) if ctxt else None,
                _text(msgstr.group(1)) if msgstr else "",
                _text(plural.group(1)) if plural else "",
                fuzzy,
            )
        )
    return out


def test_there_are_catalogues() -> None:
    assert len(CATALOGUES) >= 5
    assert all(_entries(path) for path in CATALOGUES)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_entry_reads_in_chinese(path: Path) -> None:
    missing = []
    with translation.override("zh-hans"):
        for msgid, ctxt, msgstr, plural, fuzzy in _entries(path):
            if fuzzy:
                missing.append(f"fuzzy: {msgid!r}")
                continue
            if msgstr or msgid in SAME:
                continue
            if plural:
                shown = translation.ngettext(msgid, plural, 1)
            elif ctxt is not None:
                shown = translation.pgettext(ctxt, msgid)
            else:
                shown = translation.gettext(msgid)
            if shown == msgid:
                missing.append(f"untranslated: {msgid!r}")
    assert not missing, "\n".join(missing)


def test_one_english_text_has_one_chinese_text() -> None:
    """Django merges the catalogues and one of them wins for each text, so two catalogues that
    translate the same English differently show one of them on the other's pages ("New" as 新值
    on a suggestion). Where one English word means two things, the code says which with a
    context (pgettext); otherwise every catalogue agrees."""
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for path in CATALOGUES:
        for msgid, ctxt, msgstr, _plural, _fuzzy in _entries(path):
            if msgstr:
                seen.setdefault((ctxt, msgid), {})[str(path.relative_to(PACKAGE))] = msgstr
    differ = [
        f"{msgid!r} ({ctxt}): {found}"
        for (ctxt, msgid), found in seen.items()
        if len(set(found.values())) > 1
    ]
    assert not differ, "\n".join(differ)


def test_one_english_word_reads_as_the_chinese_word_of_its_screen() -> None:
    from liuke.customers.choices import Source
    from liuke.engagement.choices import Channel
    from liuke.feedback.choices import SuggestionStatus

    with translation.override("zh-hans"):
        assert str(SuggestionStatus.NEW.label) == "未处理"
        assert translation.pgettext("field value", "New") == "新值"
        assert str(Channel.WALK_IN.label) == "到店"
        assert str(Source.WALK_IN.label) == "到店自然客"
        assert translation.pgettext("date filter", "Until") == "截至"
        assert translation.pgettext("valid until", "Until") == "有效至"
        assert translation.pgettext("catalogue code", "Code") == "编号"
