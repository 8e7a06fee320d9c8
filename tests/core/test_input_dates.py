"""Every day typed in is bounded (`liuke.core.inputs`: `Day`, `PlannedDay`, `Moment`,
`PlannedMoment`, and `DayField` for a Django form): nothing before 1900 or after 2100, and what is
planned (a next visit, a due day) at most two years ahead, refused by the API with 400
`date_out_of_range` (a rule, as the schema allows any ISO day). The walk sends the year 9999 and
1899 to every date and date-time property of every request body of the OpenAPI schema; the
pages are checked where a date box writes (the checkout's next visit, a package's expiry).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from tests.core.openapi_walk import json_bodies, leaves, messages_at, send_at
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.core.errors import CoreErrorCode
from liuke.core.inputs import PLANNING_AHEAD, DayField, out_of_range
from liuke.sales.models import Visit

pytestmark = pytest.mark.django_db


def _kind(schema: dict[str, Any]) -> str | None:
    kind = schema.get("format")
    return kind if kind in ("date", "date-time") else None


CASES = [
    (method, path, ".".join(str(p) for p in where), f"{day}T10:00:00" if kind != "date" else day)
    for method, path, body in json_bodies()
    for where, kind in leaves(body, _kind)
    for day in ("9999-12-31", "1899-12-31")
]


def test_the_walk_covers_the_dates() -> None:
    fields = {field for _m, _u, field, _v in CASES}
    assert {"next_visit_at", "expires_on", "due_on", "birthday", "held_on"} <= fields


@pytest.mark.parametrize(("method", "url", "field", "value"), CASES)
def test_a_day_out_of_bounds_is_refused(
    owner_client: Client, method: str, url: str, field: str, value: str
) -> None:
    owner_client.cookies["django_language"] = "en"
    response = send_at(owner_client, method, url, field, value)
    # 400 date_out_of_range when the day is all that is wrong, else 422 with the rest
    assert response.status_code in (400, 422), response.content[:300]
    messages = messages_at(response, field)
    assert any(m.startswith("Enter a date between 1900-01-01 and ") for m in messages), messages


def _planned(days: int) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/visits", {"next_visit_at": _planned(PLANNING_AHEAD.days + 10)}),
        ("/api/v1/complaints/1/actions", {"due_on": _planned(800)[:10]}),
        ("/api/v1/engagement/followups/1/reschedule", {"due_on": _planned(800)[:10]}),
    ],
)
def test_what_is_planned_is_at_most_two_years_ahead(
    owner_client: Client, url: str, body: dict[str, str]
) -> None:
    owner_client.cookies["django_language"] = "en"
    response = owner_client.post(url, body, content_type="application/json")
    # 400 date_out_of_range when the day is all that is wrong, else 422 with the rest
    assert response.status_code in (400, 422), response.content[:300]
    found = messages_at(response, next(iter(body)))
    assert any(m.startswith("Enter a date between") for m in found), found


def test_a_day_that_is_all_that_is_wrong_is_a_400_with_its_code(owner_client: Client) -> None:
    response = owner_client.post(
        "/api/v1/customers",
        {"name": "张三", "birthday": "9999-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 422  # no branch: the schema's refusal wins
    patch = owner_client.patch(
        "/api/v1/customers/1", {"birthday": "9999-12-31"}, content_type="application/json"
    )
    assert patch.status_code == 400
    assert patch.json()["code"] == CoreErrorCode.DATE_OUT_OF_RANGE


def test_a_year_ahead_is_a_plannable_day() -> None:
    assert out_of_range(timezone.localdate() + dt.timedelta(days=365), ahead=PLANNING_AHEAD) is None
    assert out_of_range(dt.date(2100, 12, 31)) is None
    assert out_of_range(dt.date(2101, 1, 1)) is not None
    assert out_of_range(dt.date(1899, 12, 31)) is not None


def test_a_forms_date_box_is_bounded() -> None:
    field = DayField(required=False)
    assert field.clean("2030-05-01") == dt.date(2030, 5, 1)
    assert field.clean("") is None
    with pytest.raises(ValidationError) as refused:
        field.clean("9999-12-31")
    assert refused.value.code == CoreErrorCode.DATE_OUT_OF_RANGE


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.mark.parametrize("next_visit", ["9999-12-31T10:00", _planned(PLANNING_AHEAD.days + 10)])
def test_the_checkout_page_refuses_a_next_visit_too_far_ahead(
    front_a_client: Client, shop: Shop, next_visit: str
) -> None:
    data = {
        "customer_id": shop.customer.pk,
        "branch_id": shop.branch.pk,
        "line_item": [f"s:{shop.facial.pk}"],
        "line_staff": [shop.beautician.pk],
        "line_qty": ["1"],
        "line_package": [""],
        "pay_method": ["cash"],
        "pay_amount": ["100.00"],
        "next_visit_at": next_visit,
    }
    front_a_client.cookies["django_language"] = "en"
    response = front_a_client.post("/sales/checkout/", data)
    assert Visit.objects.count() == 0
    assert "Enter a date between" in response.content.decode()


def test_the_package_page_refuses_an_expiry_in_the_year_9999(
    manager_a_client: Client, shop: Shop
) -> None:
    before = shop.package.expires_on
    manager_a_client.post(
        f"/sales/packages/{shop.package.pk}/extend/", {"expires_on": "9999-12-31", "reason": "x"}
    )
    shop.package.refresh_from_db()
    assert shop.package.expires_on == before
