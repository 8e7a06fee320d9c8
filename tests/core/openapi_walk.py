"""Walking the API's OpenAPI schema: its operations, the properties of their request bodies
(nested objects and lists of objects included), and a request that puts one value at one
property's place. Shared by the walks of tests/core (strict bodies, bounded dates, failures)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.test import Client

from liuke.api import api

SCHEMA: dict[str, Any] = api.get_openapi_schema()
COMPONENTS: dict[str, Any] = SCHEMA["components"]["schemas"]


def url(path: str) -> str:
    """The operation's path with every path parameter filled (an id: any will do, the
    refusals walked come before the operation looks anything up)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        found: dict[str, Any] = COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]]
        return found
    return schema


def json_bodies() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, body schema) of every operation that takes a JSON body."""
    for path, ops in SCHEMA["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                yield method.upper(), path, body["schema"]


def leaves(
    schema: dict[str, Any], wanted: Callable[[dict[str, Any]], str | None], depth: int = 0
) -> Iterator[tuple[list[str | int], str]]:
    """(path in the body, kind) of every property whose schema `wanted` names a kind of, in
    nested objects and lists of objects too (a list's item is at index 0)."""
    for name, prop in resolve(schema).get("properties", {}).items():
        for option in (resolve(o) for o in resolve(prop).get("anyOf", [prop])):
            kind = wanted(option)
            if kind is not None:
                yield [name], kind
            elif depth < 3 and option.get("type") == "array":
                item = resolve(option.get("items", {}))
                for sub in (resolve(o) for o in item.get("anyOf", [item])):
                    item_kind = wanted(sub)
                    if item_kind is not None:
                        yield [name, 0], item_kind
                    elif "properties" in sub:
                        for path, leaf in leaves(sub, wanted, depth + 1):
                            yield [name, 0, *path], leaf
            elif depth < 3 and "properties" in option:
                for path, leaf in leaves(option, wanted, depth + 1):
                    yield [name, *path], leaf


def send_at(client: Client, method: str, path: str, field: str, value: Any) -> Any:
    """A request whose body holds only `value`, at the place of `field` ("lines.0.staff_id")."""
    keys: list[str | int] = [int(p) if p.isdigit() else p for p in field.split(".")]
    body: Any = value
    for key in reversed(keys):
        body = [body] if isinstance(key, int) else {key: body}
    return client.generic(method, url(path), json.dumps(body), content_type="application/json")


def messages_at(response: Any, field: str) -> list[str]:
    """The messages an error answer gives for `field` (its location ends with the field)."""
    fields: dict[str, list[str]] = json.loads(response.content)["fields"]
    return [
        m
        for loc, found in fields.items()
        if loc == field or loc.endswith(f".{field}")
        for m in found
    ]
