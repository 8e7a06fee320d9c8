"""Per-user API tokens: shown once, stored hashed, revocable, scoped like their owner."""

from __future__ import annotations

from typing import Any

from django.test import Client
from tests.factories import customer_make

from liuke.accounts.models import ApiToken, User
from liuke.accounts.services import api_token_create, api_token_revoke

API = "/api/v1/customers"


def _bearer(secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_reads_what_its_owner_may_read(front_a: User, front_b: User) -> None:
    mine = customer_make(actor=front_a, name="李娜")
    theirs = customer_make(actor=front_b, name="王芳")
    token, secret = api_token_create(actor=front_a, name="bookkeeping")
    client = Client()
    assert client.get(f"{API}/{mine.pk}", **_bearer(secret)).status_code == 200
    # Out of scope: the same 404 as for a customer that does not exist.
    assert client.get(f"{API}/{theirs.pk}", **_bearer(secret)).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).token_hash != secret
    assert secret not in ApiToken.objects.get(pk=token.pk).token_hash


def test_a_token_writes_without_csrf(front_a: User, branch_a: object) -> None:
    _token, secret = api_token_create(actor=front_a, name="import")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        API,
        {"name": "赵敏", "branch_id": branch_a.pk},  # type: ignore[attr-defined]
        content_type="application/json",
        **_bearer(secret),
    )
    assert response.status_code == 201, response.content


def test_revoked_or_unknown_tokens_are_refused(front_a: User) -> None:
    token, secret = api_token_create(actor=front_a, name="old")
    client = Client()
    assert client.get(API, **_bearer(secret)).status_code == 200
    api_token_revoke(actor=front_a, token_id=token.pk)
    assert client.get(API, **_bearer(secret)).status_code == 401
    assert client.get(API, **_bearer("lk_" + "x" * 43)).status_code == 401
    body = client.get(API, **_bearer("lk_" + "x" * 43)).json()
    assert body["code"] == "invalid_token"  # not the generic "log in first"


def test_a_disabled_staff_members_token_stops_working(front_a: User) -> None:
    _token, secret = api_token_create(actor=front_a, name="x")
    User.objects.filter(pk=front_a.pk).update(is_active=False)
    assert Client().get(API, **_bearer(secret)).status_code == 401


def test_token_page_shows_the_secret_once_and_revokes(
    front_a: User, front_a_client: Client, front_b: User
) -> None:
    response = front_a_client.post("/account/tokens/", {"name": "excel"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=front_a)
    page = response.content.decode()
    assert 'id="new-token"' in page
    assert front_a_client.get("/account/tokens/").content.decode().count('id="new-token"') == 0
    # Another front desk cannot revoke it; its owner can.
    other = Client()
    other.force_login(front_b)
    assert other.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert front_a_client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_token_calls_do_not_create_sessions(front_a: User) -> None:
    from django.contrib.sessions.models import Session

    _token, secret = api_token_create(actor=front_a, name="integration")
    before = Session.objects.count()
    for _ in range(3):
        assert Client().get(API, **_bearer(secret)).status_code == 200
    assert Session.objects.count() == before
