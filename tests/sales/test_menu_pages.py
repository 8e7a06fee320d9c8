"""The menu's set-up pages: the owner adds a category, a service, a product, a tier with a
category price, a bonus rule and a package template; a manager prices their branch and counts
stock; a front desk sells from the template; refusals come back as a message; costs are hidden
from beauticians."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.sales import ledger, services
from liuke.sales.models import (
    BonusRule,
    CardTier,
    MenuCategory,
    PackageTemplate,
    Product,
    Service,
    TierCategoryPrice,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def followed(client: Client, url: str, data: dict[str, object]) -> str:
    """POST, follow the redirect, the page's text (with its message)."""
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_owner_sets_up_a_menu_through_the_pages(
    owner_client: Client, shop: Shop, beautician_a: User
) -> None:
    followed(owner_client, "/sales/catalogue/categories/", {"name": "面部", "kind": "facial"})
    category = MenuCategory.objects.get(name="面部")
    html = followed(
        owner_client,
        "/sales/catalogue/services/new/",
        {
            "name": "深层清洁",
            "category_id": category.pk,
            "duration_min": "75",
            "price": "288",
            "performer_roles": ["beautician", "manager"],
        },
    )
    service = Service.objects.get(name="深层清洁")
    assert (service.price_fen, service.menu_category_id, service.category) == (
        28800,
        category.pk,
        "facial",
    )
    assert "深层清洁" in html  # the service's own page
    followed(
        owner_client,
        f"/sales/catalogue/services/{service.pk}/",
        {
            "name": "深层清洁",
            "category_id": category.pk,
            "duration_min": "75",
            "price": "298.50",
            "processing_gap_min": "25",
            "cleanup_min": "10",
            "performer_roles": ["beautician"],
            "staff_ids": [beautician_a.pk],
            "is_active": "true",
        },
    )
    service.refresh_from_db()
    assert (service.price_fen, service.performer_roles) == (29850, ["beautician"])
    assert (service.processing_gap_min, service.cleanup_min) == (25, 10)
    assert list(service.skills.values_list("staff_id", flat=True)) == [beautician_a.pk]
    followed(
        owner_client,
        "/sales/catalogue/products/new/",
        {"name": "精华", "sku": "E1", "price": "99", "cost": "30", "low_stock_at": "3"},
    )
    assert Product.objects.get(sku="E1").cost_fen == 3000
    followed(
        owner_client,
        "/sales/catalogue/tiers/",
        {"name": "钻石卡", "discount_pct": "75", f"pct_{category.pk}": "60", "min_topup": "10000"},
    )
    tier = CardTier.objects.get(name="钻石卡")
    assert tier.min_topup_fen == 1_000_000
    assert TierCategoryPrice.objects.get(tier=tier).price_pct == 60
    followed(owner_client, "/sales/catalogue/bonus-rules/", {"pay": "5000", "bonus": "1500"})
    assert BonusRule.objects.filter(pay_fen=500000, bonus_fen=150000).exists()
    followed(
        owner_client,
        "/sales/catalogue/templates/",
        {"name": "清洁5次", "sessions": "5", "price": "1200", "service_ids": [service.pk]},
    )
    template = PackageTemplate.objects.get(name="清洁5次")
    assert (template.sessions, template.price_fen) == (5, 120000)
    for page in ("/sales/catalogue/", "/sales/catalogue/tiers/", "/sales/catalogue/templates/"):
        assert owner_client.get(page).status_code == 200


