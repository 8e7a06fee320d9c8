"""The customer's field catalogue is the one statement of its fields: the policy's field classes,
the model's columns, the typed input, the page form and the privacy inventory agree with it."""

from __future__ import annotations

import typing

import pytest
from django.db import models
from pydantic.fields import FieldInfo

from liuke.accounts import policy
from liuke.customers import fields
from liuke.customers.forms import CustomerForm
from liuke.customers.models import Customer
from liuke.customers.privacy import MODELS
from liuke.customers.schemas import CustomerInput, CustomerPatch


def test_the_policys_field_classes_are_the_catalogues() -> None:
    # the policy sits below the customers app and keeps its own sets: they must say the same
    assert policy.CARD_FIELDS == fields.CARD_FIELDS
    assert policy.SAFETY_FIELDS == fields.SAFETY_FIELDS
    assert policy.CONFIDENTIAL_FIELDS == fields.CONFIDENTIAL_FIELDS


def test_every_group_field_is_in_the_catalogue_and_in_one_group() -> None:
    grouped = [name for names in fields.FIELD_GROUPS.values() for name in names]
    assert len(grouped) == len(set(grouped))
    assert set(grouped) <= set(fields.FIELDS)


@pytest.mark.parametrize("name", list(fields.TEXT_FIELDS))
def test_the_column_is_as_long_as_the_catalogue_says(name: str) -> None:
    column = Customer._meta.get_field(name)
    assert isinstance(column, models.Field)
    assert column.max_length == fields.limit(name)


def _max_length(info: FieldInfo) -> int | None:
    annotation = info.annotation
    for arg in typing.get_args(annotation) or (annotation,):
        for meta in getattr(arg, "__metadata__", ()):
            for item in getattr(meta, "metadata", [meta]):
                if getattr(item, "max_length", None) is not None:
                    return int(item.max_length)
    for item in info.metadata:
        if getattr(item, "max_length", None) is not None:
            return int(item.max_length)
    return None


@pytest.mark.parametrize("model", [CustomerPatch, CustomerInput])
def test_the_typed_input_has_every_field_with_the_catalogues_limit(
    model: type[CustomerPatch],
) -> None:
    assert set(model.model_fields) == set(fields.FIELDS)
    for name, (limit, _multiline) in fields.TEXT_FIELDS.items():
        assert _max_length(model.model_fields[name]) == limit, name


def test_the_page_form_has_the_catalogues_limits() -> None:
    for name, (limit, _multiline) in fields.TEXT_FIELDS.items():
        assert CustomerForm.base_fields[name].max_length == limit, name  # type: ignore[attr-defined]
    assert set(CustomerForm.base_fields) == set(fields.FIELDS)


def test_the_privacy_inventory_takes_each_fields_class_from_the_catalogue() -> None:
    rows = MODELS["customers.Customer"]
    columns = {n: f for n, f in fields.FIELDS.items() if f.kind != fields.Kind.TAGS}
    assert columns
    for name, field in columns.items():
        assert rows[field.model_field or name] == field.privacy, name
