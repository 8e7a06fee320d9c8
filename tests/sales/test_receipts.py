"""The receipt (小票) of a visit: what it lists (hand-computed figures), its two paper widths,
amounts only for those who see money, scope and audit like the visit page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.sales import services
from liuke.sales.models import Visit


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def card_and_package_visit(shop: Shop) -> Visit:
    """A facial from the package (3 sessions → 2 left) and a massage at list price (¥200.00)
    less ¥16.00 off: ¥184.00, ¥100.00 from the card (¥1,000.00 paid + ¥200.00 bonus before:
    ¥1,100.00 left) and ¥84.00 in cash."""
    branch = shop.branch
    branch.address, branch.phone = "南京西路1号", "021-5555 0000"
    branch.save(update_fields=["address", "phone"])
    return services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            shop.line(package_id=shop.package.pk),
            shop.line(shop.massage),
            discount_fen=1600,
            discount_reason="会员日",
            next_visit_at=timezone.now() + dt.timedelta(days=14),
            payments=[
                {"method": "stored_value", "card_id": shop.card.pk, "amount_fen": 10000},
                {"method": "cash", "amount_fen": 8400},
            ],
        ),
    )


def test_the_receipt_lists_lines_discount_payments_card_balance_and_sessions_left(
    front_a_client: Client, shop: Shop
) -> None:
    visit = card_and_package_visit(shop)
    response = front_a_client.get(f"/sales/visits/{visit.pk}/receipt/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        shop.branch.name,
        "南京西路1号",
        "021-5555 0000",
        "面部护理",
        "肩颈按摩",
        "200.00",  # the massage's line
    ):
        assert text in html
    assert '<td class="num">−16.00</td>' in html  # the discount
    assert "会员日" in html
    assert '<td class="num" id="receipt-total">184.00</td>' in html
    assert "VIP001" in html  # the card, by its number
    assert "100.00" in html
    assert "84.00" in html
    assert "1,100.00" in html  # the card's balance after the visit
    assert "面部护理3次" in html
    assert "used 1, 2 left" in html or "已用 1 次，剩余 2 次" in html
    assert timezone.localtime(visit.next_visit_at).strftime("%Y-%m-%d %H:%M") in html


def test_the_receipt_is_laid_out_for_80_mm_unless_58_is_asked_for(
    front_a_client: Client, shop: Shop
) -> None:
    visit = card_and_package_visit(shop)
    url = f"/sales/visits/{visit.pk}/receipt/"
    default = front_a_client.get(url).content.decode()
    narrow = front_a_client.get(url + "?width=58").content.decode()
    odd = front_a_client.get(url + "?width=12").content.decode()
    assert "receipt-80.css" in default
    assert 'data-width="80"' in default
    assert "receipt-58.css" in narrow
    assert 'data-width="58"' in narrow
    assert "receipt-80.css" in odd
    assert "data-print" in default  # the Print button (window.print() in app.js)


def test_the_print_stylesheets_set_the_paper_size() -> None:
    for width in (58, 80):
        found = finders.find(f"liuke/receipt-{width}.css")
        assert isinstance(found, str)
        with open(found, encoding="utf-8") as css:
            assert f"@page {{ size: {width}mm auto; margin: 0; }}" in css.read()


def test_a_beautician_gets_the_receipt_without_amounts(
    beautician_a_client: Client, shop: Shop
) -> None:
    visit = card_and_package_visit(shop)  # the beautician served the customer: in scope
    html = beautician_a_client.get(f"/sales/visits/{visit.pk}/receipt/").content.decode()
    assert "肩颈按摩" in html
    assert "面部护理3次" in html
    for amount in ("200.00", "184.00", "1,100.00", "84.00", "receipt-total"):
        assert amount not in html


def test_another_branchs_visit_has_no_receipt(front_b_client: Client, shop: Shop) -> None:
    visit = card_and_package_visit(shop)
    assert front_b_client.get(f"/sales/visits/{visit.pk}/receipt/").status_code == 404


def test_reading_a_receipt_is_audited_and_the_checkout_ends_on_it(
    front_a_client: Client, front_a: User, shop: Shop
) -> None:
    visit = card_and_package_visit(shop)
    reads = AuditEvent.objects.filter(actor_id=front_a.pk, action="view")
    before = [e.fields for e in reads]
    front_a_client.get(f"/sales/visits/{visit.pk}/receipt/")
    assert [e.fields for e in reads.order_by("seq")][len(before) :] == [[f"visit:{visit.pk}"]]
    page = front_a_client.get(f"/sales/visits/{visit.pk}/").content.decode()
    assert f'href="/sales/visits/{visit.pk}/receipt/"' in page
