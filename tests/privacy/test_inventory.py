"""The personal-data inventory covers every field of every table that holds or hangs off a
customer, and every property of the API schemas: adding one without classifying it fails here."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from liuke.api import api
from liuke.customers.models import Customer
from liuke.privacy.inventory import API_PROPERTIES, MODELS, DataClass


def _customer_tables() -> set[Any]:
    """Customer, the tables pointing at it, and the tables pointing at those."""
    ours = [m for m in apps.get_models() if m.__module__.startswith("liuke.")]

    def points_at(model: Any, targets: set[Any]) -> bool:
        return any(getattr(f, "related_model", None) in targets for f in model._meta.fields)

    first = {m for m in ours if points_at(m, {Customer})} | {Customer}
    second = {m for m in ours if m not in first and points_at(m, first - {Customer})}
    return first | second


def test_every_field_of_every_customer_table_is_in_the_inventory() -> None:
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in _customer_tables()
        for field in model._meta.concrete_fields
        if field.name not in MODELS.get(model._meta.label, {})
    ]
    assert missing == [], "classify these in liuke/privacy/inventory.py"


def test_the_inventory_lists_no_field_that_does_not_exist() -> None:
    stale = [
        f"{label}.{name}"
        for label, fields in MODELS.items()
        for name in fields
        if name not in {f.name for f in apps.get_model(label)._meta.concrete_fields}
    ]
    assert stale == []


def _properties(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        found.update(node.get("properties", {}))
        for value in node.values():
            _properties(value, found)
    elif isinstance(node, list):
        for value in node:
            _properties(value, found)
    return found


def test_every_api_property_is_classified() -> None:
    known = {name for fields in MODELS.values() for name in fields} | set(API_PROPERTIES)
    properties = _properties(api.get_openapi_schema(), set())
    assert sorted(properties - known) == [], "classify these in liuke/privacy/inventory.py"


def test_health_data_is_classified_as_sensitive() -> None:
    customer = MODELS["customers.Customer"]
    assert {customer[f][0] for f in ("allergies", "contraindications", "skin_type")} == {
        DataClass.HEALTH
    }
    assert all(purpose for fields in MODELS.values() for _cls, purpose in fields.values())
