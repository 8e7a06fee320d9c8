"""Answers with personal data are not kept by any cache: every page and API operation answered
to a logged-in staff member (walked over the access matrix's world, as the owner), every API
answer, and the customers' public pages carry `Cache-Control: no-store`; static files do not."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from tests.accounts.test_access_matrix import (
    BODIES,
    OPERATIONS,
    PAGES,
    ROUTES,
    World,
    _body,
    _fill,
    world,
)
from tests.factories import customer_make
from tests.feedback.helpers import survey_link

from liuke.accounts.models import Branch, User
from liuke.accounts.services import api_token_create
from liuke.feedback import links
from liuke.feedback.services import box_ensure

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the access matrix's world, used as a fixture here


def _no_store(response: object) -> bool:
    value = str(getattr(response, "headers", {}).get("Cache-Control", ""))
    parts = {part.strip() for part in value.split(",")}
    return {"no-store", "private"} <= parts


def test_every_page_and_operation_answered_to_staff_is_not_stored(
    world: World, owner_client: Client
) -> None:
    failures = []
    pages = [(path, name) for path, name in PAGES if ROUTES[name] != "public"]
    assert len(pages) > 40
    for path, name in pages:
        if name == "web:logout":
            continue  # would end the session for the rest of the walk; checked below
        response = owner_client.get(_fill(path, world.ids))
        if not _no_store(response):
            failures.append(f"GET {name}: {response.status_code} {response.get('Cache-Control')}")
    for method, path in OPERATIONS:
        if method != "GET":
            continue  # reads only: writes would change the world for the next ones
        url = _fill(path, world.ids)
        body = _body(BODIES.get(f"{method} {path}", {}), world.ids)
        response = owner_client.generic(method, url, json.dumps(body or {}))
        if not _no_store(response):
            failures.append(f"{method} {path}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_writes_errors_and_token_answers_are_not_stored_either(
    world: World, owner: User, client_for: Callable[[User], Client]
) -> None:
    _token, secret = api_token_create(actor=owner, name="books")
    bearer = Client().get("/api/v1/customers", headers={"Authorization": f"Bearer {secret}"})
    assert (bearer.status_code, _no_store(bearer)) == (200, True)
    anonymous_api = Client().get("/api/v1/customers")
    assert (anonymous_api.status_code, _no_store(anonymous_api)) == (401, True)
    client = client_for(owner)
    write = client.post(
        "/api/v1/customers",
        json.dumps({"name": "赵敏", "branch_id": world.shop.customer.branch_id}),
        content_type="application/json",
    )
    assert (write.status_code, _no_store(write)) == (201, True)
    missing = client.get("/customers/999999/")
    assert (missing.status_code, _no_store(missing)) == (404, True)


def test_public_pages_showing_what_a_customer_typed_are_not_stored(
    owner: User, branch_a: Branch
) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, name="林小雨", mobile="13911112222", marketing_consent=True
    )
    survey = Client().get(f"/f/s/{survey_link(customer)}/")
    box = box_ensure(actor=owner, branch_id=branch_a.pk)
    suggestion = Client().get(links.box_path(box.token))
    assert (survey.status_code, _no_store(survey)) == (200, True)
    assert (suggestion.status_code, _no_store(suggestion)) == (200, True)


def test_anonymous_answers_without_personal_data_are_left_alone(client: Client) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200
    assert "Cache-Control" not in health.headers
