"""The menu's set-up through the API: each setting's happy path, refusals with their codes, who
may do what, costs hidden from those who may not see them, and a package sold from a template
(with an Idempotency-Key: sold once)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.sales import services
from liuke.sales.models import BonusRule, Package

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def send(client: Client, method: str, path: str, body: Any, **headers: str) -> Any:
    return client.generic(
        method, f"{API}{path}", json.dumps(body), content_type="application/json", headers=headers
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def test_the_owner_sets_up_a_menu_through_the_api(
    owner_client: Client, shop: Shop, beautician_a: User
) -> None:
    category = send(owner_client, "POST", "/menu/categories", {"name": "面部", "kind": "facial"})
    assert category.status_code == 201, category.content
    cid = category.json()["id"]
    created = send(
        owner_client,
        "POST",
        "/menu/services",
        {
            "name": "深层清洁",
            "category_id": cid,
            "duration_min": 75,
            "price_fen": 28800,
            "staff_ids": [beautician_a.pk],
            "processing_gap_min": 20,
        },
    )
    assert created.status_code == 201, created.content
    service = created.json()
    assert (service["processing_gap_min"], service["cleanup_min"]) == (20, 0)
    assert (service["category"], service["staff_ids"], service["is_active"]) == (
        "facial",
        [beautician_a.pk],
        True,
    )
    sid = service["id"]
    priced = send(
        owner_client,
        "PUT",
        f"/menu/services/{sid}/branch-prices/{shop.branch.pk}",
        {"price_fen": 26800},
    )
    assert priced.json()["branch_prices"] == {str(shop.branch.pk): 26800}
    retired = send(owner_client, "PATCH", f"/menu/services/{sid}", {"is_active": False})
    assert (retired.json()["is_active"], retired.json()["packages_covering"]) == (False, 0)
    listed = owner_client.get(f"{API}/menu/services").json()
    assert sid in [s["id"] for s in listed]


def test_a_retired_service_reports_the_packages_still_covering_it(
    owner_client: Client, shop: Shop
) -> None:
    body = send(owner_client, "PATCH", f"/menu/services/{shop.facial.pk}", {"is_active": False})
    assert body.json()["packages_covering"] == 1


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/menu/services/{facial}", {"price_fen": -100}, "invalid_amount"),
        ("/menu/services/{facial}", {"duration_min": 0}, "invalid_duration"),
        ("/menu/services/{facial}", {"cleanup_min": 300}, "invalid_timing"),
        ("/menu/card-tiers/{tier}", {"discount_pct": 120}, "invalid_percent"),
        ("/menu/card-tiers/{tier}", {"category_pct": {"1": 101}}, "invalid_category"),
        ("/menu/products/{mask}", {"price_fen": -1}, "invalid_amount"),
    ],
)
def test_bad_input_gets_a_clear_error(
    owner_client: Client, shop: Shop, path: str, body: dict[str, Any], code: str
) -> None:
    ids = {"facial": shop.facial.pk, "tier": shop.tier.pk, "mask": shop.mask.pk}
    assert_error(send(owner_client, "PATCH", path.format(**ids), body), 400, code)


def test_an_overlapping_bonus_rule_is_refused(owner_client: Client, shop: Shop) -> None:
    rule = {"pay_fen": 100000, "bonus_fen": 30000, "valid_from": "2030-01-01"}
    body = assert_error(
        send(owner_client, "POST", "/menu/bonus-rules", rule), 400, "bonus_rule_overlap"
    )
    assert body["fields"]
    assert BonusRule.objects.count() == 1
    ended = send(
        owner_client,
        "PATCH",
        f"/menu/bonus-rules/{BonusRule.objects.get().pk}",
        {"valid_until": "2029-12-31"},
    )
    assert ended.status_code == 200, ended.content
    added = send(owner_client, "POST", "/menu/bonus-rules", rule)
    assert added.status_code == 201, added.content
    assert added.json()["valid_from"] == "2030-01-01"


def test_tiers_with_category_prices(owner_client: Client, shop: Shop) -> None:
    cid = send(owner_client, "POST", "/menu/categories", {"name": "面部"}).json()["id"]
    tier = send(
        owner_client,
        "POST",
        "/menu/card-tiers",
        {
            "name": "钻石卡",
            "discount_pct": 80,
            "min_topup_fen": 1000000,
            "validity_months": 24,
            "category_pct": {str(cid): 70},
        },
    )
    assert tier.status_code == 201, tier.content
    assert tier.json()["category_pct"] == {str(cid): 70}
    names = [t["name"] for t in owner_client.get(f"{API}/menu/card-tiers").json()]
    assert names == ["金卡", "钻石卡"]


def test_only_the_owner_sets_up_and_the_manager_prices_their_branch(
    manager_a_client: Client, front_a_client: Client, shop: Shop, branch_b: Branch
) -> None:
    for client in (manager_a_client, front_a_client):
        assert_error(
            send(client, "PATCH", f"/menu/services/{shop.facial.pk}", {"price_fen": 1}),
            403,
            "permission_denied",
        )
    path = f"/menu/services/{shop.facial.pk}/branch-prices"
    mine = send(manager_a_client, "PUT", f"{path}/{shop.branch.pk}", {"price_fen": 9000})
    assert mine.status_code == 200, mine.content
    assert_error(
        send(manager_a_client, "PUT", f"{path}/{branch_b.pk}", {"price_fen": 9000}),
        400,
        "invalid_branch",
    )


def test_cost_is_hidden_from_a_beautician(
    owner_client: Client, beautician_a_client: Client, manager_a_client: Client, shop: Shop
) -> None:
    send(owner_client, "PATCH", f"/menu/products/{shop.mask.pk}", {"cost_fen": 1800})
    path = f"{API}/menu/products/{shop.mask.pk}"
    assert manager_a_client.get(path).json()["cost_fen"] == 1800
    assert beautician_a_client.get(path).json()["cost_fen"] is None
    assert "1800" not in beautician_a_client.get(path).content.decode()


def test_a_stock_count_through_the_api(manager_a_client: Client, shop: Shop) -> None:
    send(manager_a_client, "PATCH", f"/menu/products/{shop.mask.pk}", {"low_stock_at": 5})
    body = {"product_id": shop.mask.pk, "branch_id": shop.branch.pk, "counted": 4, "reason": "盘点"}
    counted = send(manager_a_client, "POST", "/stock/counts", body)
    assert counted.status_code == 200, counted.content
    assert counted.json()["stock"] == 4
    assert_error(
        send(manager_a_client, "POST", "/stock/counts", {**body, "reason": ""}),
        400,
        "reason_required",
    )


def test_templates_and_a_sale_from_one(
    owner_client: Client, front_a_client: Client, manager_a_client: Client, shop: Shop
) -> None:
    template = send(
        owner_client,
        "POST",
        "/menu/package-templates",
        {
            "name": "补水10次",
            "service_ids": [shop.facial.pk],
            "sessions": 10,
            "price_fen": 88000,
            "validity_days": 180,
        },
    )
    assert template.status_code == 201, template.content
    tid = template.json()["id"]
    sale = {
        "customer_id": shop.customer.pk,
        "branch_id": shop.branch.pk,
        "template_id": tid,
        "method": "cash",
    }
    sold = send(front_a_client, "POST", "/packages", sale, **{"Idempotency-Key": "sale-0001"})
    assert sold.status_code == 201, sold.content
    package = sold.json()
    assert (package["sessions_total"], package["price_fen"], package["template_id"]) == (
        10,
        88000,
        tid,
    )
    assert package["expires_on"] == str(timezone.localdate() + dt.timedelta(days=180))
    again = send(front_a_client, "POST", "/packages", sale, **{"Idempotency-Key": "sale-0001"})
    assert again.json()["id"] == package["id"]
    assert Package.objects.filter(template_id=tid).count() == 1
    # a front desk may not change the price; a manager may, with a reason
    assert_error(
        send(
            front_a_client, "POST", "/packages", {**sale, "price_fen": 80000, "price_reason": "x"}
        ),
        403,
        "price_override_not_allowed",
    )
    assert_error(
        send(manager_a_client, "POST", "/packages", {**sale, "price_fen": 80000}),
        400,
        "price_reason_required",
    )
    overridden = send(
        manager_a_client, "POST", "/packages", {**sale, "price_fen": 80000, "price_reason": "店庆"}
    )
    assert (overridden.json()["price_fen"], overridden.json()["price_reason"]) == (80000, "店庆")
    assert Package.objects.filter(template_id=tid).count() == 2


def test_the_menu_reads_are_the_businesss_own(outsider_client: Client, shop: Shop) -> None:
    assert outsider_client.get(f"{API}/menu/services").json() == []
    assert outsider_client.get(f"{API}/menu/services/{shop.facial.pk}").status_code == 404
    services.category_create(actor=shop.owner, name="面部")
    assert outsider_client.get(f"{API}/menu/categories").json() == []


#: GET /menu/services: the session, the user and their branches, then the services with their
#: categories, branch prices, performers, consumables and packages still covering them.
MENU_SERVICES_QUERIES = 7


@pytest.mark.parametrize("extra", [0, 12])
def test_the_menu_services_list_costs_the_same_queries_at_any_size(
    owner_client: Client,
    shop: Shop,
    beautician_a: User,
    extra: int,
    django_assert_num_queries: Any,
) -> None:
    """Each service with a branch price, a performer and a consumable: the list still reads
    them in one query each, not one set of queries per service (it once read the whole menu
    again for every service)."""
    category = services.category_create(actor=shop.owner, name="面部", kind="facial")
    for n in range(extra):
        service = services.service_create(
            actor=shop.owner,
            name=f"护理{n}",
            category_id=category.pk,
            duration_min=30,
            price_fen=1000 + n,
            staff_ids=[beautician_a.pk],
        )
        services.branch_price_set(
            actor=shop.owner, service_id=service.pk, branch_id=shop.branch.pk, price_fen=2000
        )
        services.consumable_set(
            actor=shop.owner, service_id=service.pk, product_id=shop.mask.pk, quantity=1
        )
    owner_client.get(f"{API}/menu/services")  # the session's first reads out of the way
    with django_assert_num_queries(MENU_SERVICES_QUERIES):
        listed = owner_client.get(f"{API}/menu/services")
    assert listed.status_code == 200
    assert len(listed.json()) == 2 + extra
