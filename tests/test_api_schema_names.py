"""Every request and response schema of the API has its own name: django-ninja names the
OpenAPI components after the classes, and two classes with one name share one component (the
API then documents the wrong body for one of them)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ninja import Schema
from pydantic import BaseModel

import liuke.api  # noqa: F401 (imports every router, and with them every schema)


def _subclasses(cls: type[Any]) -> set[Any]:
    out: set[type[Any]] = set()
    for sub in cls.__subclasses__():
        out.add(sub)
        out |= _subclasses(sub)
    return out


def test_schema_class_names_are_unique() -> None:
    ours = [
        c for c in _subclasses(BaseModel) | _subclasses(Schema) if c.__module__.startswith("liuke.")
    ]
    names = Counter(c.__name__ for c in ours)
    assert [n for n, k in names.items() if k > 1] == []
