"""A body that is not UTF-8 is refused alike by the pages and the API (`Utf8InputMiddleware`):
Django would decode a form's invalid bytes as U+FFFD and store the customer with that name."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from liuke.accounts.models import Branch
from liuke.core.errors import CoreErrorCode
from liuke.customers.models import Customer

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def test_a_form_with_invalid_utf8_stores_nothing(owner_client: Client, branch_a: Branch) -> None:
    owner_client.cookies["django_language"] = "en"
    body = f"name=%E5%BC%A0%FF%FE&mobile=&branch_id={branch_a.pk}&gender=&source=walk_in"
    response = owner_client.post("/customers/new/", body, content_type=FORM)
    assert response.status_code == 400
    assert "not valid text (UTF-8)" in response.content.decode()
    assert Customer.objects.count() == 0


def test_the_same_form_in_utf8_is_taken(owner_client: Client, branch_a: Branch) -> None:
    body = urlencode({"name": "张三", "branch_id": branch_a.pk, "source": "walk_in"})
    response = owner_client.post("/customers/new/", body, content_type=FORM)
    assert response.status_code == 302
    assert list(Customer.objects.values_list("name", flat=True)) == ["张三"]


def test_the_api_refuses_invalid_utf8_with_the_same_code(
    owner_client: Client, branch_a: Branch
) -> None:
    body = b'{"name": "\xe5\xbc\xa0\xff", "branch_id": %d}' % branch_a.pk
    response = owner_client.post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == CoreErrorCode.INVALID_ENCODING
    assert set(response.json()) == {"code", "message", "fields"}
    assert Customer.objects.count() == 0


BOUNDARY = "liukeBoundary7MA4YWxk"


def _multipart(fields: dict[str, bytes]) -> bytes:
    """A multipart/form-data body of text fields, their bytes as given (a form that carries a
    file is sent this way, its text boxes included)."""
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (BOUNDARY.encode(), name.encode(), value)
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()


def _form_fields(branch: Branch, name: bytes) -> dict[str, bytes]:
    return {"name": name, "branch_id": str(branch.pk).encode(), "source": b"walk_in"}


def test_a_multipart_form_with_invalid_utf8_stores_nothing(
    owner_client: Client, branch_a: Branch
) -> None:
    owner_client.cookies["django_language"] = "en"
    body = _multipart(_form_fields(branch_a, b"\xe5\xbc\xa0\xff\xfe"))
    response = owner_client.post(
        "/customers/new/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 400
    assert "not valid text (UTF-8)" in response.content.decode()
    assert Customer.objects.count() == 0


def test_the_same_multipart_form_in_utf8_is_taken(owner_client: Client, branch_a: Branch) -> None:
    body = _multipart(_form_fields(branch_a, "张三".encode()))
    response = owner_client.post(
        "/customers/new/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 302
    assert list(Customer.objects.values_list("name", flat=True)) == ["张三"]
