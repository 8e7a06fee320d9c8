"""The sentinel walk: every field of a key account and every money figure of a customer holds a
value that cannot occur by chance, and every page, partial, list, search, dashboard, export and
API read is fetched as every role; a sentinel that appears where the field classification
(`accounts.policy.FieldClass`) says the role may not see it is a leak.

The world is the access matrix's (`tests/accounts/test_access_matrix.py`: its routes, its ids
and its key account 沈若兰, looked after by manager_a, with an expired grant of front_a and a
request of beautician_a still pending), plus:

- the key account's whole file filled with sentinels (WeChat id, card number, allergies,
  contraindications, preferences, notes, confidential notes, tags, birthday, the full mobile),
  and the rows that hang off it: a contact with notes, a visit with a note, a package's name,
  a complaint's description and a survey answer's comment (a detractor's, so it is routed);
- the plain customer's money: a visit of ¥87,654.31 (its lines and payment), a card holding
  ¥76,543.29, a package sold for ¥65,432.17 and stored value figures (spend, value by the model
  and by the rule, worth) of their own.

Each URL is fetched with the plain customer's ids and with the key account's, lists, searches
and pickers also with `?customer=` and a search by the key account's mobile; a hit is a (role,
path, sentinel) found.

On the code before the classification was applied to every output the walk found 61 hits:
money shown to the beautician 15 times on 9 paths (visit, card and package pages and API
reads, the complaint's refund choices, the profile's value panel, the customer figures API),
and a key account's details without a grant 46 times (front desk 19, beautician 13, auditor
14): card numbers in lists, searches and the API's list, contact notes, visit notes, package
names, allergies and contraindications on the checkout and the new-contact page, and the
auditor's full mobile of the key account on the key-account dashboard and its API.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from tests.accounts.test_access_matrix import (
    OPERATIONS,
    PAGES,
    ROUTES,
    World,
    _api_kind,
    _fill,
    world,
)
from tests.feedback.access_rows import survey_answer_make

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.analytics.models import CustomerFigures
from liuke.analytics.services import figures_refresh
from liuke.complaints import services as complaints
from liuke.core.money import format_yuan
from liuke.customers import selectors as customer_selectors
from liuke.customers import services as customer_services
from liuke.customers.fields import EDITABLE_FIELDS
from liuke.engagement import services as engagement
from liuke.sales import services as sales
from liuke.sales.models import BonusRule, Payment, Visit, VisitLine

__all__ = ["world"]  # the matrix's fixture, used here by name

pytestmark = pytest.mark.django_db

#: Every role of the role table, as the personas who hold it.
PERSONAS = ("owner", "manager_a", "front_a", "beautician_a", "auditor")

#: Pages whose GET changes the session rather than showing anything.
NOT_WALKED = frozenset({"web:logout", "set_language"})


@dataclass(frozen=True)
class Sentinel:
    """A value planted in the world, its field class and how an answer may show it."""

    label: str
    field_class: policy.FieldClass
    texts: tuple[str, ...]
    #: for a field of the key account's file: the field's name
    field: str = ""


def _money(label: str, fen: int) -> Sentinel:
    texts = (format_yuan(fen), format_yuan(fen, grouping=False), str(fen))
    return Sentinel(label, policy.FieldClass.MONEY, texts)


KEY_MOBILE = "13933334444"
#: Amounts whose digits occur nowhere by chance (not in a phone number, an id or a date).
VISIT_FEN = 8765431
CARD_FEN = 7654329
PACKAGE_FEN = 6543217
FIGURES_FEN = {
    "total_spend_fen": 5432179,
    "year_spend_fen": 4321798,
    "spend_mean_fen": 3217986,
    "expected_spend_fen": 2179865,
    "value_fen": 1798654,
    "rule_value_fen": 9865437,
    "worth_fen": 8654372,
}
KEY_FILE = {
    "wechat_id": "sntwx_0915",
    "card_no": "SNTK0915",
    "contraindications": "哨兵禁忌光子嫩肤",
    "preferences": "哨兵偏好安静包间",
    "notes": "哨兵档案备注",
}

SENTINELS = (
    *(Sentinel(f"key {f}", policy.FieldClass.FILE, (v,), f) for f, v in KEY_FILE.items()),
    Sentinel("key allergies", policy.FieldClass.SAFETY, ("青霉素过敏",), "allergies"),
    Sentinel(
        "key confidential", policy.FieldClass.CONFIDENTIAL, ("董事长夫人",), "confidential_notes"
    ),
    Sentinel("key tag", policy.FieldClass.FILE, ("哨兵标签",), "tags"),
    Sentinel("key birthday", policy.FieldClass.FILE, ("1966-06-16",), "birthday"),
    Sentinel("key full mobile", policy.FieldClass.MOBILE, (KEY_MOBILE,), "mobile"),
    Sentinel("key contact notes", policy.FieldClass.FILE, ("哨兵联系记录",)),
    Sentinel("key visit note", policy.FieldClass.FILE, ("哨兵到店备注",)),
    Sentinel("key package name", policy.FieldClass.FILE, ("哨兵疗程套餐",)),
    Sentinel("key complaint description", policy.FieldClass.FILE, ("哨兵投诉经过",)),
    Sentinel("key survey comment", policy.FieldClass.FILE, ("哨兵问卷留言",)),
    _money("visit total", VISIT_FEN),
    _money("card balance", CARD_FEN),
    _money("package price", PACKAGE_FEN),
    *(_money(f"figures {name}", fen) for name, fen in FIGURES_FEN.items()),
)


def _package(world: World, owner: User, customer: Any, *, name: str, price_fen: int) -> Any:
    return sales.package_sell(
        actor=owner,
        customer_id=customer.pk,
        branch_id=world.shop.branch.pk,
        name=name,
        service_ids=[world.shop.facial.pk],
        sessions=2,
        price_fen=price_fen,
        method="cash",
    )


def _plant(world: World, owner: User, manager_a: User) -> None:
    """The key account's file and rows, and the plain customer's money, as sentinels."""
    key, plain, shop = world.key, world.plain, world.shop
    customer_services.customer_update(
        actor=owner,
        customer_id=key.pk,
        data={**KEY_FILE, "tags": ["哨兵标签"], "birthday": dt.date(1966, 6, 16)},
    )
    engagement.contact_log(
        actor=owner,
        customer_id=key.pk,
        channel="phone",
        direction="in",
        reason_id=world.ids["reason_id"],
        outcome="resolved",
        notes="哨兵联系记录",
    )
    key_visit = sales.checkout(
        actor=owner,
        data={
            "customer_id": key.pk,
            "branch_id": shop.branch.pk,
            "lines": [{"service_id": shop.facial.pk, "staff_id": manager_a.pk}],
            "payments": [{"method": "cash", "amount_fen": 10000}],
            "note": "哨兵到店备注",
        },
    )
    key_package = _package(world, owner, key, name="哨兵疗程套餐", price_fen=20000)
    complaint = complaints.complaint_open(
        actor=owner, customer_id=key.pk, channel="phone", description="哨兵投诉经过"
    )
    world.key_ids |= {
        "visit_id": key_visit.pk,
        "line_id": key_visit.lines.get().pk,
        "package_id": key_package.pk,
        "complaint_id": complaint.pk,
        "response_id": survey_answer_make(key, key_visit, "哨兵问卷留言").pk,
    }
    # The plain customer's money. The matrix's visit becomes one of ¥87,654.31 (every stored
    # figure of it, so each page's own sum or column shows the sentinel).
    visit_id = world.ids["visit_id"]
    Visit.objects.filter(pk=visit_id).update(subtotal_fen=VISIT_FEN, total_fen=VISIT_FEN)
    VisitLine.objects.filter(visit_id=visit_id).update(amount_fen=VISIT_FEN)
    Payment.objects.filter(visit_id=visit_id).update(amount_fen=VISIT_FEN)
    BonusRule.objects.all().delete()  # no bonus: the balance is the top-up
    card = sales.card_issue(
        actor=owner, customer_id=plain.pk, branch_id=shop.branch.pk, number="SNTMONEY"
    )
    sales.card_topup(actor=owner, card_id=card.pk, amount_fen=CARD_FEN, method="cash")
    package = _package(world, owner, plain, name="面部护理5次", price_fen=PACKAGE_FEN)
    world.ids |= {"card_id": card.pk, "package_id": package.pk}
    figures_refresh(business=shop.branch.business, today=dt.date.today())
    assert CustomerFigures.objects.filter(customer=plain).update(**FIGURES_FEN) == 1


def _may_see(actor: User, world: World, sentinel: Sentinel) -> bool:
    """What the classification says `actor` may see of the sentinel."""
    if sentinel.field_class == policy.FieldClass.MONEY:
        return policy.sees_money(actor)
    key = world.key
    full = customer_selectors.has_full_file(actor, key)
    fields = customer_selectors.visible_fields(actor, key, full_file=full)
    if sentinel.field_class == policy.FieldClass.MOBILE:
        return policy.present_customer_mobile(actor, key, full_file=full) == KEY_MOBILE
    if sentinel.field:
        return sentinel.field in fields
    # a row that hangs off the file (a contact, a visit, a package) goes with the full file
    return full and set(EDITABLE_FIELDS) - policy.CONFIDENTIAL_FIELDS <= fields


def _urls(world: World) -> Iterator[str]:
    """Every page (GET) and every API read, with both customers' ids and the queries that make
    lists, searches and pickers show a customer."""
    key = world.key
    seen: set[str] = set()
    branch = world.shop.branch.pk
    queries = (
        "",
        f"?customer={key.pk}&q=4444",
        f"?customer={world.plain.pk}",
        f"?q=4444&branch={branch}&branch_id={branch}",
    )
    for path, name in PAGES:
        if ROUTES[name] == "public" or name in NOT_WALKED:
            continue
        for ids in (world.ids, world.key_ids):
            for query in queries if ROUTES[name] == "list" else ("",):
                seen.add(_fill(path, ids) + query)
    for method, path in OPERATIONS:
        if method != "GET":
            continue
        for ids in (world.ids, world.key_ids):
            for query in queries if _api_kind(path) == "list" else ("",):
                seen.add(_fill(path, ids) + query)
    yield from sorted(seen)


def _text(response: Any) -> str:
    """The answer as text: a page, JSON, or a streamed export (CSV, spreadsheet rows)."""
    if response.get("Content-Type", "").startswith("image/"):
        return ""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = bytes(body).decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # JSON may escape Chinese (\\uXXXX): compare the values, not the escapes
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def _leaks(actor: User, client: Client, world: World) -> list[str]:
    forbidden = [s for s in SENTINELS if not _may_see(actor, world, s)]
    hits: dict[tuple[str, str], str] = {}  # (path, sentinel) → the first URL that showed it
    for url in _urls(world):
        response = client.get(url)
        if response.status_code >= 300:
            continue
        text = _text(response)
        for s in forbidden:
            if any(t in text for t in s.texts):
                hits.setdefault((url.partition("?")[0], s.label), url)
    return [f"{actor.username} {url}: {label}" for (_path, label), url in sorted(hits.items())]


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_sentinel_where_the_classification_hides_it(
    world: World,
    owner: User,
    manager_a: User,
    client_for: Callable[[User], Client],
    request: pytest.FixtureRequest,
    persona: str,
) -> None:
    _plant(world, owner, manager_a)
    actor: User = request.getfixturevalue(persona)
    hits = _leaks(actor, client_for(actor), world)
    assert hits == [], f"{len(hits)} hits:\n" + "\n".join(hits)


def test_the_walk_can_see_every_sentinel(
    world: World, owner: User, manager_a: User, owner_client: Client
) -> None:
    """Positive control: the owner, who may see everything, finds every sentinel somewhere on
    the walk, so each one is planted where the pages and the API show it."""
    _plant(world, owner, manager_a)
    found: set[str] = set()
    for url in _urls(world):
        text = _text(owner_client.get(url))
        found |= {s.label for s in SENTINELS if any(t in text for t in s.texts)}
    assert sorted({s.label for s in SENTINELS} - found) == []
