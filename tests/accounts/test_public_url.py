"""The public address customers' links point at: shown to the owner, with a warning while it is
the server's own (a customer's phone cannot open it)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.utils import override_settings

from liuke.core.public_url import is_loopback

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]", True),
        ("http://0.0.0.0:8000", True),
        ("http://127.5.0.1", True),
        ("https://salon.example.com", False),
        ("http://192.168.1.20:8000", False),  # the salon's own network: phones on its Wi-Fi
    ],
)
def test_loopback_addresses(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


@pytest.mark.parametrize("page", ["/account/settings/", "/account/setup/"])
def test_the_owner_sees_the_public_address_and_a_warning_while_it_is_local(
    owner_client: Client, page: str
) -> None:
    with override_settings(LIUKE_PUBLIC_URL="http://127.0.0.1:8000"):
        html = owner_client.get(page).content.decode()
    assert "http://127.0.0.1:8000" in html
    assert 'id="public-url-local"' in html
    with override_settings(LIUKE_PUBLIC_URL="https://salon.example.com"):
        html = owner_client.get(page).content.decode()
    assert "https://salon.example.com" in html
    assert 'id="public-url-local"' not in html
