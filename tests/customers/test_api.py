"""The customer API (/api/v1/customers): behaviour, bad input, hostile text, CSRF, query count.

Bad input answers 4xx with a stable `code` in the one error shape, and saves nothing at all."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.factories import customer_make, visit_make

from liuke.accounts.models import Branch, User
from liuke.customers.models import Customer, CustomerMerge, FieldChange, Tag

API = "/api/v1/customers"
TEXT_FIELDS = (
    "name",
    "mobile",
    "wechat_id",
    "card_no",
    "allergies",
    "contraindications",
    "preferences",
    "notes",
)


def post(client: Client, path: str, body: Any) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=raw, content_type="application/json")


def patch(client: Client, path: str, body: Any) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.patch(path, data=raw, content_type="application/json")


def snapshot() -> tuple[int, int, int, list[tuple[Any, ...]]]:
    """Everything a half-saved write could leave behind."""
    return (
        Customer.objects.count(),
        FieldChange.objects.count(),
        Tag.objects.count(),
        list(
            Customer.objects.order_by("pk").values_list(
                "pk", "name", "mobile", "card_no", "birthday", "notes", "updated_at"
            )
        ),
    )


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    if field is not None:
        # schema errors are located as "payload.<field>", service errors as "<field>"
        assert field in {key.split(".")[-1] for key in body["fields"]}, body


# --- behaviour ----------------------------------------------------------------------------------


def test_create_returns_201_with_the_normalised_profile(
    front_a_client: Client, branch_a: Branch, front_a: User
) -> None:
    response = post(
        front_a_client,
        API,
        {
            "name": " 张三 ",
            "branch_id": branch_a.pk,
            "mobile": "+86 138 1234 5678",
            "birthday": "1990-05-17",
            "card_no": "vip-9",
            "tags": ["VIP", "敏感肌"],
            "owner_id": front_a.pk,
            "marketing_consent": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "张三"
    assert body["mobile"] == "13812345678"
    assert body["card_no"] == "VIP-9"
    assert body["name_pinyin"] == "zhangsan"
    assert body["name_initials"] == "zs"
    assert body["tags"] == ["VIP", "敏感肌"]
    assert body["branch"] == "静安店"
    assert body["stale"] is False
    assert body["marketing_consent_at"] is not None
    assert Customer.objects.get(pk=body["id"]).owner_id == front_a.pk


def test_detail_patch_and_history(front_a_client: Client, front_a: User) -> None:
    customer = customer_make(actor=front_a, name="张三", mobile="13812345678")
    response = patch(front_a_client, f"{API}/{customer.pk}", {"mobile": "139 0000 1111"})
    assert response.status_code == 200, response.content
    assert response.json()["mobile"] == "13900001111"
    assert front_a_client.get(f"{API}/{customer.pk}").json()["mobile"] == "13900001111"
    history = front_a_client.get(f"{API}/{customer.pk}/history").json()
    assert history[0]["field"] == "mobile"
    assert history[0]["old_value"] == "13812345678"
    assert history[0]["new_value"] == "13900001111"
    assert history[0]["changed_by"] == "小陈"
    assert history[-1]["kind"] == "create"


def test_patch_with_nothing_changes_nothing(front_a_client: Client, front_a: User) -> None:
    customer = customer_make(actor=front_a)
    before = snapshot()
    response = patch(front_a_client, f"{API}/{customer.pk}", {})
    assert response.status_code == 200
    assert snapshot() == before


def test_list_search_and_paging(front_a_client: Client, front_a: User) -> None:
    for i in range(27):
        customer_make(actor=front_a, name=f"客人{i}")
    customer_make(actor=front_a, name="张三")
    first = front_a_client.get(API).json()
    second = front_a_client.get(API, {"page": 2}).json()
    assert len(first["items"]) == 25
    assert first["has_next"] is True
    assert len(second["items"]) == 3
    assert second["has_next"] is False
    assert [c["name"] for c in front_a_client.get(API, {"q": "zs"}).json()["items"]] == ["张三"]


def test_list_refuses_bad_filters(front_a_client: Client) -> None:
    assert_error(front_a_client.get(API, {"sort": "password"}), 422, "validation_error")
    assert_error(front_a_client.get(API, {"page": 0}), 422, "validation_error")
    assert_error(front_a_client.get(API, {"q": "张" * 51}), 422, "validation_error")


def test_confirm(front_a_client: Client, front_a: User) -> None:
    customer = customer_make(actor=front_a)
    response = post(front_a_client, f"{API}/{customer.pk}/confirm", {"groups": ["contact"]})
    assert response.status_code == 200
    assert FieldChange.objects.filter(customer=customer, kind="confirm", field="contact").exists()
    assert_error(
        post(front_a_client, f"{API}/{customer.pk}/confirm", {"groups": ["shoe_size"]}),
        422,
        "validation_error",
    )


def test_merge_by_a_manager(manager_a_client: Client, front_a: User) -> None:
    survivor = customer_make(actor=front_a, name="王芳", mobile="13812345678")
    duplicate = customer_make(actor=front_a, name="王芳", mobile="13812345678")
    visit_make(customer=duplicate)
    groups = manager_a_client.get(f"{API}/duplicates").json()
    assert [[c["id"] for c in g] for g in groups] == [[survivor.pk, duplicate.pk]]

    response = post(manager_a_client, f"{API}/{survivor.pk}/merge", {"duplicate_id": duplicate.pk})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "survivor_id": survivor.pk,
        "merged_id": duplicate.pk,
        "moved": {"sales.Visit": 1, "customers.FieldChange": 1},
    }
    assert manager_a_client.get(f"{API}/{duplicate.pk}").status_code == 404
    assert manager_a_client.get(f"{API}/duplicates").json() == []


def test_merge_by_front_desk_is_forbidden(front_a_client: Client, front_a: User) -> None:
    survivor = customer_make(actor=front_a, name="王芳")
    duplicate = customer_make(actor=front_a, name="王芳")
    response = post(front_a_client, f"{API}/{survivor.pk}/merge", {"duplicate_id": duplicate.pk})
    assert_error(response, 403, "permission_denied")
    assert not CustomerMerge.objects.exists()


def test_merge_into_itself_is_refused(manager_a_client: Client, front_a: User) -> None:
    customer = customer_make(actor=front_a)
    response = post(manager_a_client, f"{API}/{customer.pk}/merge", {"duplicate_id": customer.pk})
    assert_error(response, 400, "merge_same")


def test_openapi_schema_is_published(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/customers" in schema["paths"]
    assert "/api/v1/customers/{customer_id}" in schema["paths"]


# --- bad input: 4xx, a stable code, nothing saved -----------------------------------------------


@pytest.fixture
def existing(front_a: User) -> Customer:
    return customer_make(
        actor=front_a, name="张三", mobile="13812345678", card_no="A1001", notes="原来的备注"
    )


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"mobile": "021 6234 5678"}, 400, "invalid_phone", "mobile"),
        ({"mobile": "12345"}, 400, "invalid_phone", "mobile"),
        ({"birthday": "2099-01-01"}, 400, "birthday_in_future", "birthday"),
        ({"birthday": "2999-01-01"}, 400, "date_out_of_range", "birthday"),  # past 2100
        ({"birthday": "1990-02-30"}, 422, "validation_error", None),
        ({"name": "张" * 51}, 422, "validation_error", "name"),
        ({"name": "   "}, 400, "required", "name"),
        ({"card_no": "A1001"}, 400, "duplicate_card", "card_no"),
        ({"card_no": "a1001"}, 400, "duplicate_card", "card_no"),  # the same card, lower case
        ({"gender": "X"}, 422, "validation_error", None),
        ({"referrer_id": 987654321}, 400, "invalid_referrer", "referrer_id"),
        ({"owner_id": 987654321}, 400, "invalid_owner", "owner_id"),
        ({"is_key_account": "maybe"}, 422, "validation_error", None),
    ],
)
def test_create_with_bad_input_is_refused_and_saves_nothing(
    front_a_client: Client,
    branch_a: Branch,
    existing: Customer,
    change: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    # given a valid payload (with tags, which would be written after the customer) spoilt by one
    # bad value
    body = {"name": "李四", "branch_id": branch_a.pk, "tags": ["新标签"], **change}
    before = snapshot()
    # when it is posted
    response = post(front_a_client, API, body)
    # then the answer names the problem and nothing at all was written
    assert_error(response, status, code, field)
    assert snapshot() == before
    assert not Tag.objects.filter(name="新标签").exists()


def test_create_reports_every_bad_field_at_once(
    front_a_client: Client, branch_a: Branch, existing: Customer
) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = post(
        front_a_client,
        API,
        {
            "name": "李四",
            "branch_id": branch_a.pk,
            "mobile": "12345",
            "birthday": tomorrow,
            "card_no": "A1001",
        },
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"mobile", "birthday", "card_no"}


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"mobile": "021 6234 5678"}, 400, "invalid_phone", "mobile"),
        ({"birthday": "2099-01-01"}, 400, "birthday_in_future", "birthday"),
        ({"birthday": "2999-01-01"}, 400, "date_out_of_range", "birthday"),  # past 2100
        ({"name": "张" * 51}, 422, "validation_error", "name"),
        ({"name": None}, 400, "required", "name"),
        ({"card_no": "a1001"}, 400, "duplicate_card", "card_no"),
    ],
)
def test_patch_with_bad_input_is_refused_and_changes_nothing(
    front_a_client: Client,
    front_a: User,
    existing: Customer,
    change: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    other = customer_make(actor=front_a, name="李四", card_no="B2002")
    before = snapshot()
    # a good change next to the bad one must not be saved either
    response = patch(front_a_client, f"{API}/{other.pk}", {"notes": "新备注", **change})
    assert_error(response, status, code, field)
    assert snapshot() == before


def test_patch_unknown_id_is_404(front_a_client: Client) -> None:
    assert_error(patch(front_a_client, f"{API}/987654321", {"name": "x"}), 404, "not_found")


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "99999999999999999999999"])
def test_malformed_ids_are_4xx(front_a_client: Client, bad_id: str) -> None:
    response = front_a_client.get(f"{API}/{bad_id}")
    assert 400 <= response.status_code < 500


# --- hostile text -------------------------------------------------------------------------------

#: Raw JSON fragments: "\ud800" is a lone surrogate, "\u0000" a NUL, once escaped.
HOSTILE = {
    "lone_surrogate": '"abc\\ud800def"',
    "nul": '"abc\\u0000def"',
    "long": json.dumps("长" * 10_000),
    "long_ascii": json.dumps("a" * 10_000),
    "control": '"abc\\u001bdef"',
}


def _raw_body(fields: dict[str, str]) -> str:
    return "{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}"


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("field", [*TEXT_FIELDS, "tags"])
def test_hostile_text_on_create_is_4xx_never_500(
    front_a_client: Client, branch_a: Branch, existing: Customer, field: str, kind: str
) -> None:
    value = HOSTILE[kind]
    fields = {"name": '"李四"', "branch_id": str(branch_a.pk)}
    fields[field] = f"[{value}]" if field == "tags" else value
    before = snapshot()
    response = post(front_a_client, API, _raw_body(fields))
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response.json()["code"]
    assert snapshot() == before


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("field", [*TEXT_FIELDS, "tags"])
def test_hostile_text_on_patch_is_4xx_never_500(
    front_a_client: Client, existing: Customer, field: str, kind: str
) -> None:
    value = HOSTILE[kind]
    body = _raw_body({field: f"[{value}]" if field == "tags" else value})
    before = snapshot()
    response = patch(front_a_client, f"{API}/{existing.pk}", body)
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response.json()["code"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "\xff\xfe", "branch_id": 1}',  # not UTF-8
        b'{"name": ',  # truncated JSON
        b"[]",
        b'"just a string"',
        b'{"name": "a", "branch_id": 99999999999999999999999999}',
        b'{"name": "a", "branch_id": "1; DROP TABLE"}',
    ],
)
def test_malformed_bodies_are_4xx(front_a_client: Client, existing: Customer, raw: bytes) -> None:
    before = snapshot()
    response = front_a_client.post(API, data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content[:300]
    assert snapshot() == before


#: status → (items, error code): a search finds nothing, or refuses the text
OUTCOMES: dict[int, tuple[list[Any] | None, str | None]] = {
    200: ([], None),
    422: (None, "validation_error"),
}


def _outcome(response: Any) -> tuple[Any, Any]:
    body = response.json()
    return body.get("items"), body.get("code")


#: kind → what a search for it answers: found nothing (200), or refused (422) where the text is
#: one the archive could never hold (too long, a NUL).
HOSTILE_SEARCH = {"control": 200, "lone_surrogate": 200, "long": 422, "long_ascii": 422, "nul": 422}


@pytest.mark.parametrize(("kind", "status"), sorted(HOSTILE_SEARCH.items()))
def test_hostile_search_queries_are_4xx_or_empty(
    front_a_client: Client, existing: Customer, kind: str, status: int
) -> None:
    # percent-encoded by hand: a lone surrogate becomes bytes that are not valid UTF-8
    query = quote(json.loads(HOSTILE[kind]), errors="surrogatepass")
    response = front_a_client.get(f"{API}?q={query}")
    assert response.status_code == status
    assert _outcome(response) == OUTCOMES[status]


@pytest.mark.parametrize("name", ["q", "tag", "source"])
@pytest.mark.parametrize(
    ("value", "status"),
    [("%00", 422), ("a%00b", 422), ("%ED%A0%80", 200)],  # NUL refused; bad UTF-8 finds nothing
)
def test_hostile_text_filters_are_4xx_or_empty(
    front_a_client: Client, existing: Customer, name: str, value: str, status: int
) -> None:
    response = front_a_client.get(f"{API}?{name}={value}")
    assert response.status_code == status
    assert _outcome(response) == OUTCOMES[status]


# --- CSRF ---------------------------------------------------------------------------------------


def test_session_writes_need_the_csrf_token(front_a: User, branch_a: Branch) -> None:
    # given a browser session that enforces CSRF like a real one
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_a)
    body = json.dumps({"name": "李四", "branch_id": branch_a.pk})

    # when a write arrives without the token, it is refused
    refused = client.post(API, data=body, content_type="application/json")
    assert refused.status_code == 403
    assert not Customer.objects.exists()

    # when it carries the token from the cookie in X-CSRFToken, it is accepted
    client.get("/customers/")  # any page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        API, data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content
    assert Customer.objects.filter(name="李四").exists()


# --- query count --------------------------------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def many(front_a: User) -> Callable[[int], None]:
    def make(n: int) -> None:
        for i in range(n):
            customer_make(
                actor=front_a,
                name=f"客人{i}",
                mobile=f"138{i:08d}",
                tags=["VIP"],
                owner_id=front_a.pk,
            )

    return make


def test_api_list_query_count_does_not_grow_with_the_page(
    front_a_client: Client,
    many: Callable[[int], None],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    many(2)
    front_a_client.get(API)  # warm-up: the first request starts the session clocks (a write)
    small = _queries(front_a_client, API)
    many(30)
    # 6 to read, 5 to append one audit event (savepoint, head lock, event, subjects, head).
    with django_assert_max_num_queries(11):
        response = front_a_client.get(API)
    assert len(response.json()["items"]) == 25
    assert _queries(front_a_client, API) == small


def test_api_detail_query_count_is_bounded(
    front_a_client: Client,
    front_a: User,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    customer = customer_make(actor=front_a, tags=["A", "B", "C", "D"], owner_id=front_a.pk)
    front_a_client.get(API)  # warm-up: the first request starts the session clocks (a write)
    # 8 to read, 5 to append the audit event.
    with django_assert_max_num_queries(13):
        assert front_a_client.get(f"{API}/{customer.pk}").status_code == 200
