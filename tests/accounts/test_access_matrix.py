"""The access matrix over EVERY page and API operation.

Each URL pattern and each API operation must be listed with what it touches, by the tests of the
app it belongs to (`tests/<app>/access_rows.py`, collected below); a new one that is not listed
fails `test_every_route_is_in_the_matrix`, so no path to customer data can be added without being
run through these checks:

- out of scope (another branch's front desk, another business's owner): no read and no write of
  a customer, their visits, cards, packages, photos or grants succeeds (4xx, the customer's name
  nowhere in the answer, and not one row of the database changed);
- a key account someone else looks after, without a grant or with an expired one: nothing
  beyond the minimal card (no allergy, no confidential note, no full mobile) on any path;
- positive controls: the owner gets a 2xx (or the view's redirect after a write) on each path
  with the same ids, so the checks above are not passing on broken URLs.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image
from tests.factories import customer_make
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.accounts.services import api_token_create
from liuke.api import api
from liuke.customers import services
from liuke.customers.choices import GrantStatus
from liuke.customers.models import AccessGrant, Customer
from liuke.sales import services as sales_services

pytestmark = pytest.mark.django_db

#: Each app's tests declare its rows in `tests/<app>/access_rows.py`: ROUTES (page URL name →
#: what it touches: "customer" names one customer, or their visit, card, package, photo, grant, by
#: id; "list" may list customers; "none" no customer data; "public" no login), API_KINDS (API
#: path → the same; paths with an id are "customer" unless listed), BODIES and FORMS (bodies
#: that pass validation, so that a refusal comes from the policy, not from a 422), and
#: optionally `world(...)`, the rows of its own the matrix's world needs (ids by placeholder).
ROW_MODULES = [
    importlib.import_module(f"tests.{path.parent.name}.access_rows")
    for path in sorted(Path(__file__).resolve().parents[1].glob("*/access_rows.py"))
]


def _merged(name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for module in ROW_MODULES:
        rows = getattr(module, name, {})
        assert not (set(rows) & set(out)), f"{module.__name__}: {name} listed twice"
        out.update(rows)
    return out


ROUTES: dict[str, str] = _merged("ROUTES")
API_KINDS: dict[str, str] = _merged("API_KINDS")
BODIES: dict[str, dict[str, Any]] = _merged("BODIES")
FORMS: dict[str, dict[str, Any]] = _merged("FORMS")


def _patterns(patterns: list[Any], prefix: str = "", ns: str | None = None) -> Iterator[Any]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("api/"):
                continue  # the API is enumerated from its schema
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), p.namespace or ns)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns else str(p.name)
            yield "/" + prefix + str(p.pattern), name


PAGES = sorted(set(_patterns(get_resolver().url_patterns)))
OPERATIONS = sorted(
    (method.upper(), path)
    for path, ops in api.get_openapi_schema()["paths"].items()
    for method in ops
)


def _api_kind(path: str) -> str:
    if path in API_KINDS:
        return API_KINDS[path]
    return "customer" if "{" in path else "unlisted"


def test_every_route_is_in_the_matrix() -> None:
    unlisted_pages = [name for _path, name in PAGES if name not in ROUTES]
    unlisted_ops = [f"{m} {p}" for m, p in OPERATIONS if _api_kind(p) == "unlisted"]
    assert unlisted_pages == [], "add them to ROUTES in tests/<app>/access_rows.py"
    assert unlisted_ops == [], "add them to API_KINDS in tests/<app>/access_rows.py"
    assert len(PAGES) > 40
    assert len(OPERATIONS) > 30


def test_every_row_names_a_route_that_exists() -> None:
    """The other way round: no app's rows describe a page or operation that is gone, so the
    rows together are exactly the routes (what the apps mount is what they list)."""
    pages = {name for _path, name in PAGES}
    operations = {f"{method} {path}" for method, path in OPERATIONS}
    assert sorted(set(ROUTES) - pages) == []
    assert sorted(set(FORMS) - pages) == []
    assert sorted(set(API_KINDS) - {path for _method, path in OPERATIONS}) == []
    assert sorted(set(BODIES) - operations) == []


# --- the world ------------------------------------------------------------------------------------

NAME = "林小雨"
SECRET = "芒果过敏"
KEY_NAME = "沈若兰"
KEY_SECRETS = ("青霉素过敏", "董事长夫人", "13933334444")


@dataclass
class World:
    shop: Shop
    plain: Customer
    key: Customer
    ids: dict[str, int | str]  # placeholder → id, for the plain customer's objects
    key_ids: dict[str, int | str]  # the same for the key account


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, format="JPEG")
    return SimpleUploadedFile("x.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def world(
    owner: User, manager_a: User, branch_a: Branch, beautician_a: User, front_a: User
) -> World:
    shop = shop_make(owner=owner, branch=branch_a, beautician=beautician_a)
    plain = shop.customer
    services.customer_update(
        actor=owner,
        customer_id=plain.pk,
        data={"name": NAME, "mobile": "13911112222", "allergies": SECRET, "photo_consent": True},
    )
    visit = sales_services.checkout(
        actor=owner,
        data={
            "customer_id": plain.pk,
            "branch_id": branch_a.pk,
            "lines": [{"service_id": shop.facial.pk, "staff_id": beautician_a.pk}],
            "payments": [{"method": "cash", "amount_fen": 10000}],
        },
    )
    photo = services.customer_photo_add(
        actor=owner, customer_id=plain.pk, image=_jpeg(), kind="before"
    )
    grant = AccessGrant.objects.create(
        customer=plain, grantee=beautician_a, reason="测试", requested_at=timezone.now()
    )
    key = customer_make(
        actor=manager_a,
        name=KEY_NAME,
        mobile="13933334444",
        allergies="青霉素过敏",
        confidential_notes="董事长夫人",
        is_key_account=True,
        owner_id=manager_a.pk,
        photo_consent=True,
    )
    key_photo = services.customer_photo_add(
        actor=owner, customer_id=key.pk, image=_jpeg(), kind="before"
    )
    key_card = sales_services.card_issue(
        actor=owner, customer_id=key.pk, branch_id=branch_a.pk, number="KEY001"
    )
    # front_a once had a grant on the key account; it has expired
    AccessGrant.objects.create(
        customer=key,
        grantee=front_a,
        reason="上周代班",
        requested_at=timezone.now() - dt.timedelta(days=8),
        status=GrantStatus.APPROVED,
        decided_by=manager_a,
        decided_at=timezone.now() - dt.timedelta(days=8),
        expires_at=timezone.now() - dt.timedelta(days=7),
    )
    key_grant = AccessGrant.objects.create(
        customer=key, grantee=beautician_a, reason="测试", requested_at=timezone.now()
    )
    token, _secret = api_token_create(actor=owner, name="matrix")
    app_ids: dict[str, int] = {}
    for module in ROW_MODULES:  # each app's own rows about the plain customer
        if hasattr(module, "world"):
            app_ids |= module.world(
                customer=plain,
                visit=visit,
                owner=owner,
                front_desk=front_a,
                beautician=beautician_a,
            )
    ids: dict[str, int | str] = {
        "customer_id": plain.pk,
        "visit_id": visit.pk,
        "line_id": visit.lines.get().pk,
        "card_id": shop.card.pk,
        "package_id": shop.package.pk,
        "photo_id": photo.pk,
        "grant_id": grant.pk,
        "token_id": token.pk,
        "decision": "approve",
        "branch_id": branch_a.pk,
        "service_id": shop.facial.pk,
        "staff_id": beautician_a.pk,
        "other_id": key.pk,
        **app_ids,
    }
    key_ids: dict[str, int | str] = dict(
        ids,
        customer_id=key.pk,
        card_id=key_card.pk,
        photo_id=key_photo.pk,
        grant_id=key_grant.pk,
        other_id=plain.pk,
    )
    return World(shop=shop, plain=plain, key=key, ids=ids, key_ids=key_ids)


def _fill(path: str, ids: Mapping[str, int | str]) -> str:
    def sub(match: re.Match[str]) -> str:
        return str(ids.get(match.group(1), 1))

    path = re.sub(r"<(?:\w+:)?(\w+)>", sub, path)
    return re.sub(r"\{(\w+)\}", sub, path)


def _fingerprint() -> tuple[Any, ...]:
    """Every row of every table of ours except the append-only audit log (reads write to it)."""
    rows = []
    for model in apps.get_models():
        if not model.__module__.startswith("liuke.") or model._meta.app_label == "audit":
            continue
        if model._meta.label in ("accounts.ApiToken", "core.IdempotencyRecord"):
            continue
        rows.append((model._meta.label, sorted(map(str, model._default_manager.values_list()))))
    return tuple(rows)


def _body(body: dict[str, Any] | None, ids: Mapping[str, int | str]) -> dict[str, Any] | None:
    """The body with "{placeholder}" strings replaced by ids (as numbers)."""
    if body is None:
        return None

    def fill(value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
            return ids[value[1:-1]]
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    filled: dict[str, Any] = fill(body)
    return filled


def _request(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if url.startswith("/api/"):
        return client.generic(method, url, json.dumps(body or {}), content_type="application/json")
    if method == "GET":
        return client.get(url)
    return client.post(url, body or {})


def _customer_routes() -> list[tuple[str, str, str, dict[str, Any] | None]]:
    """(label, method, path template, body) of every route that names a customer."""
    out = []
    for path, name in PAGES:
        if ROUTES.get(name) == "customer":
            out.append((name, "PAGE", path, FORMS.get(name)))
    for method, path in OPERATIONS:
        if _api_kind(path) == "customer":
            out.append((f"{method} {path}", method, path, BODIES.get(f"{method} {path}", {})))
    return out


def _page_method(client: Client, url: str) -> str:
    return "POST" if client.get(url).status_code == 405 else "GET"


def test_public_pages_need_no_login_and_name_no_one(world: World, client: Client) -> None:
    """The public routes answer an anonymous visitor themselves (no redirect to the login),
    and a link that is not a valid one shows nothing about anyone."""
    public = [(path, name) for path, name in PAGES if ROUTES[name] == "public"]
    assert public
    for path, _name in public:
        response = client.get(_fill(path, {"token": "x" * 20}))
        text = response.content.decode()
        assert response.status_code == 404
        assert NAME not in text
        assert SECRET not in text
    # and every other page sends an anonymous visitor to the login
    gated = [path for path, name in PAGES if ROUTES[name] in ("customer", "list")]
    assert gated
    for path in gated:
        response = client.get(_fill(path, world.ids))
        assert response.status_code in (302, 405), path


def test_out_of_scope_staff_can_neither_read_nor_write(
    world: World,
    client_for: Callable[[User], Client],
    front_b: User,
    outsider: User,
) -> None:
    failures = []
    for who in (front_b, outsider):
        client = client_for(who)
        for label, method, template, body in _customer_routes():
            url = _fill(template, world.ids)
            verb = _page_method(client, url) if method == "PAGE" else method
            before = _fingerprint()
            response = _request(client, verb, url, _body(body, world.ids))
            text = response.content.decode(errors="replace")
            # A page's POST may answer with a redirect and a message; what matters there is
            # that nothing was written and nothing shown (checked below). Reads and the API
            # must refuse outright.
            refused = response.status_code >= 400 or (
                method == "PAGE" and verb == "POST" and response.status_code == 302
            )
            if not refused:
                failures.append(f"{who.username} {verb} {label}: {response.status_code}")
            if NAME in text or SECRET in text:
                failures.append(f"{who.username} {verb} {label}: shows the customer")
            if _fingerprint() != before:
                failures.append(f"{who.username} {verb} {label}: changed the database")
    assert not failures, "\n".join(failures)


def test_lists_never_show_out_of_scope_customers(
    world: World, client_for: Callable[[User], Client], front_b: User, outsider: User
) -> None:
    failures = []
    for who in (front_b, outsider):
        client = client_for(who)
        for path, name in PAGES:
            if ROUTES[name] != "list" or "<" in path:
                continue
            # by initials, phone suffix, or the customer's id (a search box echoes its text,
            # so the name itself is not searched for)
            for query in ("", "?q=lxy", "?q=2222", f"?customer={world.plain.pk}"):
                text = client.get(path + query).content.decode(errors="replace")
                if NAME in text or SECRET in text or f"/customers/{world.plain.pk}/" in text:
                    failures.append(f"{who.username} {path}{query}")
        for method, path in OPERATIONS:
            if method == "GET" and _api_kind(path) == "list":
                for query in ("", "?q=lxy", "?q=2222"):
                    text = client.get(path + query).content.decode(errors="replace")
                    if NAME in text:
                        failures.append(f"{who.username} GET {path}{query}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("grant", ["none", "expired"])
def test_a_key_account_shows_no_more_than_its_card(
    world: World, client_for: Callable[[User], Client], front_a: User, grant: str
) -> None:
    if grant == "none":
        AccessGrant.objects.filter(grantee=front_a).delete()
    client = client_for(front_a)
    failures = []
    for label, method, template, body in _customer_routes():
        url = _fill(template, world.key_ids)
        verb = _page_method(client, url) if method == "PAGE" else method
        if verb != "GET":
            continue  # writes on a key account: covered by the service tests (card is read-only)
        text = _request(client, verb, url, _body(body, world.key_ids)).content.decode(
            errors="replace"
        )
        failures += [f"{label} shows {s}" for s in KEY_SECRETS if s in text]
    assert not failures, "\n".join(failures)
    # and the same walk with a grant in force does show the file: the check can fail
    AccessGrant.objects.create(
        customer=world.key,
        grantee=front_a,
        reason="代班",
        requested_at=timezone.now(),
        status=GrantStatus.APPROVED,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert "青霉素过敏" in client.get(f"/customers/{world.key.pk}/").content.decode()


def test_positive_control_the_owner_reaches_every_customer_route(
    world: World, owner_client: Client
) -> None:
    """With the same ids, the owner gets an answer that is not 'no such thing' on each route,
    so the refusals above come from the policy and not from broken URLs."""
    failures = []
    for label, method, template, body in _customer_routes():
        url = _fill(template, world.ids)
        verb = _page_method(owner_client, url) if method == "PAGE" else method
        if verb != "GET":
            continue  # writes would change the world for the next routes
        status = _request(owner_client, verb, url, _body(body, world.ids)).status_code
        if status >= 400:
            failures.append(f"{label}: {status}")
    assert not failures, "\n".join(failures)
