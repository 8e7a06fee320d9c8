"""The personal-data inventory covers every field of every table that holds or hangs off a
customer, and every property of the API schemas: adding one without classifying it fails here."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.db.models import Q
from PIL import Image
from tests.factories import customer_make

from liuke.accounts.models import User
from liuke.api import api
from liuke.customers.models import Customer, CustomerMerge
from liuke.customers.services import (
    customer_anonymise,
    customer_merge,
    customer_photo_add,
    customer_update,
)
from liuke.demo.builder import demo_build
from liuke.engagement.models import ContactReason
from liuke.engagement.services.prospects import prospect_call_log, prospect_convert
from liuke.privacy.inventory import API_PROPERTIES, ERASED_CLASSES, MODELS, DataClass
from liuke.sales import services as sales
from liuke.sales.models import Service


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


# --- Erasure leaves nothing of the person, merged-away rows included -------------------------

#: Sentinels are "~" and a number: "~" is in no token, hash or demo text, and JSON keeps it as is.
MARK = "~"


def _is_text(field: Any) -> bool:
    return isinstance(field, models.CharField | models.TextField | models.JSONField)


def _erasable_text(model: Any) -> list[Any]:
    """The fields of `model` the inventory classes as erased with the customer, holding text."""
    return [
        model._meta.get_field(name)
        for name, (cls, _purpose) in MODELS.get(model._meta.label, {}).items()
        if cls in ERASED_CLASSES
        and not model._meta.get_field(name).is_relation
        and _is_text(model._meta.get_field(name))
    ]


def _linked_rows(model: Any, ids: list[int]) -> Any:
    """The rows of `model` that belong to the customers `ids`: their own rows, the rows of a
    table that points at them, and the rows of a table that points at such a row."""
    if model is Customer:
        return Customer.objects.filter(pk__in=ids)
    fks = [f for f in model._meta.fields if getattr(f, "related_model", None) is not None]
    direct = [f for f in fks if f.related_model is Customer]
    q = Q(pk__in=[])
    for f in direct:
        q |= Q(**{f"{f.name}__in": ids})
    if not direct:
        for f in fks:
            parent: Any = f.related_model
            if any(getattr(g, "related_model", None) is Customer for g in parent._meta.fields):
                q |= Q(**{f"{f.name}__in": _linked_rows(parent, ids).values("pk")})
    return model._default_manager.filter(q)


def _fill(ids: list[int], counter: Iterator[int]) -> list[str]:
    """Every erasable text field of every row of the customers `ids` gets its own sentinel;
    returns the tables filled."""
    filled = []
    for model in sorted(_customer_tables(), key=lambda m: m._meta.label):
        fields = _erasable_text(model)
        if not fields:
            continue
        for pk in _linked_rows(model, ids).values_list("pk", flat=True):
            values: dict[str, Any] = {}
            for field in fields:
                # as long as the column allows (a one-letter code gets the mark alone)
                mark = f"{MARK}{next(counter):x}"[: field.max_length or None]
                values[field.name] = {"s": mark} if isinstance(field, models.JSONField) else mark
            model._default_manager.filter(pk=pk).update(**values)
            filled.append(model._meta.label)
    return filled


def _sentinels_left() -> list[str]:
    """Every column of every table of the database (ours, Django's, the join tables) holding a
    sentinel, as "table.column: value"."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            for column in columns:
                name = connection.ops.quote_name(column.name)
                cursor.execute(
                    f"SELECT CAST({name} AS TEXT) FROM {connection.ops.quote_name(table)} "
                    f"WHERE CAST({name} AS TEXT) LIKE %s",
                    [f"%{MARK}%"],
                )
                found += [f"{table}.{column.name}: {value}" for (value,) in cursor.fetchall()]
    return found


def _owners(model: Any) -> set[int]:
    """The customers that have rows in `model` (directly, or through a table pointing at them)."""
    paths = [f.name for f in model._meta.fields if getattr(f, "related_model", None) is Customer]
    if not paths:
        for f in model._meta.fields:
            parent: Any = getattr(f, "related_model", None)
            if parent is not None:
                paths += [
                    f"{f.name}__{g.name}"
                    for g in parent._meta.fields
                    if getattr(g, "related_model", None) is Customer
                ]
    owners: set[int] = set()
    for path in paths:
        owners.update(model._default_manager.exclude(**{path: None}).values_list(path, flat=True))
    return owners


def _person_covering_every_table(owner: User) -> list[int]:
    """Customers of the demo salon who together have rows in every table with erasable text,
    each table's missing rows first made for one of them; the first is the survivor."""
    first = Customer.objects.order_by("pk").first()
    assert first is not None
    service = Service.objects.filter(business_id=first.business_id).order_by("pk").first()
    assert service is not None
    # what the demo does not make: a photo (with the customer's consent first: the demo's first
    # customer need not have given it), a refund, a card's and a package's ledger
    customer_update(actor=owner, customer_id=first.pk, data={"photo_consent": True})
    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(photo, format="JPEG")
    customer_photo_add(
        actor=owner,
        customer_id=first.pk,
        image=SimpleUploadedFile("p.jpg", photo.getvalue(), content_type="image/jpeg"),
        kind="before",
    )
    visit = sales.checkout(
        actor=owner,
        data={
            "customer_id": first.pk,
            "branch_id": first.branch_id,
            "lines": [{"service_id": service.pk, "staff_id": owner.pk}],
            "payments": [{"method": "cash", "amount_fen": service.price_fen}],
        },
    )
    sales.visit_refund(actor=owner, visit_id=visit.pk, reason="other", note="退款")
    card = sales.card_issue(
        actor=owner, customer_id=first.pk, branch_id=first.branch_id, number="ERASE-1"
    )
    sales.card_topup(actor=owner, card_id=card.pk, amount_fen=10000, method="cash")
    sales.package_sell(
        actor=owner,
        customer_id=first.pk,
        branch_id=first.branch_id,
        name="三次护理",
        service_ids=[service.pk],
        sessions=3,
        price_fen=10000,
        method="cash",
    )
    # a call from the customer's number before she was known, linked to her when "made a
    # customer" (the number is hers, so the call is hers)
    customer_update(actor=owner, customer_id=first.pk, data={"mobile": "13987654321"})
    reason = ContactReason.objects.filter(business_id=first.business_id).order_by("pk")[0]
    call = prospect_call_log(actor=owner, mobile="13987654321", reason_id=reason.pk, name="来电")
    prospect_convert(actor=owner, call_id=call.pk)
    tables = {m: _owners(m) for m in _customer_tables() if _erasable_text(m)}
    tables.pop(Customer)
    tables.pop(CustomerMerge)  # the merges below make these
    picked = [first.pk]
    uncovered = {m for m, owners in tables.items() if first.pk not in owners}
    while uncovered:
        best = max(
            {pk for m in uncovered for pk in tables[m]},
            key=lambda pk: (sum(pk in tables[m] for m in uncovered), -pk),
            default=None,
        )
        assert best is not None, sorted(m._meta.label for m in uncovered)
        picked.append(best)
        uncovered = {m for m in uncovered if best not in tables[m]}
    # the demo's data moves with today's date: on some days two customers cover every table;
    # the chain of merges takes at least three
    others = Customer.objects.filter(business_id=first.business_id, merged_into=None)
    others = others.exclude(pk__in=picked)
    picked += list(others.order_by("pk").values_list("pk", flat=True)[: max(0, 3 - len(picked))])
    return picked


@pytest.mark.django_db
def test_erasure_leaves_no_personal_value_in_any_row_of_the_person_merged_ones_included() -> None:
    """Every personal field of every row linked to a few customers holds a sentinel; they are
    merged in a chain (D into C, C into B, B into A) and A is erased: no table keeps a sentinel."""
    demo_build(customers=120, seed=5, username="owner", password="demo-pass-2026", progress=False)
    owner = User.objects.get(username="owner")
    person = _person_covering_every_table(owner)
    assert len(person) >= 3  # a chain of merges, not one
    filled = set(_fill(person, itertools.count(1)))
    assert len(_sentinels_left()) > 100
    tables = {m._meta.label for m in _customer_tables() if _erasable_text(m)}
    assert sorted(tables - filled) == ["customers.CustomerMerge"]  # made by the merges below

    for survivor, duplicate in reversed(list(itertools.pairwise(person))):
        customer_merge(actor=owner, survivor_id=survivor, duplicate_id=duplicate)
    assert customer_anonymise(actor=owner, customer_ids=[person[0]], reason="顾客要求删除") == 1

    assert _sentinels_left() == []
    assert not Customer.objects.filter(pk__in=person, anonymised_at=None).exists()


def test_a_merged_away_customer_is_erased_with_the_person_it_was_merged_into(
    owner: User, front_a: User
) -> None:
    first = customer_make(actor=front_a, mobile="13911110001")
    second = customer_make(actor=front_a, mobile="13911110002")
    customer_merge(actor=owner, survivor_id=first.pk, duplicate_id=second.pk)
    # the merged-away id stands for the person: erasing it erases both rows
    assert customer_anonymise(actor=owner, customer_ids=[second.pk], reason="删除", strict=True)
    assert not Customer.objects.filter(pk__in=[first.pk, second.pk], anonymised_at=None).exists()
    assert not Customer.objects.filter(mobile__startswith="1391111").exists()
