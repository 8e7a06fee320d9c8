"""The feedback app's Chinese catalogue is complete, and its pages speak Chinese."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from tests.factories import customer_make
from tests.feedback.helpers import survey_link

from liuke.accounts.models import Branch, User

PO = Path(__file__).resolve().parents[2] / "src/liuke/feedback/locale/zh_Hans/LC_MESSAGES/django.po"


def _entries() -> list[tuple[str, str, str]]:
    out = []
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        found = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, re.M)
        assert found, block
        msgid = "".join(re.findall(r'"(.*)"', found.group(1)))
        msgstr = "".join(re.findall(r'"(.*)"', found.group(2)))
        out.append((block, msgid, msgstr))
    return out


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    entries = _entries()
    assert len(entries) > 150
    assert [m for _b, m, s in entries if not s] == []
    assert [m for b, m, _s in entries if "#, fuzzy" in b] == []
    # placeholders survive translation
    for _b, msgid, msgstr in entries:
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgid)) == sorted(
            re.findall(r"%\(\w+\)[sd]", msgstr)
        ), msgid


def test_the_catalogue_covers_every_string_of_the_app(tmp_path: Path) -> None:
    """xgettext over the app's Python and templates finds no msgid the catalogue lacks."""
    app = PO.parents[3]
    known = {m for _b, m, _s in _entries()}
    pot = tmp_path / "app.pot"
    sources = [str(p) for p in app.rglob("*.py") if "migrations" not in p.parts]
    subprocess.run(
        ["xgettext", "-L", "Python", "--from-code=UTF-8", "-k_", "-kgettext_lazy",
         "-kgettext", "-o", str(pot), *sources],
        check=True,
    )  # fmt: skip
    found = set(re.findall(r'^msgid "(.+)"$', pot.read_text(encoding="utf-8"), re.M))
    templates = " ".join(p.read_text(encoding="utf-8") for p in app.rglob("*.html"))
    found |= set(re.findall(r'{% translate "([^"]+)"', templates))
    found |= set(re.findall(r"{% translate '([^']+)'", templates))
    assert len(found) > 100
    assert sorted(found - known) == []


@pytest.mark.django_db
def test_the_public_survey_speaks_chinese(owner: User, branch_a: Branch) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, name="林小雨", gender="F", marketing_consent=True
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = client.get(f"/f/s/{survey_link(customer)}/").content.decode()
    assert "林女士，您好！" in text
    assert "您对这次服务满意吗" in text
    assert "How satisfied" not in text
