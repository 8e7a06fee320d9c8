"""The pages' error answers: a friendly page in the user's language, in the site's layout where
that needs nothing that may have failed; the 500 page without the database or a traceback.
(The 503 pages of a database outage: tests/core/test_outage.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Page not found"), ("zh-hans", "页面不存在")]
)
def test_a_missing_page_is_a_friendly_page_in_the_users_language(
    owner_client: Client, language: str, title: str
) -> None:
    owner_client.cookies["django_language"] = language
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert title in page
    assert 'class="mainnav"' in page  # the site's layout, with the navigation


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Something went wrong"), ("zh-hans", "出错了")]
)
def test_a_bug_on_a_page_is_a_friendly_500_page(
    owner_client: Client, monkeypatch: pytest.MonkeyPatch, language: str, title: str
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("a bug with a secret detail")

    monkeypatch.setattr("liuke.web.views.account_selectors.staff_choices", broken)
    owner_client.raise_request_exception = False
    owner_client.cookies["django_language"] = language
    response = owner_client.get("/branches/")
    assert response.status_code == 500
    page = response.content.decode()
    assert title in page
    assert "secret detail" not in page
    assert "Traceback" not in page


def test_a_form_too_large_is_a_413_page(owner_client: Client) -> None:
    owner_client.cookies["django_language"] = "en"
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
        response = owner_client.post("/customers/new/", {"name": "x" * 4000})
    assert response.status_code == 413
    assert "Too much at once" in response.content.decode()
