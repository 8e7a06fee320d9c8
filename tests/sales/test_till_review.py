"""Till faults found in review: a large top-up over the API is confirmed like on the page, a
retired card tier is offered nowhere and refused when named (its cards keep working), and a
product is priced by its tier's percentage for the product's category like a service."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.sales.shop import Shop, balances, counts, shop_make

from liuke.accounts.models import Branch, User
from liuke.core.errors import ServiceError
from liuke.sales import services
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import CardTier, MenuCategory, Product, TierCategoryPrice
from liuke.sales.services.cards import LARGE_TOPUP_FEN

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"{API}{path}", data=json.dumps(body), content_type="application/json")


# --- a large top-up over the API ----------------------------------------------------------------


def test_an_api_topup_above_the_threshold_needs_confirm(front_a_client: Client, shop: Shop) -> None:
    url = f"/cards/{shop.card.pk}/topups"
    before, balance = counts(), balances(shop.card)
    large = {"amount_fen": LARGE_TOPUP_FEN + 1, "method": "cash"}
    for body in (large, {**large, "confirm": False}):
        refused = post(front_a_client, url, body)
        assert refused.status_code == 400, refused.content
        assert refused.json()["code"] == "topup_confirmation_required"
        assert list(refused.json()["fields"]) == ["confirm"]
    assert (counts(), balances(shop.card)) == (before, balance)
    taken = post(front_a_client, url, {**large, "confirm": True})
    assert taken.status_code == 200, taken.content
    assert taken.json()["paid_fen"] == balance[0] + LARGE_TOPUP_FEN + 1


def test_an_api_topup_at_the_threshold_needs_no_confirm(front_a_client: Client, shop: Shop) -> None:
    url = f"/cards/{shop.card.pk}/topups"
    taken = post(front_a_client, url, {"amount_fen": LARGE_TOPUP_FEN, "method": "cash"})
    assert taken.status_code == 200, taken.content


# --- a retired card tier ------------------------------------------------------------------------


def _retire(shop: Shop) -> CardTier:
    services.tier_update(actor=shop.owner, tier_id=shop.tier.pk, data={"is_active": False})
    shop.tier.refresh_from_db()
    assert not shop.tier.is_active
    return shop.tier


def test_a_retired_tier_is_refused_at_card_issue(shop: Shop) -> None:
    tier = _retire(shop)
    with pytest.raises(ServiceError) as refused:
        services.card_issue(
            actor=shop.owner,
            customer_id=shop.customer.pk,
            branch_id=shop.branch.pk,
            number="VIP777",
            tier_id=tier.pk,
        )
    assert refused.value.code == SalesErrorCode.TIER_RETIRED


def test_a_retired_tier_is_refused_by_the_api(front_a_client: Client, shop: Shop) -> None:
    tier = _retire(shop)
    before = counts()
    body = {
        "customer_id": shop.customer.pk,
        "branch_id": shop.branch.pk,
        "number": "VIP778",
        "tier_id": tier.pk,
    }
    refused = post(front_a_client, "/cards", body)
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "tier_retired"
    assert counts() == before


def test_a_retired_tier_is_not_offered_on_the_profile(owner_client: Client, shop: Shop) -> None:
    silver = CardTier.objects.create(business_id=shop.tier.business_id, name="银卡")
    _retire(shop)
    page = owner_client.get(f"/customers/{shop.customer.pk}/")
    assert page.status_code == 200
    form = page.context["card_issue_form"]
    offered = [value for value, _label in form.fields["tier_id"].choices]
    assert offered == ["", silver.pk]


def test_a_card_on_a_retired_tier_keeps_working(shop: Shop) -> None:
    _retire(shop)
    services.card_topup(actor=shop.owner, card_id=shop.card.pk, amount_fen=10000, method="cash")
    quote = services.checkout_quote(
        actor=shop.owner, data=shop.checkout_data(member_card_id=shop.card.pk)
    )
    assert quote.lines[0].unit_price_fen == 8800  # still the tier's member price
    visit = services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            member_card_id=shop.card.pk,
            payments=[{"method": "stored_value", "card_id": shop.card.pk, "amount_fen": 8800}],
        ),
    )
    assert visit.total_fen == 8800


# --- a product's member price -------------------------------------------------------------------


def test_a_product_takes_its_categorys_tier_price(shop: Shop) -> None:
    """金卡 pays 88 % of list, 60 % on 护肤品: a ¥50.00 mask in 护肤品 costs ¥30.00, as a service
    of that category would."""
    retail = MenuCategory.objects.create(business_id=shop.tier.business_id, name="护肤品")
    TierCategoryPrice.objects.create(tier=shop.tier, category=retail, price_pct=60)
    services.product_update(
        actor=shop.owner, product_id=shop.mask.pk, data={"category_id": retail.pk}
    )
    data = shop.checkout_data({"product_id": shop.mask.pk}, member_card_id=shop.card.pk)
    quote = services.checkout_quote(actor=shop.owner, data=data)
    assert quote.lines[0].unit_price_fen == 3000


def test_a_product_without_a_category_takes_the_tiers_own_price(shop: Shop) -> None:
    retail = MenuCategory.objects.create(business_id=shop.tier.business_id, name="护肤品")
    TierCategoryPrice.objects.create(tier=shop.tier, category=retail, price_pct=60)
    data = shop.checkout_data({"product_id": shop.mask.pk}, member_card_id=shop.card.pk)
    quote = services.checkout_quote(actor=shop.owner, data=data)
    assert quote.lines[0].unit_price_fen == 4400


def test_a_products_category_is_set_on_its_pages(owner_client: Client, shop: Shop) -> None:
    retail = MenuCategory.objects.create(business_id=shop.tier.business_id, name="护肤品")
    form = {"name": "精华", "sku": "E1", "price": "99", "low_stock_at": "0"}
    created = owner_client.post("/sales/catalogue/products/new/", {**form, "category_id": ""})
    assert created.status_code == 302
    product = Product.objects.get(sku="E1")
    assert product.menu_category_id is None
    url = f"/sales/catalogue/products/{product.pk}/"
    assert 'name="category_id"' in owner_client.get(url).content.decode()
    edited = owner_client.post(url, {**form, "category_id": str(retail.pk), "is_active": "true"})
    assert edited.status_code == 302
    product.refresh_from_db()
    assert product.menu_category_id == retail.pk


def test_a_products_category_over_the_api(owner_client: Client, shop: Shop) -> None:
    retail = MenuCategory.objects.create(business_id=shop.tier.business_id, name="护肤品")
    body = {"name": "精华", "sku": "E2", "price_fen": 9900, "category_id": retail.pk}
    created = post(owner_client, "/menu/products", body)
    assert created.status_code == 201, created.content
    assert created.json()["category_id"] == retail.pk
    refused = post(owner_client, "/menu/products", {**body, "sku": "E3", "category_id": 999999})
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "invalid_category"
