"""Every money write of the API honours `Idempotency-Key`, found by walking the API.

Which operations move money is not a list kept by hand: the walk calls every unsafe operation of
the OpenAPI schema as the owner, with the access matrix's bodies (`tests/<app>/access_rows.py`
BODIES) in the access matrix's world, and watches the ledgers and payments (card, package and
stock entries, payments, refunds). Each operation runs in a transaction that is rolled back, so
each meets the same world.

- An operation that wrote a ledger row must be declared `@money_write`
  (liuke.core.idempotency), which the schema shows as `x-money-write: true`.
- Every such operation, sent three times with one key, changes the database as one request does
  and answers the same three times; the same JSON in another key order and spacing is the same
  request; another body with the same key is refused (422 `idempotency_key_reused`).

docs/money.md, "Idempotency", states the rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from tests.accounts import test_access_matrix as matrix
from tests.accounts.test_access_matrix import BODIES, OPERATIONS, World, _body, _fill

from liuke.api import api
from liuke.sales.models import (
    CardEntry,
    CommissionAdjustment,
    CommissionLine,
    PackageEntry,
    Payment,
    Refund,
    StockEntry,
)

pytestmark = pytest.mark.django_db

world = matrix.world  # the access matrix's world, a fixture here too

LEDGERS = (
    CardEntry,
    PackageEntry,
    StockEntry,
    Payment,
    Refund,
    CommissionLine,
    CommissionAdjustment,
)
UNSAFE = [(method, path) for method, path in OPERATIONS if method not in ("GET", "HEAD")]
SCHEMA = api.get_openapi_schema()
DECLARED = sorted(
    f"{method.upper()} {path}"
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if operation.get("x-money-write") is True
)


@contextmanager
def _undone() -> Iterator[None]:
    """Whatever the block writes is rolled back, so the next operation meets the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _ledger_rows() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in LEDGERS)


def _rows() -> dict[str, int]:
    """Rows per table of ours, but for the audit log and the idempotency records themselves."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("liuke.")
        and model._meta.app_label != "audit"
        and model._meta.label != "core.IdempotencyRecord"
    }


def _send(
    client: Client, method: str, url: str, body: Any, *, key: str | None = None, raw: str = ""
) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    data = raw or json.dumps(body if body is not None else {})
    return client.generic(method, url, data, content_type="application/json", headers=headers)


def _request(label: str, w: World) -> tuple[str, str, Any]:
    method, path = label.split(" ", 1)
    return method, _fill(path, w.ids), _body(BODIES.get(label, {}), w.ids)


#: The walk's finding, kept for the next test of the run (every test's world is alike).
_FOUND: dict[str, list[str]] = {}


def _ledger_writers(w: World, client: Client) -> list[str]:
    """The unsafe operations that wrote a ledger row. (One that fails with a server error has
    written nothing: its transaction is rolled back. Finding those is the schema tests' part.)"""
    if "api" not in _FOUND:
        _FOUND["api"] = _walk(w, client)
    return _FOUND["api"]


def _walk(w: World, client: Client) -> list[str]:
    client.raise_request_exception = False
    moved = []
    for method, path in UNSAFE:
        label = f"{method} {path}"
        with _undone():
            before = _ledger_rows()
            _send(client, *_request(label, w))
            if _ledger_rows() != before:
                moved.append(label)
    client.raise_request_exception = True
    return moved


def test_every_operation_that_writes_a_ledger_row_is_a_declared_money_write(
    world: World, owner_client: Client
) -> None:
    moved = _ledger_writers(world, owner_client)
    # the walk reaches real money writes (a checkout, a package sale), so it can see one
    assert {"POST /api/v1/visits", "POST /api/v1/packages"} <= set(moved)
    undeclared = sorted(set(moved) - set(DECLARED))
    assert undeclared == [], "declare them with @money_write (liuke.core.idempotency)"


def _reordered(value: Any) -> Any:
    """The same JSON value with every object's keys in the reverse order."""
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


def _variant(label: str, body: dict[str, Any]) -> dict[str, Any]:
    """Another valid body for the operation: its note, else an amount, else a free text,
    changed."""
    method, path = label.split(" ", 1)
    content = SCHEMA["paths"][path][method.lower()]["requestBody"]["content"]
    ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = SCHEMA["components"]["schemas"][ref]["properties"]
    if "note" in properties:
        return {**body, "note": "另一次" if body.get("note") != "另一次" else "又一次"}
    amounts = [k for k, v in body.items() if k.endswith("_fen") and isinstance(v, int)]
    if amounts:
        return {**body, amounts[0]: body[amounts[0]] + 1}
    texts = [
        k
        for k, v in body.items()
        if isinstance(v, str) and not {"enum", "format", "$ref"} & set(properties.get(k, {}))
    ]
    assert texts, f"{label}: give its BODIES row a note, an amount or a text to vary"
    return {**body, texts[0]: body[texts[0]] + "。"}


def _check_once(label: str, index: int, w: World, client: Client) -> list[str]:
    """What goes wrong when `label` is sent again with one key (nothing: [])."""
    method, url, body = _request(label, w)
    with _undone():
        before = _rows()
        alone = _send(client, method, url, body)
        moved_alone = {k: v - before[k] for k, v in _rows().items() if v != before[k]}
    if alone.status_code >= 300:
        return [f"{label}: the owner's request answers {alone.status_code} {alone.content[:200]!r}"]
    key = f"walk-{index:04d}-once"
    failures = []
    with _undone():
        before = _rows()
        answers = [_send(client, method, url, body, key=key) for _ in range(3)]
        respaced = json.dumps(_reordered(body), indent=3, separators=(" ,", " :  "))
        answers.append(_send(client, method, url, body, key=key, raw=respaced))
        moved = {k: v - before[k] for k, v in _rows().items() if v != before[k]}
        other = _send(client, method, url, _variant(label, body), key=key)
    if moved != moved_alone:
        failures.append(f"{label}: 3 sends with one key wrote {moved}, one send {moved_alone}")
    shapes = {(a.status_code, a.content) for a in answers}
    if len(shapes) != 1:
        failures.append(f"{label}: the answers differ: {sorted(s[0] for s in shapes)}")
    if other.status_code != 422 or other.json().get("code") != "idempotency_key_reused":
        failures.append(f"{label}: another body with the key answers {other.status_code}")
    return failures


def test_every_money_write_is_done_once_per_key(world: World, owner_client: Client) -> None:
    moved = _ledger_writers(world, owner_client)
    operations = sorted(set(moved) | set(DECLARED))
    assert "POST /api/v1/packages" in operations
    failures: list[str] = []
    for index, label in enumerate(operations):
        failures += _check_once(label, index, world, owner_client)
    assert failures == [], "\n".join(failures)


def test_the_schema_documents_the_key_on_every_declared_operation() -> None:
    assert len(DECLARED) >= 10
    for label in DECLARED:
        method, path = label.split(" ", 1)
        parameters = SCHEMA["paths"][path][method.lower()]["parameters"]
        assert any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in parameters), (
            label
        )
