"""The API answers its one error shape also when a request is malformed at the edge or the
server breaks: every operation of the OpenAPI schema with a body too large (413) and, where it
takes JSON, with a wrong or missing Content-Type (415); a bug (500), an unknown path (404), a
method the path does not take (405). The database failures are in `test_outage.py`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings
from tests.core.openapi_walk import SCHEMA, url

from liuke.core.errors import CoreErrorCode

pytestmark = pytest.mark.django_db

OPERATIONS = sorted(
    (method.upper(), path) for path, ops in SCHEMA["paths"].items() for method in ops
)
JSON_BODY_OPERATIONS = sorted(
    (method.upper(), path)
    for path, ops in SCHEMA["paths"].items()
    for method, op in ops.items()
    if "application/json" in op.get("requestBody", {}).get("content", {})
)


def assert_shape(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = json.loads(response.content)
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert "Traceback" not in body["message"]
    return body


def test_the_walks_cover_the_api() -> None:
    assert len(OPERATIONS) > 90
    assert len(JSON_BODY_OPERATIONS) > 40


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_refuses_a_body_too_large(
    owner_client: Client, method: str, path: str
) -> None:
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
        body = json.dumps({"note": "x" * 2000})
        response = owner_client.generic(method, url(path), body, content_type="application/json")
    assert_shape(response, 413, CoreErrorCode.BODY_TOO_LARGE)


def test_a_20_mb_body_is_refused_before_anyone_reads_it(client: Client) -> None:
    body = b'{"name": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/customers", body, content_type="application/json")
    assert_shape(response, 413, CoreErrorCode.BODY_TOO_LARGE)


@pytest.mark.parametrize(("method", "path"), JSON_BODY_OPERATIONS)
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"]
)
def test_every_json_operation_refuses_another_content_type(
    owner_client: Client, method: str, path: str, content_type: str
) -> None:
    response = owner_client.generic(method, url(path), b"{}", content_type=content_type)
    assert_shape(response, 415, CoreErrorCode.UNSUPPORTED_MEDIA_TYPE)


def test_json_with_a_charset_is_json(owner_client: Client) -> None:
    response = owner_client.post(
        "/api/v1/customers", b"{}", content_type="application/json; charset=utf-8"
    )
    assert_shape(response, 422, CoreErrorCode.VALIDATION_ERROR)


def test_a_bug_answers_500_in_the_error_shape(
    owner_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("a bug with a secret detail")

    monkeypatch.setattr("liuke.accounts.api.branch_choices", broken)
    owner_client.raise_request_exception = False
    response = owner_client.get("/api/v1/branches")
    body = assert_shape(response, 500, CoreErrorCode.SERVER_ERROR)
    assert "secret detail" not in response.content.decode()
    assert body["fields"] == {}


def test_an_unknown_path_answers_404_in_the_error_shape(owner_client: Client) -> None:
    assert_shape(owner_client.get("/api/v1/no-such-thing"), 404, CoreErrorCode.NOT_FOUND)
    assert_shape(owner_client.get("/api/nothing-here"), 404, CoreErrorCode.NOT_FOUND)


def test_a_method_the_path_does_not_take_answers_405_in_the_error_shape(
    owner_client: Client,
) -> None:
    response = owner_client.put("/api/v1/me", b"{}", content_type="application/json")
    assert_shape(response, 405, CoreErrorCode.METHOD_NOT_ALLOWED)
    assert "GET" in response["Allow"]


def test_the_schema_documents_the_failures() -> None:
    for method, path in OPERATIONS:
        responses = {str(status) for status in SCHEMA["paths"][path][method.lower()]["responses"]}
        assert {"413", "500", "503"} <= responses, (method, path)
    for method, path in JSON_BODY_OPERATIONS:
        responses = {str(status) for status in SCHEMA["paths"][path][method.lower()]["responses"]}
        assert "415" in responses, (method, path)
