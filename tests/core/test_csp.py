"""The Content-Security-Policy: sent on every page, and no template relies on inline script
(which the policy forbids), so the policy can stay strict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import liuke

TEMPLATES = sorted(Path(liuke.__file__).parent.rglob("templates/**/*.html"))


@pytest.mark.django_db
def test_pages_send_a_strict_policy(owner_client: Client, client: Client) -> None:
    for response in (owner_client.get("/customers/"), client.get("/login/")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


def test_templates_exist_to_check() -> None:
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_inline_script_or_handler(template: Path) -> None:
    html = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert "javascript:" not in html
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