def test_refusals_come_back_as_a_message_and_change_nothing(
    owner_client: Client, shop: Shop
) -> None:
    html = followed(
        owner_client,
        f"/sales/catalogue/services/{shop.facial.pk}/",
        {"price": "-5", "is_active": "true", "performer_roles": ["beautician"]},
    )
    assert "below zero" in html or "不能低于零" in html
    assert Service.objects.get(pk=shop.facial.pk).price_fen == 10000
    html = followed(
        owner_client, f"/sales/catalogue/tiers/{shop.tier.pk}/", {"discount_pct": "150"}
    )
    assert CardTier.objects.get(pk=shop.tier.pk).discount_pct == 88
    followed(owner_client, "/sales/catalogue/bonus-rules/", {"pay": "1000", "bonus": "100"})
    assert BonusRule.objects.count() == 1  # overlaps the shop's ¥1,000 rule


def test_the_menu_page_for_each_role(
    owner_client: Client,
    manager_a_client: Client,
    beautician_a_client: Client,
    shop: Shop,
) -> None:
    services.product_update(actor=shop.owner, product_id=shop.mask.pk, data={"cost_fen": 1234})
    owner_html = owner_client.get("/sales/catalogue/").content.decode()
    assert "/sales/catalogue/categories/" in owner_html
    assert "/sales/catalogue/products/new/" in owner_html
    assert "12.34" in owner_html
    manager_html = manager_a_client.get("/sales/catalogue/").content.decode()
    assert "/sales/catalogue/categories/" not in manager_html
    assert "/sales/catalogue/products/new/" not in manager_html
    assert "/sales/catalogue/stock/count/" in manager_html
    assert "12.34" in manager_html
    beautician_html = beautician_a_client.get("/sales/catalogue/").content.decode()
    assert "12.34" not in beautician_html
    assert "面部护理" in beautician_html
    product_html = beautician_a_client.get(f"/sales/catalogue/products/{shop.mask.pk}/")
    assert "12.34" not in product_html.content.decode()


def test_a_manager_prices_their_branch_and_counts_stock(
    manager_a_client: Client, shop: Shop, branch_b: Branch
) -> None:
    followed(
        manager_a_client,
        f"/sales/catalogue/services/{shop.facial.pk}/branch-price/",
        {"branch_id": shop.branch.pk, "price": "90"},
    )
    assert services.list_price(shop.facial, shop.branch) == 9000
    followed(
        manager_a_client,
        f"/sales/catalogue/services/{shop.facial.pk}/branch-price/",
        {"branch_id": branch_b.pk, "price": "80"},
    )
    assert services.list_price(shop.facial, branch_b) == 10000
    Product.objects.filter(pk=shop.mask.pk).update(low_stock_at=5)
    html = followed(
        manager_a_client,
        "/sales/catalogue/stock/count/",
        {"product_id": shop.mask.pk, "branch_id": shop.branch.pk, "counted": "3", "reason": "盘点"},
    )
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 3
    assert "low-stock" in html


def test_a_retired_service_page_warns_of_its_packages(owner_client: Client, shop: Shop) -> None:
    services.service_update(actor=shop.owner, service_id=shop.facial.pk, data={"is_active": False})
    html = owner_client.get(f"/sales/catalogue/services/{shop.facial.pk}/").content.decode()
    assert 'id="retired-warning"' in html


def test_the_front_desk_sells_from_a_template_on_the_profile(
    front_a_client: Client, manager_a_client: Client, shop: Shop
) -> None:
    template = services.template_create(
        actor=shop.owner, name="按摩3次", service_ids=[shop.massage.pk], sessions=3, price_fen=50000
    )
    profile = front_a_client.get(f"/customers/{shop.customer.pk}/").content.decode()
    assert "按摩3次" in profile
    assert 'name="price_reason"' not in profile  # the override is a manager's
    url = f"/sales/customers/{shop.customer.pk}/packages/"
    sale = {"template_id": template.pk, "method": "cash", "branch_id": shop.branch.pk}
    front_a_client.post(url, {**sale, "price": "1", "price_reason": "熟人"})
    assert not shop.customer.packages.filter(template=template).exists()
    front_a_client.post(url, sale)
    assert shop.customer.packages.get(template=template).price_fen == 50000
    assert (
        'name="price_reason"'
        in manager_a_client.get(f"/customers/{shop.customer.pk}/").content.decode()
    )
    manager_a_client.post(url, {**sale, "price": "450", "price_reason": "老客户"})
    assert shop.customer.packages.filter(template=template, price_fen=45000).exists()


