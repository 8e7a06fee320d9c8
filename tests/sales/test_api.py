"""The sales API: every operation's happy path, the refusals with their codes, the permission
matrix by persona, Idempotency-Key replays, and nothing half-written after a refusal."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.sales.shop import Shop, balances, counts, shop_make

from liuke.accounts.models import Branch, User
from liuke.core.models import IdempotencyRecord
from liuke.sales import ledger, services
from liuke.sales.models import CardEntry, Visit

API = "/api/v1"


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(
        f"{API}{path}", data=json.dumps(body), content_type="application/json", headers=headers
    )


def get(client: Client, path: str, **params: Any) -> Any:
    return client.get(f"{API}{path}", params)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code, body
    assert body["message"]
    return body


def checkout_body(shop: Shop, **extra: Any) -> dict[str, Any]:
    body = shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}])
    body.update(extra)
    return body


def a_visit(shop: Shop) -> Visit:
    return services.checkout(actor=shop.owner, data=checkout_body(shop))


# --- reads --------------------------------------------------------------------------------------


def test_catalogue_shows_branch_prices_and_stock(
    front_a_client: Client, shop: Shop, branch_b: Branch
) -> None:
    shop.branch.prices.create(service=shop.facial, price_fen=12000)
    services_ = get(front_a_client, "/catalogue/services", branch_id=shop.branch.pk).json()
    assert {s["name"]: s["price_fen"] for s in services_} == {"面部护理": 12000, "肩颈按摩": 20000}
    products = get(front_a_client, "/catalogue/products", branch_id=shop.branch.pk).json()
    assert products == [
        {"id": shop.mask.pk, "name": "补水面膜", "sku": "M1", "price_fen": 5000, "stock": 10}
    ]
    assert get(front_a_client, "/catalogue/products").json()[0]["stock"] is None
    # another branch's catalogue is not the front desk's to see
    assert_error(
        get(front_a_client, "/catalogue/services", branch_id=branch_b.pk), 404, "not_found"
    )


def test_customer_sales_summary(front_a_client: Client, shop: Shop) -> None:
    visit = a_visit(shop)
    services.visit_refund(actor=shop.owner, visit_id=visit.pk, reason="not_performed", note="未做")
    services.checkout(
        actor=shop.owner,
        data=checkout_body(shop, next_visit_at=timezone.now() + dt.timedelta(days=30)),
    )

    body = get(front_a_client, f"/customers/{shop.customer.pk}/sales").json()

    assert (body["visits"], body["spend_fen"], body["spend_12m_fen"]) == (2, 10000, 10000)
    assert body["last_visit"] is not None
    assert body["next_visit"] is not None
    assert body["stored_value_fen"] == 120000
    [card] = body["cards"]
    assert (card["number"], card["paid_fen"], card["bonus_fen"], card["tier"]) == (
        "VIP001",
        100000,
        20000,
        "金卡",
    )
    [package] = body["packages"]
    assert (package["remaining"], package["sessions_total"], package["price_fen"]) == (3, 3, 10000)


def test_daily_close_over_the_api(front_a_client: Client, shop: Shop, branch_b: Branch) -> None:
    a_visit(shop)
    day = timezone.now().astimezone(dt.UTC).date()
    from liuke.sales.selectors import day_window

    start, _end = day_window(shop.branch, day)
    if not start <= timezone.now() < _end:
        day = timezone.localtime(timezone.now(), start.tzinfo).date()
    body = get(front_a_client, "/daily-close", branch_id=shop.branch.pk, day=day).json()
    assert body["money_by_method"]["cash"] == 100000 + 10000
    assert body["visits"] == 1
    assert_error(
        get(front_a_client, "/daily-close", branch_id=branch_b.pk, day=day), 404, "not_found"
    )
    assert_error(
        get(front_a_client, "/daily-close", branch_id=shop.branch.pk, day="1000-01-01"),
        400,
        "invalid_date",
    )


# --- checkout -----------------------------------------------------------------------------------


def test_quote_prices_without_writing(front_a_client: Client, shop: Shop) -> None:
    before = counts()
    body = post(
        front_a_client,
        "/checkout/quote",
        shop.checkout_data(
            shop.line(), {"product_id": shop.mask.pk, "quantity": 2}, member_card_id=shop.card.pk
        ),
    ).json()
    assert (body["subtotal_fen"], body["total_fen"]) == (8800 + 8800, 17600)
    assert [line["unit_price_fen"] for line in body["lines"]] == [8800, 4400]
    assert counts() == before


def test_checkout_and_read_the_visit(front_a_client: Client, shop: Shop) -> None:
    answer = post(front_a_client, "/visits", checkout_body(shop, discount_fen=0))
    assert answer.status_code == 201, answer.content
    visit = answer.json()
    assert (visit["total_fen"], visit["status"]) == (10000, "completed")
    assert [(p["method"], p["amount_fen"]) for p in visit["payments"]] == [("cash", 10000)]
    again = get(front_a_client, f"/visits/{visit['id']}").json()
    assert again == visit


def test_checkout_refusals_write_nothing(front_a_client: Client, shop: Shop) -> None:
    before = counts()
    cases = [
        (checkout_body(shop, payments=[{"method": "cash", "amount_fen": 9999}]), 400,
         "payment_mismatch"),
        (checkout_body(shop, payments=[{"method": "cash", "amount_fen": 0}]), 422,
         "validation_error"),
        (checkout_body(shop, payments=[{"method": "cash", "amount_fen": -10000}]), 422,
         "validation_error"),
        (checkout_body(shop, payments=[{"method": "cash", "amount_fen": 100.5}]), 422,
         "validation_error"),
        (checkout_body(shop, discount_fen=100), 400, "discount_reason_required"),
        (shop.checkout_data(shop.line(shop.massage, package_id=shop.package.pk)), 400,
         "package_not_for_service"),
        (shop.checkout_data({"product_id": shop.mask.pk, "quantity": 11},
                            payments=[{"method": "cash", "amount_fen": 55000}]), 409,
         "insufficient_balance"),
        (checkout_body(shop, payments=[
            {"method": "stored_value", "amount_fen": 10000, "card_id": shop.card.pk + 999}]),
         404, "not_found"),
        (checkout_body(shop, visited_at="1950-01-01T00:00:00+08:00"), 400, "invalid_date"),
        (checkout_body(shop, visited_at="0001-01-01T00:00:00+08:00"), 400, "date_out_of_range"),
        (checkout_body(shop, lines=[]), 422, "validation_error"),
        ([1, 2], 422, "validation_error"),
    ]  # fmt: skip
    for body, status, code in cases:
        assert_error(post(front_a_client, "/visits", body), status, code)
    assert counts() == before


def test_checkout_with_an_idempotency_key_is_done_once(front_a_client: Client, shop: Shop) -> None:
    body = checkout_body(shop)
    first = post(front_a_client, "/visits", body, **{"Idempotency-Key": "tablet-7:0001"})
    before = counts()
    again = post(front_a_client, "/visits", body, **{"Idempotency-Key": "tablet-7:0001"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert counts() == before
    # the same key for another request is a client bug, said so
    other = checkout_body(shop, note="另一单")
    assert_error(
        post(front_a_client, "/visits", other, **{"Idempotency-Key": "tablet-7:0001"}),
        422,
        "idempotency_key_reused",
    )
    assert_error(
        post(front_a_client, "/visits", body, **{"Idempotency-Key": "short"}),
        400,
        "invalid_idempotency_key",
    )
    assert counts() == before


def test_a_refused_request_can_be_retried_with_the_same_key(
    front_a_client: Client, shop: Shop
) -> None:
    key = {"Idempotency-Key": "deduct-0000001"}
    url = f"/cards/{shop.card.pk}/deductions"
    assert_error(post(front_a_client, url, {"amount_fen": 200000}, **key), 409,
                 "insufficient_balance")  # fmt: skip
    assert IdempotencyRecord.objects.count() == 0
    services.card_topup(actor=shop.owner, card_id=shop.card.pk, amount_fen=100000, method="cash")
    assert post(front_a_client, url, {"amount_fen": 200000}, **key).status_code == 200
    assert balances(shop.card) == (200000 - 166667, 40000 - 33333)


# --- refunds ------------------------------------------------------------------------------------


def test_refund_a_line_then_nothing_more(manager_a_client: Client, shop: Shop) -> None:
    visit = services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            shop.line(),
            {"product_id": shop.mask.pk},
            payments=[{"method": "wechat", "amount_fen": 15000}],
        ),
    )
    mask_line = visit.lines.get(product=shop.mask)
    answer = post(
        manager_a_client,
        f"/visits/{visit.pk}/refunds",
        {"line_id": mask_line.pk, "reason": "allergy", "note": "过敏"},
    )
    assert answer.status_code == 201, answer.content
    assert (answer.json()["amount_fen"], answer.json()["line_id"]) == (5000, mask_line.pk)
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 10
    before = counts()
    assert_error(
        post(manager_a_client, f"/visits/{visit.pk}/refunds",
             {"line_id": mask_line.pk, "reason": "allergy"}),
        400, "nothing_to_refund",
    )  # fmt: skip
    assert_error(
        post(
            manager_a_client, f"/visits/{visit.pk}/refunds", {"line_id": 10**9, "reason": "other"}
        ),
        404,
        "not_found",
    )
    assert_error(
        post(manager_a_client, f"/visits/{visit.pk}/refunds", {"reason": "because"}),
        422,
        "validation_error",
    )
    assert counts() == before


# --- cards and packages -------------------------------------------------------------------------


def test_card_lifecycle(front_a_client: Client, manager_a_client: Client, shop: Shop) -> None:
    issued = post(
        front_a_client,
        "/cards",
        {"customer_id": shop.customer.pk, "branch_id": shop.branch.pk, "number": "vip-9"},
    )
    assert issued.status_code == 201, issued.content
    card = issued.json()
    assert (card["number"], card["balance_fen"], card["entries"]) == ("VIP-9", 0, [])
    url = f"/cards/{card['id']}"

    topped = post(front_a_client, f"{url}/topups", {"amount_fen": 100000, "method": "alipay"})
    assert (topped.json()["paid_fen"], topped.json()["bonus_fen"]) == (100000, 20000)
    deducted = post(front_a_client, f"{url}/deductions", {"amount_fen": 60000, "note": "电话预订"})
    assert (deducted.json()["paid_fen"], deducted.json()["bonus_fen"]) == (50000, 10000)
    assert_error(
        post(front_a_client, f"{url}/deductions", {"amount_fen": 60001}),
        409,
        "insufficient_balance",
    )
    assert_error(post(front_a_client, f"{url}/refund", {"method": "cash"}), 403,
                 "permission_denied")  # fmt: skip
    refunded = post(manager_a_client, f"{url}/refund", {"method": "cash"}).json()
    assert refunded["refunded_fen"] == 50000
    assert (refunded["card"]["status"], refunded["card"]["balance_fen"]) == ("closed", 0)
    entries = get(front_a_client, url).json()["entries"]
    assert [e["kind"] for e in entries] == ["refund", "deduct", "bonus", "topup"]
    assert sum(e["paid_delta_fen"] + e["bonus_delta_fen"] for e in entries) == 0


def test_card_amounts_must_be_positive_whole_fen(front_a_client: Client, shop: Shop) -> None:
    before = counts()
    url = f"/cards/{shop.card.pk}"
    for amount in (0, -1, 1.5, "100", None, 10**12):
        assert_error(
            post(front_a_client, f"{url}/topups", {"amount_fen": amount, "method": "cash"}),
            422,
            "validation_error",
        )
        assert_error(
            post(front_a_client, f"{url}/deductions", {"amount_fen": amount}),
            422,
            "validation_error",
        )
    assert_error(
        post(front_a_client, f"{url}/topups", {"amount_fen": 100, "method": "stored_value"}),
        422,
        "validation_error",
    )
    assert counts() == before


def test_an_expired_card_cannot_be_charged(front_a_client: Client, shop: Shop) -> None:
    shop.card.expires_on = timezone.localdate() - dt.timedelta(days=1)
    shop.card.save()
    before = counts()
    assert_error(
        post(front_a_client, f"/cards/{shop.card.pk}/deductions", {"amount_fen": 100}),
        400,
        "card_expired",
    )
    assert counts() == before


def test_package_sell_read_and_extend(
    front_a_client: Client, manager_a_client: Client, shop: Shop
) -> None:
    # The front desk sells from a template (issue 12: no longer a package typed in freely).
    template = services.template_create(
        actor=shop.owner,
        name="按摩10次",
        service_ids=[shop.massage.pk],
        sessions=10,
        price_fen=150000,
    )
    sold = post(
        front_a_client,
        "/packages",
        {
            "customer_id": shop.customer.pk,
            "branch_id": shop.branch.pk,
            "template_id": template.pk,
            "method": "bank_card",
        },
    )
    assert sold.status_code == 201, sold.content
    package = sold.json()
    assert (package["remaining"], package["service_ids"]) == (10, [shop.massage.pk])
    url = f"/packages/{package['id']}"
    assert get(front_a_client, url).json() == package
    new_date = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    assert_error(
        post(front_a_client, f"{url}/extend", {"expires_on": new_date, "reason": "出差"}),
        403,
        "permission_denied",
    )
    assert_error(
        post(manager_a_client, f"{url}/extend", {"expires_on": new_date, "reason": ""}),
        422,
        "validation_error",
    )
    extended = post(manager_a_client, f"{url}/extend", {"expires_on": new_date, "reason": "出差"})
    assert extended.status_code == 200, extended.content
    assert extended.json()["expires_on"] == new_date
    assert extended.json()["entries"][0]["kind"] == "extend"


def test_stock_receipts(manager_a_client: Client, front_a_client: Client, shop: Shop) -> None:
    body = {"product_id": shop.mask.pk, "branch_id": shop.branch.pk, "quantity": 5}
    assert post(manager_a_client, "/stock/receipts", body).json()["stock"] == 15
    assert_error(
        post(manager_a_client, "/stock/receipts", body | {"quantity": -16}),
        409,
        "insufficient_balance",
    )
    assert_error(post(front_a_client, "/stock/receipts", body), 403, "permission_denied")
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 15


# --- the permission matrix ----------------------------------------------------------------------

WRITE = "write"
READ = "read"


def _operations(shop: Shop, visit: Visit) -> list[tuple[str, str, str, Any]]:
    """(name, kind, path, body or None for GET)."""
    card, package = shop.card.pk, shop.package.pk
    day = timezone.localdate().isoformat()
    new_date = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    return [
        ("checkout", WRITE, "/visits", checkout_body(shop)),
        ("quote", WRITE, "/checkout/quote", checkout_body(shop)),
        ("refund", WRITE, f"/visits/{visit.pk}/refunds", {"reason": "other"}),
        ("topup", WRITE, f"/cards/{card}/topups", {"amount_fen": 100, "method": "cash"}),
        ("deduct", WRITE, f"/cards/{card}/deductions", {"amount_fen": 100}),
        ("card_refund", WRITE, f"/cards/{card}/refund", {"method": "cash"}),
        ("extend", WRITE, f"/packages/{package}/extend", {"expires_on": new_date, "reason": "r"}),
        ("visit", READ, f"/visits/{visit.pk}", None),
        ("card", READ, f"/cards/{card}", None),
        ("package", READ, f"/packages/{package}", None),
        ("sales", READ, f"/customers/{shop.customer.pk}/sales", None),
        ("close", READ, f"/daily-close?branch_id={shop.branch.pk}&day={day}", None),
    ]


#: persona → {operation: expected status}. Writes are tried in the order listed, so the refund
#: comes before the card refund closes the card.
MATRIX: dict[str, dict[str, int]] = {
    "front_a": {
        "checkout": 201, "quote": 200, "refund": 403, "topup": 200, "deduct": 200,
        "card_refund": 403, "extend": 403,
        "visit": 200, "card": 200, "package": 200, "sales": 200, "close": 200,
    },
    # Spend totals and cards are financial figures (finance.view): not for beauticians (a
    # visit and a package they read without their money: tests/privacy/test_sentinels.py).
    "beautician_a": {
        "checkout": 403, "quote": 403, "refund": 403, "topup": 403, "deduct": 403,
        "card_refund": 403, "extend": 403,
        "visit": 200, "card": 403, "package": 200, "sales": 403, "close": 403,
    },
    "auditor": {
        "checkout": 403, "quote": 403, "refund": 403, "topup": 403, "deduct": 403,
        "card_refund": 403, "extend": 403,
        "visit": 200, "card": 200, "package": 200, "sales": 200, "close": 200,
    },
    "front_b": {
        "checkout": 404, "quote": 404, "refund": 403, "topup": 404, "deduct": 404,
        "card_refund": 403, "extend": 403,
        "visit": 404, "card": 404, "package": 404, "sales": 404, "close": 404,
    },
    "outsider": {
        "checkout": 404, "quote": 404, "refund": 404, "topup": 404, "deduct": 404,
        "card_refund": 404, "extend": 404,
        "visit": 404, "card": 404, "package": 404, "sales": 404, "close": 404,
    },
    "manager_a": {
        "checkout": 201, "quote": 200, "refund": 201, "topup": 200, "deduct": 200,
        "card_refund": 200, "extend": 200,
        "visit": 200, "card": 200, "package": 200, "sales": 200, "close": 200,
    },
}  # fmt: skip


ERROR_KEYS = {"code", "message", "fields"}


@pytest.mark.parametrize("persona", list(MATRIX))
def test_permission_matrix(
    persona: str,
    shop: Shop,
    client_for: Callable[[User], Client],
    request: pytest.FixtureRequest,
) -> None:
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    visit = a_visit(shop)
    got: dict[str, int] = {}
    # for each refusal: (the error's keys, nothing written, no card entry written)
    refusals: dict[str, tuple[set[str], bool, bool]] = {}
    for name, kind, path, body in _operations(shop, visit):
        before = counts()
        entries = CardEntry.objects.count()
        answer = get(client, path) if kind == READ else post(client, path, body)
        got[name] = answer.status_code
        refusals[name] = (
            set(answer.json()) if answer.status_code >= 400 else ERROR_KEYS,
            counts() == before,
            CardEntry.objects.count() == entries,
        )
    assert got == MATRIX[persona]
    refused = {name for name, status in got.items() if status >= 400}
    assert {name: refusals[name] for name in refused} == {
        name: (ERROR_KEYS, True, True) for name in refused
    }


def test_not_logged_in_is_401(client: Client, shop: Shop) -> None:
    assert_error(get(client, f"/cards/{shop.card.pk}"), 401, "not_authenticated")
    assert_error(post(client, "/visits", checkout_body(shop)), 401, "not_authenticated")
