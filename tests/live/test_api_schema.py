"""Schemathesis over the whole OpenAPI schema, against the real server (gunicorn, DEBUG off).

Authenticated as the owner of the fuzzing tenant (别家美容, see conftest.py), every operation
gets positive and negative generated data with every built-in check: no server error, every
response conforms to its documented schema, no undocumented status code, auth enforced.
Then hostile text by hand: a lone surrogate, a NUL character and 10,000 characters in every
string field of create and update give a 4xx in the one error shape and save nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, is_check_class, load_all_checks
from tests.live.conftest import LiveServer

from liuke.api import api

pytestmark = pytest.mark.live

#: Every string field of the customer payloads (create and update share them).
STRING_FIELDS = (
    "name", "mobile", "wechat_id", "card_no", "allergies", "contraindications", "preferences",
    "notes",
)  # fmt: skip
#: Strings inside other JSON types: a tag, and the enum-typed fields.
OTHER_TEXT_FIELDS = ("gender", "source", "skin_type", "hair_type")
HOSTILE = {
    # Raw JSON text, so the lone surrogate reaches the server as the escape it is.
    "lone surrogate": '"ab\\ud800cd"',
    "NUL": '"ab\\u0000cd"',
    "10,000 characters": json.dumps("长" * 10_000),
}


def login(base_url: str, username: str, password: str) -> dict[str, str]:
    """Log in through the login page; the session and CSRF cookies an API client sends."""
    with requests.Session() as session:
        page = session.get(f"{base_url}/login/", timeout=30)
        assert page.status_code == 200
        token = session.cookies["csrftoken"]
        answer = session.post(
            f"{base_url}/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base_url}/login/"},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 302, answer.text[:500]
        sessionid, csrftoken = session.cookies["sessionid"], session.cookies["csrftoken"]
        assert sessionid is not None
        assert csrftoken is not None
        return {"sessionid": sessionid, "csrftoken": csrftoken}


#: The fuzzing owner's session, filled in by the `api_session` fixture before any case is sent.
SESSION: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_session(liuke_server: LiveServer) -> dict[str, str]:
    SESSION.update(login(liuke_server.url, *liuke_server.fuzz_owner))
    return SESSION


@pytest.fixture
def fuzz_branches_open(liuke_server: LiveServer, api_session: dict[str, str]) -> None:
    """The fuzzing may have closed the tenant's branches (closing a branch is one of the
    operations): open them again, so that the hand-written cases can place customers there."""
    for index in (0, 1):
        reopened = requests.post(
            f"{liuke_server.url}/api/v1/branches/{liuke_server.fuzz_branch(index)}/reopen",
            cookies=api_session,
            headers={"X-CSRFToken": api_session["csrftoken"]},
            timeout=30,
        )
        assert reopened.status_code == 200, reopened.text


# The operations are generated at collection time, before the server runs, so the schema is
# the app's own (the same code serves /api/v1/openapi.json; the first test below checks that the
# running server serves exactly this one). schemathesis.pytest.from_fixture would fetch it from
# the server instead, but its lazy loader breaks on pytest 9 (it sets `Function._nodeid`).
OPENAPI = api.get_openapi_schema()
schema = schemathesis.openapi.from_dict(
    OPENAPI,
    config=schemathesis.Config.from_dict(
        {
            # A schema-valid payload may still break a business rule: a mobile number that is
            # not a valid mainland one, a branch that is not yours, a card number taken. Those
            # are 400 with a stable code, documented; a 422 would mean the schema and the
            # server disagree, and that still fails.
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
                }
            }
        }
    ),
)


@schema.auth(refresh_interval=None)
class StaffSession:
    """The `sessionid` cookie the schema declares (StaffSessionAuth), from a real login.

    Schemathesis builds its coverage-phase cases at collection time, before the server runs:
    then there is no session yet (None: nothing set), and the test applies it when it runs.
    Cases that leave the session out on purpose keep it out: they must get a 401.
    """

    def get(self, case: schemathesis.Case[Any], ctx: schemathesis.AuthContext) -> str | None:
        return SESSION.get("sessionid")

    def set(self, case: schemathesis.Case[Any], data: str, ctx: schemathesis.AuthContext) -> None:
        case.cookies = {**(case.cookies or {}), "sessionid": data}


def all_checks() -> list[Any]:
    load_all_checks()
    return [check for check in CHECKS.get_all() if not is_check_class(check)]


def test_server_serves_this_schema(liuke_server: LiveServer) -> None:
    served = requests.get(f"{liuke_server.url}/api/v1/openapi.json", timeout=30)
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(OPENAPI))
    assert len(OPENAPI["paths"]) >= 8


@settings(
    max_examples=40,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)  # fmt: skip
@schema.parametrize()
def test_api_conforms_to_its_schema(
    case: schemathesis.Case[Any], liuke_server: LiveServer, api_session: dict[str, str]
) -> None:
    if not case.operation.schema.is_security_param_negated(case):
        case.operation.schema.auth.set(case, schemathesis.AuthContext(case.operation, app=None))
    # Unsafe methods need the CSRF token (header and cookie) besides the session cookie.
    case.call_and_validate(
        base_url=liuke_server.url,
        headers={"X-CSRFToken": api_session["csrftoken"]},
        cookies={"csrftoken": api_session["csrftoken"]},
        checks=all_checks(),
        timeout=30,
    )


def _send(
    case: schemathesis.Case[Any], live: LiveServer, session: dict[str, str], status: int
) -> Any:
    """Send a hand-written case with the session; every check runs on the answer."""
    case.operation.schema.auth.set(case, schemathesis.AuthContext(case.operation, app=None))
    response = case.call_and_validate(
        base_url=live.url,
        headers={"X-CSRFToken": session["csrftoken"]},
        cookies={"csrftoken": session["csrftoken"]},
        checks=all_checks(),
        timeout=30,
    )
    assert response.status_code == status, response.text
    return response.json()


@pytest.mark.usefixtures("fuzz_branches_open")
def test_the_happy_paths_conform_too(liuke_server: LiveServer, api_session: dict[str, str]) -> None:
    """Random data seldom passes the business rules (a real mobile number, one of your
    branches, a free card number), so the success answers get explicit cases as well."""
    branch = liuke_server.fuzz_branch(1)
    full: dict[str, Any] = {
        "name": "欧阳娜娜", "gender": "F", "birthday": "1995-06-01", "mobile": "+86 139-0000-9001",
        "wechat_id": "nana_ouyang", "card_no": "vip 9001", "branch_id": branch, "owner_id": None,
        "is_key_account": True, "source": "referral", "referrer_id": None,
        "tags": ["VIP", "敏感肌"], "skin_type": "sensitive", "hair_type": "fine",
        "allergies": "对酒精过敏", "contraindications": "", "preferences": "喜欢玫瑰精油",
        "notes": "第一次到店\n朋友介绍", "marketing_consent": True, "photo_consent": False,
    }  # fmt: skip
    create = schema["/api/v1/customers"]["POST"]
    created = _send(create.Case(body=full, media_type="application/json"), liuke_server,
                    api_session, 201)  # fmt: skip
    assert (created["mobile"], created["card_no"]) == ("13900009001", "VIP9001")
    assert created["name_initials"] == "oynn"
    twin = _send(
        create.Case(body={"name": "欧阳娜娜", "branch_id": branch, "mobile": "13900009001",
                          "card_no": "TWIN9001"},
                    media_type="application/json"),
        liuke_server, api_session, 201,
    )  # fmt: skip

    one = {"customer_id": created["id"]}
    patch = schema["/api/v1/customers/{customer_id}"]["PATCH"]
    changed = _send(
        patch.Case(path_parameters=one, media_type="application/json",
                   body={"mobile": "13900009002", "tags": ["VIP"], "photo_consent": True}),
        liuke_server, api_session, 200,
    )  # fmt: skip
    assert changed["tags"] == ["VIP"]
    assert changed["photo_consent_at"]
    refused = _send(
        patch.Case(path_parameters=one, media_type="application/json",
                   body={"card_no": "twin 9001", "birthday": "2099-01-01"}),  # the twin's card
        liuke_server, api_session, 400,
    )  # fmt: skip
    assert set(refused["fields"]) == {"card_no", "birthday"}

    for path, method, extra in [
        ("/api/v1/customers/{customer_id}", "GET", {}),
        ("/api/v1/customers/{customer_id}/history", "GET", {}),
        ("/api/v1/customers/{customer_id}/confirm", "POST", {"body": {"groups": ["contact"]}}),
        ("/api/v1/customers/{customer_id}/merge", "POST", {"body": {"duplicate_id": twin["id"]}}),
    ]:
        operation = schema[path][method]
        case = (
            operation.Case(path_parameters=one, body=extra["body"], media_type="application/json")
            if "body" in extra
            else operation.Case(path_parameters=one)
        )
        _send(case, liuke_server, api_session, 200)
    listing = schema["/api/v1/customers"]["GET"]
    found = _send(listing.Case(query={"q": "oynn"}), liuke_server, api_session, 200)
    assert [c["id"] for c in found["items"]] == [created["id"]]  # the twin is merged away


# --- hostile text ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(liuke_server: LiveServer, api_session: dict[str, str]) -> requests.Session:
    """The API as a plain client sends it: Cookie and X-CSRFToken headers on every call."""
    session = requests.Session()
    session.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in api_session.items())
    session.headers["X-CSRFToken"] = api_session["csrftoken"]
    session.headers["Content-Type"] = "application/json"
    return session


def _raw_body(fields: dict[str, str]) -> bytes:
    """A JSON object whose values are raw JSON texts (so escapes go out exactly as written)."""
    return ("{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}").encode()


def _assert_error_shape(response: requests.Response, what: str) -> None:
    assert 400 <= response.status_code < 500, (
        f"{what}: {response.status_code} {response.text[:300]}"
    )
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, f"{what}: {body}"
    assert isinstance(body["code"], str)
    assert body["code"]
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["fields"], dict)


def _hostile_cases() -> list[tuple[str, str, str]]:
    fields = [*STRING_FIELDS, *OTHER_TEXT_FIELDS, "tags"]
    return [(f, label, raw) for f in fields for label, raw in HOSTILE.items()]


def _value(field: str, raw: str) -> str:
    return f"[{raw}]" if field == "tags" else raw


@pytest.mark.usefixtures("fuzz_branches_open")
def test_hostile_text_on_create_is_refused(
    liuke_server: LiveServer, client: requests.Session
) -> None:
    url = f"{liuke_server.url}/api/v1/customers"
    branch = liuke_server.fuzz_branch(0)
    before = _count_all(client, liuke_server)
    failures = []
    for field, label, raw in _hostile_cases():
        fields = {"name": '"敌意测试"', "branch_id": str(branch)}
        fields[field] = _value(field, raw)
        response = client.post(url, data=_raw_body(fields), timeout=30)
        try:
            _assert_error_shape(response, f"POST {field} = {label}")
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)
    assert _count_all(client, liuke_server) == before, "a refused create saved a customer"


@pytest.mark.usefixtures("fuzz_branches_open")
def test_hostile_text_on_update_is_refused_and_saves_nothing(
    liuke_server: LiveServer, client: requests.Session
) -> None:
    created = client.post(
        f"{liuke_server.url}/api/v1/customers",
        json={
            "name": "敌意测试", "branch_id": liuke_server.fuzz_branch(0),
            "mobile": "13911112222", "notes": "原来的备注", "tags": ["老客"], "card_no": "HX001",
        },
        timeout=30,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    customer = created.json()
    url = f"{liuke_server.url}/api/v1/customers/{customer['id']}"
    history_before = client.get(f"{url}/history", timeout=30).json()
    failures = []
    for field, label, raw in _hostile_cases():
        # A valid change beside the hostile one: a half-saved PATCH would keep it.
        fields = {"preferences": '"新的偏好"', field: _value(field, raw)}
        response = client.patch(url, data=_raw_body(fields), timeout=30)
        try:
            _assert_error_shape(response, f"PATCH {field} = {label}")
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)
    after = client.get(url, timeout=30).json()
    assert after == customer, "a refused PATCH changed the customer"
    assert client.get(f"{url}/history", timeout=30).json() == history_before


def test_hostile_text_in_search_is_harmless(
    liuke_server: LiveServer, client: requests.Session
) -> None:
    """The search box of the API takes text too; odd text finds nothing or is refused."""
    for query in ("\x00", "ab\x00", "\ud7ff", "\uffff", "\U0010ffff", "%", "_", "zs'--", "长" * 60):
        response = client.get(
            f"{liuke_server.url}/api/v1/customers", params={"q": query}, timeout=30
        )
        assert response.status_code in (200, 422), (query, response.status_code, response.text)
        if response.status_code == 422:
            _assert_error_shape(response, f"q={query!r}")
        # The pages' search box (live results) and the list take the same text.
        for page in ("/customers/search/", "/customers/"):
            answer = client.get(f"{liuke_server.url}{page}", params={"q": query}, timeout=30)
            assert answer.status_code == 200, (page, query, answer.status_code)


def _count_all(client: requests.Session, live: LiveServer) -> int:
    total, page = 0, 1
    while True:
        answer = client.get(f"{live.url}/api/v1/customers", params={"page": page}, timeout=30)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        total += len(body["items"])
        if not body["has_next"]:
            return total
        page += 1
