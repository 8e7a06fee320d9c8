"""Optional two-factor login (TOTP): set up with an app, then every login asks for a code."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from liuke.accounts.models import User
from liuke.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "Liuke-test-2026!"


def _code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def _with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


def _enable(client: Client, user: User) -> TOTPDevice:
    page = client.get("/account/two-factor/").content.decode()
    assert 'id="totp-secret"' in page
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/account/two-factor/", {"action": "enable", "code": _code(device)})
    assert response.status_code == 302
    return device


def test_owner_turns_it_on_and_the_next_login_needs_a_code(owner: User) -> None:
    _with_password(owner)
    client = Client()
    client.post("/login/", {"username": "owner", "password": PASSWORD})
    device = _enable(client, owner)
    owner.refresh_from_db()
    assert owner.two_factor_enabled
    assert AuditEvent.objects.filter(action="2fa_on", actor_id=owner.pk).exists()
    # a new login: the password alone reaches nothing
    fresh = Client()
    response = fresh.post("/login/", {"username": "owner", "password": PASSWORD})
    assert response.status_code == 302
    response = fresh.get("/customers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/verify/")
    api = fresh.get("/api/v1/customers")
    assert (api.status_code, api.json()["code"]) == (401, "two_factor_required")
    # a wrong code is refused, the right one lets them in
    page = fresh.post("/login/verify/", {"code": "000000", "next": "/customers/"})
    assert page.status_code == 200
    assert fresh.get("/customers/").status_code == 302
    time.sleep(1.1)  # django-otp throttles the next try after a failure (1 s, then doubling)
    device.refresh_from_db()
    response = fresh.post("/login/verify/", {"code": _code(device, 30), "next": "/customers/"})
    assert (response.status_code, response["Location"]) == (302, "/customers/")
    assert fresh.get("/customers/").status_code == 200
    assert fresh.get("/api/v1/customers").status_code == 200


def test_a_wrong_code_does_not_turn_it_on(owner_client: Client, owner: User) -> None:
    owner_client.get("/account/two-factor/")
    response = owner_client.post("/account/two-factor/", {"action": "enable", "code": "123"})
    assert response.status_code == 200
    owner.refresh_from_db()
    assert not owner.two_factor_enabled
    assert not TOTPDevice.objects.filter(user=owner, confirmed=True).exists()


def test_turning_it_off_needs_a_current_code(owner: User) -> None:
    _with_password(owner)
    client = Client()
    client.post("/login/", {"username": "owner", "password": PASSWORD})
    device = _enable(client, owner)
    client.post("/account/two-factor/", {"action": "disable", "code": "999999"})
    owner.refresh_from_db()
    assert owner.two_factor_enabled
    time.sleep(1.1)  # the throttle after the wrong code
    device.refresh_from_db()
    client.post("/account/two-factor/", {"action": "disable", "code": _code(device, 30)})
    owner.refresh_from_db()
    assert not owner.two_factor_enabled
    assert not TOTPDevice.objects.filter(user=owner).exists()


def test_bearer_tokens_are_not_blocked(owner: User, owner_client: Client) -> None:
    from liuke.accounts.services import api_token_create

    owner.two_factor_enabled = True
    owner.save()
    _token, secret = api_token_create(actor=owner, name="bookkeeping")
    response = Client().get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert json.loads(response.content)["items"] == []


def test_the_verify_page_does_not_redirect_off_site(owner: User) -> None:
    _with_password(owner)
    client = Client()
    client.post("/login/", {"username": "owner", "password": PASSWORD})
    device = _enable(client, owner)
    fresh = Client()
    fresh.post("/login/", {"username": "owner", "password": PASSWORD})
    device.refresh_from_db()
    response = fresh.post(
        "/login/verify/", {"code": _code(device, 30), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
