"""Exchanges: a line of a visit swapped for other services or products, all or nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from tests.sales.shop import Shop, counts, shop_make

from liuke.accounts.models import Branch, User
from liuke.accounts.policy import business_of
from liuke.core.errors import PermissionDenied, ServiceError
from liuke.sales import ledger, services
from liuke.sales.models import Payment, Product, Refund, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.fixture
def serum(shop: Shop, owner: User) -> Product:
    serum = Product.objects.create(
        business_id=business_of(owner), name="精华液", sku="S1", price_fen=8000
    )
    services.stock_receive(actor=owner, product_id=serum.pk, branch_id=shop.branch.pk, quantity=5)
    return serum


def _mask_sale(shop: Shop, actor: User) -> Visit:
    return services.checkout(
        actor=actor,
        data={
            "customer_id": shop.customer.pk,
            "branch_id": shop.branch.pk,
            "lines": [{"product_id": shop.mask.pk, "quantity": 1}],
            "payments": [{"method": "wechat", "amount_fen": 5000}],
        },
    )


def test_a_product_exchanged_for_another(
    shop: Shop, serum: Product, front_a: User, manager_a: User
) -> None:
    sale = _mask_sale(shop, front_a)
    line = sale.lines.get()
    refund, new = services.visit_exchange(
        actor=manager_a,
        visit_id=sale.pk,
        line_id=line.pk,
        data={
            "lines": [{"product_id": serum.pk, "quantity": 1}],
            "payments": [{"method": "wechat", "amount_fen": 8000}],
            "note": "换成精华液",
        },
    )
    # the mask is back on the shelf and its money went back by WeChat Pay
    assert (refund.reason, refund.amount_fen, refund.exchange_visit_id) == (
        "exchange",
        5000,
        new.pk,
    )
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 10
    assert Payment.objects.get(visit=sale, purpose="refund").amount_fen == -5000
    # the serum is sold on a new visit for the same customer and branch
    assert (new.customer_id, new.branch_id, new.total_fen) == (
        shop.customer.pk,
        shop.branch.pk,
        8000,
    )
    assert f"#{sale.pk}" in new.note
    assert ledger.stock_on_hand(serum, shop.branch) == 4


def test_an_exchange_is_all_or_nothing(
    shop: Shop, serum: Product, front_a: User, manager_a: User
) -> None:
    sale = _mask_sale(shop, front_a)
    before = counts()
    with pytest.raises(ServiceError) as exc:
        services.visit_exchange(
            actor=manager_a,
            visit_id=sale.pk,
            line_id=sale.lines.get().pk,
            data={
                "lines": [{"product_id": serum.pk, "quantity": 1}],
                "payments": [{"method": "wechat", "amount_fen": 100}],  # does not add up
            },
        )
    assert exc.value.code == "payment_mismatch"
    assert counts() == before
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 9


def test_front_desk_cannot_exchange(shop: Shop, serum: Product, front_a: User) -> None:
    sale = _mask_sale(shop, front_a)
    with pytest.raises(PermissionDenied):
        services.visit_exchange(
            actor=front_a,
            visit_id=sale.pk,
            line_id=sale.lines.get().pk,
            data={"lines": [{"product_id": serum.pk}], "payments": []},
        )


def test_the_exchange_api_and_page(
    shop: Shop, serum: Product, front_a: User, manager_a: User, manager_a_client: Client
) -> None:
    sale = _mask_sale(shop, front_a)
    line = sale.lines.get()
    body = {
        "line_id": line.pk,
        "lines": [{"product_id": serum.pk}],
        "payments": [{"method": "cash", "amount_fen": 8000}],
    }
    response = manager_a_client.post(
        f"/api/v1/visits/{sale.pk}/exchanges",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="exchange-0001",
    )
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["refund"]["exchange_visit_id"] == first["visit"]["id"]
    again = manager_a_client.post(
        f"/api/v1/visits/{sale.pk}/exchanges",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="exchange-0001",
    )
    assert again.json() == first
    assert Refund.objects.count() == 1
    # the visit page links the exchange; the checkout page carries it
    page = manager_a_client.get(f"/sales/visits/{sale.pk}/").content.decode()
    assert f"/sales/visits/{first['visit']['id']}/" in page
    other = _mask_sale(shop, front_a)
    checkout = manager_a_client.get(
        f"/sales/checkout/?customer={shop.customer.pk}&exchange={other.pk}"
        f"&line={other.lines.get().pk}"
    ).content.decode()
    assert 'id="exchange-banner"' in checkout
    assert 'name="exchange_line"' in checkout


def test_the_checkout_page_completes_an_exchange(
    shop: Shop, serum: Product, front_a: User, manager_a_client: Client
) -> None:
    from tests.sales.test_pages import checkout_post

    sale = _mask_sale(shop, front_a)
    data = checkout_post(
        shop,
        idempotency_key="page-exchange-0001",
        line_item=[f"p:{serum.pk}", ""],
        line_staff=["", ""],
        pay_amount=["80.00", ""],
        exchange_visit=sale.pk,
        exchange_line=sale.lines.get().pk,
    )
    response = manager_a_client.post("/sales/checkout/", data)
    assert response.status_code == 302
    refund = Refund.objects.get(visit=sale)
    assert refund.reason == "exchange"
    assert response["Location"] == f"/sales/visits/{refund.exchange_visit_id}/receipt/"
    assert ledger.stock_on_hand(serum, shop.branch) == 4