def test_the_checkout_offers_a_retired_service_the_customers_package_covers(
    front_a_client: Client, shop: Shop
) -> None:
    url = f"/sales/checkout/?customer={shop.customer.pk}"
    services.service_update(actor=shop.owner, service_id=shop.massage.pk, data={"is_active": False})
    assert f'value="s:{shop.massage.pk}"' not in front_a_client.get(url).content.decode()
    services.service_update(actor=shop.owner, service_id=shop.facial.pk, data={"is_active": False})
    html = front_a_client.get(url).content.decode()
    assert f'value="s:{shop.facial.pk}"' in html  # the shop's package covers the facial


class _Rows(HTMLParser):
    """The categories table's headings and, per row, its cells' count and the `form` of every
    box in it (the table inside section#categories)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.heads = False, 0
        self.rows: list[tuple[str, int, set[str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.inside = a.get("id") == "categories"
        elif self.inside and tag == "th":
            self.heads += 1
        elif self.inside and tag == "tr" and "id" in a:
            self.rows.append((a["id"] or "", 0, set()))
        elif self.inside and tag == "td" and self.rows:
            row_id, cells, forms = self.rows[-1]
            self.rows[-1] = (row_id, cells + 1, forms)
        elif self.inside and tag in ("input", "select") and a.get("type") != "hidden":
            self.rows[-1][2].add(a.get("form"))


def test_the_menu_pages_boxes_sit_under_their_headings_with_their_names(
    owner_client: Client, shop: Shop
) -> None:
    """Each category's boxes in the cells under the table's headings (they were one form
    stretched across the row); the new service row has the processing gap and the clean-up;
    the new product's low-stock box is named (a bare "0" read as opening stock)."""
    services.category_create(actor=shop.owner, name="面部", kind="facial")
    html = owner_client.get("/sales/catalogue/").content.decode()
    assert "{#" not in html  # no template comment leaks onto the page
    table = _Rows()
    table.feed(html)
    assert [r[0] for r in table.rows][-1] == "category-new"
    for row_id, cells, forms in table.rows:
        assert cells == table.heads == 5, row_id
        form_id = "category-add" if row_id == "category-new" else f"category-form-{row_id[9:]}"
        assert forms == {form_id}, row_id  # every box belongs to its own row's form
        assert f'id="{form_id}"' in html
    service_form = html[
        html.index('id="service-new"') : html.index("</form>", html.index('id="service-new"'))
    ]
    for name in ("processing_gap_min", "cleanup_min"):
        assert f'name="{name}"' in service_form
    product_form = html[
        html.index('id="product-new"') : html.index("</form>", html.index('id="product-new"'))
    ]
    with translation.override("zh-hans"):
        named = gettext("Low-stock warning at")
    assert re.search(
        rf"<label><span>{re.escape(named)}</span><input[^>]*name=\"low_stock_at\"", product_form
    )
    assert "placeholder" not in product_form  # every box named above it, not by a hint inside


def test_a_new_service_from_the_menu_row_takes_its_gap_and_clean_up(
    owner_client: Client, shop: Shop
) -> None:
    category = services.category_create(actor=shop.owner, name="染发", kind="hair")
    followed(
        owner_client,
        "/sales/catalogue/services/new/",
        {
            "name": "植物染发",
            "category_id": category.pk,
            "duration_min": "60",
            "processing_gap_min": "30",
            "cleanup_min": "10",
            "price": "380",
            "performer_roles": ["beautician"],
        },
    )
    service = Service.objects.get(name="植物染发")
    assert (service.processing_gap_min, service.cleanup_min) == (30, 10)
