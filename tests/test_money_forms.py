"""Every page form that moves money is done once when it is sent twice (a double click, the
browser's resend), found by walking the pages as tests/test_money_writes.py walks the API.

- Every page route is posted as the owner with the access matrix's form (`tests/<app>/
  access_rows.py` FORMS), in a transaction that is rolled back; one that wrote a ledger row must
  be wrapped in `@form_once` (liuke.core.idempotency).
- Each such form sent twice with one key writes what one sends, and the second answer goes where
  the first went.
- Every form of every page that posts to a `@form_once` view carries the key (`{% once_key %}`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from tests.accounts import test_access_matrix as matrix
from tests.accounts.test_access_matrix import FORMS, PAGES, ROUTES, World, _fill
from tests.test_money_writes import _FOUND, _ledger_rows, _rows, _undone

pytestmark = pytest.mark.django_db

world = matrix.world  # the access matrix's world, a fixture here too

STAFF_PAGES = [(path, name) for path, name in PAGES if ROUTES[name] != "public"]


def _form(name: str, ids: dict[str, int | str]) -> dict[str, Any]:
    """The route's form with each "{placeholder}" (also inside a text) replaced by its id."""

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), value)
        return value

    return {k: fill(v) for k, v in FORMS.get(name, {}).items()}


def _is_money_form(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "money_form", False) is True


def _page_writers(w: World, client: Client) -> list[str]:
    """The page routes whose POST wrote a ledger row (found once per run: every test's world
    is alike)."""
    if "pages" not in _FOUND:
        _FOUND["pages"] = _walk(w, client)
    return _FOUND["pages"]


def _walk(w: World, client: Client) -> list[str]:
    client.raise_request_exception = False
    moved = []
    for path, name in STAFF_PAGES:
        with _undone():
            before = _ledger_rows()
            client.post(_fill(path, w.ids), _form(name, w.ids))
            if _ledger_rows() != before:
                moved.append(name)
        client.force_login(w.shop.owner)  # a POST may have logged out; the rollback kept no one
    client.raise_request_exception = True
    return moved


def _path_of(name: str, w: World) -> str:
    return _fill(next(path for path, n in STAFF_PAGES if n == name), w.ids)


def test_every_page_that_writes_a_ledger_row_is_wrapped_in_form_once(
    world: World, owner_client: Client
) -> None:
    moved = _page_writers(world, owner_client)
    # the walk reaches real money forms, so it can see one
    assert {"sales:checkout", "sales:package_sell", "sales:card_topup"} <= set(moved)
    unwrapped = sorted(name for name in moved if not _is_money_form(_path_of(name, world)))
    assert unwrapped == [], "wrap them in @form_once (liuke.core.idempotency)"


def test_every_money_form_sent_twice_is_done_once(world: World, owner_client: Client) -> None:
    failures = []
    for index, name in enumerate(_page_writers(world, owner_client)):
        path = _path_of(name, world)
        form = _form(name, world.ids)
        with _undone():
            before = _rows()
            alone = owner_client.post(path, form)
            moved_alone = {k: v - before[k] for k, v in _rows().items() if v != before[k]}
        keyed = {**form, "idempotency_key": f"page-walk-{index:04d}"}
        with _undone():
            before = _rows()
            first, second = (owner_client.post(path, keyed) for _ in range(2))
            moved = {k: v - before[k] for k, v in _rows().items() if v != before[k]}
        if alone.status_code != 302:
            failures.append(f"{name}: the owner's form answers {alone.status_code}")
        if moved != moved_alone:
            failures.append(f"{name}: sent twice it wrote {moved}, once {moved_alone}")
        if (second.status_code, second.get("Location")) != (302, first.get("Location")):
            failures.append(f"{name}: the second answer {second.status_code} goes elsewhere")
    assert failures == [], "\n".join(failures)


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.DOTALL | re.IGNORECASE)
_ACTION = re.compile(r'\baction="([^"]*)"')


def test_every_money_form_on_every_page_carries_its_key(world: World, owner_client: Client) -> None:
    found, missing = set(), []
    for path, name in STAFF_PAGES:
        response = owner_client.get(_fill(path, world.ids))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for attributes, inner in _FORM.findall(response.content.decode()):
            action = _ACTION.search(attributes)
            target = urlparse(action.group(1)).path if action else _fill(path, world.ids)
            if "post" not in attributes.lower() or not _is_money_form(target):
                continue
            found.add(resolve(target).view_name)
            if 'name="idempotency_key"' not in inner:
                missing.append(f"{name}: the form to {target}")
    assert missing == [], "add {% once_key %} (template library liuke_once) to these forms"
    # the walk saw the money forms of the card, package, customer and complaint pages
    assert {"sales:card_topup", "sales:package_sell", "sales:package_extend"} <= found


def test_a_package_sold_from_the_profile_with_a_double_click_is_sold_once(
    world: World, owner_client: Client
) -> None:
    from liuke.sales.models import Package

    path = _path_of("sales:package_sell", world)
    page = owner_client.get(f"/customers/{world.plain.pk}/").content.decode()
    sale = next(inner for attrs, inner in _FORM.findall(page) if f'action="{path}"' in attrs)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', sale)
    assert key is not None
    form = {**_form("sales:package_sell", world.ids), "idempotency_key": key.group(1)}
    before = Package.objects.count()
    first, second = (owner_client.post(path, form, follow=True) for _ in range(2))
    assert Package.objects.count() == before + 1
    assert "已售出疗程卡" in first.content.decode()
    assert second.redirect_chain == first.redirect_chain
    assert "此表单已提交过，未重复办理。" in second.content.decode()
