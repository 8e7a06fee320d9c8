"""A checkout is parsed once: the page's rows decode into the API's body (`CheckoutIn`), which
checks them, and the services get the same data from either."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.http import QueryDict
from django.utils import timezone, translation

from liuke.sales.choices import PaymentMethod
from liuke.sales.forms import CheckoutPost
from liuke.sales.schemas import CheckoutIn


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def page(**fields: str | list[str]) -> QueryDict:
    post = QueryDict(mutable=True)
    base: dict[str, str | list[str]] = {
        "customer_id": "7",
        "branch_id": "3",
        "idempotency_key": "page-key-000001",
        "line_item": ["s:11", "p:12", ""],
        "line_staff": ["5", "", ""],
        "line_qty": ["1", "2", "1"],
        "line_package": ["9", "", ""],
        "pay_method": ["cash", "card:4", ""],
        "pay_amount": ["100.00", "50", ""],
        "discount_kind": "yuan",
        "discount_value": "10.50",
        "discount_reason": "老客",
        "note": "  ",
    }
    base.update(fields)
    for name, value in base.items():
        post.setlist(name, value if isinstance(value, list) else [value])
    return post


def test_the_page_and_the_api_give_the_services_the_same_data() -> None:
    # given a page's POST and the API body that says the same
    posted = CheckoutPost(page())
    body = CheckoutIn.model_validate(
        {
            "customer_id": 7,
            "branch_id": 3,
            "lines": [
                {"service_id": 11, "staff_id": 5, "quantity": 1, "package_id": 9},
                {"product_id": 12, "quantity": 2},
            ],
            "payments": [
                {"method": "cash", "amount_fen": 10000},
                {"method": "stored_value", "amount_fen": 5000, "card_id": 4},
            ],
            "discount_fen": 1050,
            "discount_reason": "老客",
            "note": "  ",
        }
    )
    # then both reach the services as one and the same data
    assert posted.errors == []
    assert posted.data == body.service_data(idempotency_key="page-key-000001")
    assert posted.paid_fen == 15000


def test_the_models_refusals_are_worded_by_row() -> None:
    posted = CheckoutPost(
        page(line_qty=["0", "2", "1"], pay_method=["", "card:4", ""], discount_kind="pct")
    )
    assert posted.input is None
    assert posted.errors == [
        "Line 1: quantity 1 to 99.",
        "A percentage discount is 1 to 100.",
        "Payment 1: choose a method.",
    ]


def test_a_bare_stored_value_method_needs_a_card() -> None:
    posted = CheckoutPost(page(pay_method=[PaymentMethod.STORED_VALUE, "cash", ""]))
    assert posted.errors == ["Payment 1: choose a method."]


def test_amounts_in_yuan_and_the_next_visit_are_the_pages_to_read() -> None:
    # a next visit is at most two years ahead (liuke.core.inputs.PlannedMoment)
    year = timezone.localdate().year + 1
    posted = CheckoutPost(page(pay_amount=["1.234", "50", ""], next_visit_at=f"{year}-01-02T10:00"))
    assert [e.split(":")[0] for e in posted.errors] == ["Payment 1"]
    assert posted.input is not None
    assert posted.data["next_visit_at"] == timezone.make_aware(dt.datetime(year, 1, 2, 10, 0))


def test_no_lines_is_left_to_the_service_to_say() -> None:
    posted = CheckoutPost(page(line_item=["", "", ""]))
    assert posted.errors == []
    assert posted.input is None
    assert posted.data["lines"] == []
