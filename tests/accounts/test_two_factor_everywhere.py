"""A session that has not entered its second factor authenticates nothing, and a credential that
is offered and fails is a refusal (never a fall back to the session): walked over EVERY API
operation (from the OpenAPI schema) and every page, in the access matrix's world."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.accounts.test_access_matrix import (
    BODIES,
    FORMS,
    OPERATIONS,
    PAGES,
    ROUTES,
    World,
    _body,
    _fill,
    _fingerprint,
    world,
)

from liuke.accounts.models import User
from liuke.accounts.services import api_token_create

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the access matrix's world, used as a fixture here

JUNK = {"Authorization": "Bearer x"}
BASIC = {"Authorization": "Basic b3duZXI6eA=="}
#: What a half-logged-in session may reach: the code page itself, logging out, the health
#: check, the language switch, and the customers' public pages (no login at all).
UNVERIFIED_PAGES = {"web:login_verify", "web:logout", "web:healthz", "set_language"}


def _second_factor_on(user: User) -> TOTPDevice:
    user.two_factor_enabled = True
    user.save(update_fields=["two_factor_enabled"])
    return TOTPDevice.objects.create(user=user, name="Liuke", confirmed=True)


def _half_logged_in(user: User) -> Client:
    """Password done, code pending (the login view's first step logs the user in)."""
    client = Client()
    client.force_login(user)
    return client


def _fully_logged_in(user: User, device: TOTPDevice) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # what django_otp.login() stores
    session.save()
    return client


def _api(client: Client, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    return client.generic(
        method, url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def test_no_api_operation_answers_a_pending_session_or_a_failed_bearer(
    world: World, owner: User
) -> None:
    device = _second_factor_on(owner)
    walks: list[tuple[str, Client, dict[str, str]]] = [
        ("pending session", _half_logged_in(owner), {}),
        ("pending session + junk bearer", _half_logged_in(owner), JUNK),
        ("verified session + junk bearer", _fully_logged_in(owner, device), JUNK),
        ("verified session + other scheme", _fully_logged_in(owner, device), BASIC),
        (
            "verified session + empty header",
            _fully_logged_in(owner, device),
            {"Authorization": ""},
        ),
    ]
    failures = []
    assert len(OPERATIONS) > 30
    for label, client, headers in walks:
        for method, path in OPERATIONS:
            url = _fill(path, world.ids)
            body = _body(BODIES.get(f"{method} {path}", {}), world.ids)
            before = _fingerprint()
            response = _api(client, method, url, body, headers)
            if response.status_code != 401:
                failures.append(f"{label}: {method} {path} answered {response.status_code}")
            elif response.json().get("code") not in ("two_factor_required", "invalid_token"):
                failures.append(f"{label}: {method} {path} {response.json()}")
            if _fingerprint() != before:
                failures.append(f"{label}: {method} {path} changed the database")
    assert not failures, "\n".join(failures)


def test_the_walk_can_pass_a_request_a_verified_session_and_a_valid_token(
    world: World, owner: User
) -> None:
    """Positive controls: the same session with its code entered, or a valid personal token
    (also beside a half-logged-in session), reaches the API; so the 401s above are refusals."""
    device = _second_factor_on(owner)
    _token, secret = api_token_create(actor=owner, name="books")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert _fully_logged_in(owner, device).get("/api/v1/me").status_code == 200
    assert _half_logged_in(owner).get("/api/v1/me", headers=bearer).status_code == 200
    assert Client().get("/api/v1/me", headers=bearer).status_code == 200
    refused = _half_logged_in(owner).get("/api/v1/me")
    assert (refused.status_code, refused.json()["code"]) == (401, "two_factor_required")
    junk = Client().get("/api/v1/me", headers=JUNK)
    assert (junk.status_code, junk.json()["code"]) == (401, "invalid_token")


def test_no_page_answers_a_pending_session(world: World, owner: User) -> None:
    _second_factor_on(owner)
    failures = []
    gated = [
        (path, name)
        for path, name in PAGES
        if ROUTES[name] != "public" and name not in UNVERIFIED_PAGES
    ]
    assert len(gated) > 40
    for headers in ({}, JUNK):
        client = _half_logged_in(owner)
        for path, name in gated:
            url = _fill(path, world.ids)
            for method in ("GET", "POST"):
                before = _fingerprint()
                if method == "GET":
                    response = client.get(url, headers=headers)
                else:
                    response = client.post(
                        url, _body(FORMS.get(name), world.ids) or {}, headers=headers
                    )
                location = response.get("Location", "")
                if response.status_code != 302 or not location.startswith("/login/verify/"):
                    failures.append(f"{method} {name}: {response.status_code} {location}")
                if _fingerprint() != before:
                    failures.append(f"{method} {name}: changed the database")
    assert not failures, "\n".join(failures)
