"""The API's bodies are strict: for every integer and boolean property of every request body in
the OpenAPI schema (nested objects and lists of objects included), a value of the wrong kind —
a string, a boolean where a number belongs, a number where a boolean does — is refused with 422
in the error shape, naming that property; pydantic alone would read `"1"` and `true` as the id
1, and `0` as false. Days still arrive as ISO text.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.core.openapi_walk import json_bodies, leaves, messages_at, send_at

from liuke.accounts.models import Branch
from liuke.core.errors import CoreErrorCode

pytestmark = pytest.mark.django_db

#: The wrong kinds sent for each JSON type.
WRONG: dict[str, list[Any]] = {
    "integer": ["1", True, False, "true"],
    "boolean": [0, 1, "true", "on", "1", ""],
}


def _kind(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    return kind if kind in WRONG else None


CASES = [
    (method, path, ".".join(str(p) for p in where), wrong)
    for method, path, body in json_bodies()
    for where, kind in dict.fromkeys((tuple(w), k) for w, k in leaves(body, _kind))
    for wrong in WRONG[kind]
]


def test_the_walk_covers_the_bodies() -> None:
    where = {(method, url, field) for method, url, field, _wrong in CASES}
    assert len(where) > 60
    assert ("POST", "/api/v1/customers", "is_key_account") in where
    assert ("POST", "/api/v1/checkout/quote", "lines.0.service_id") in where


@pytest.mark.parametrize(("method", "url", "field", "wrong"), CASES)
def test_a_value_of_the_wrong_kind_is_refused(
    owner_client: Client, method: str, url: str, field: str, wrong: Any
) -> None:
    response = send_at(owner_client, method, url, field, wrong)
    assert response.status_code == 422, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == CoreErrorCode.VALIDATION_ERROR
    assert messages_at(response, field), body


@pytest.mark.parametrize("day", ["2024-01-31", "2030-02-28"])
def test_a_day_still_arrives_as_iso_text(owner_client: Client, day: str) -> None:
    response = owner_client.post(
        "/api/v1/customers", {"birthday": day}, content_type="application/json"
    )
    assert response.status_code == 422
    assert not any(loc.endswith("birthday") for loc in response.json()["fields"])


def test_an_integral_json_number_is_an_integer(owner_client: Client, branch_a: Branch) -> None:
    # JSON Schema counts 2.0 as an integer; a fraction is none
    body = b'{"name": "\\u5f20\\u4e09", "branch_id": %d.0}' % branch_a.pk
    created = owner_client.post("/api/v1/customers", body, content_type="application/json")
    assert created.status_code == 201, created.content
    fraction = b'{"name": "x", "branch_id": %d.5}' % branch_a.pk
    refused = owner_client.post("/api/v1/customers", fraction, content_type="application/json")
    assert refused.status_code == 422
    assert messages_at(refused, "branch_id")
