"""The sales pages: checkout, visit, card, package, daily close (and its export), catalogue, and
the profile's sales section. Access: each page renders for the roles that may see it and is a 404
for the others and for what is out of their scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from tests.factories import customer_make
from tests.sales.shop import Shop, counts, shop_make

from liuke.accounts.models import Branch, User
from liuke.sales import ledger, services
from liuke.sales.models import Visit


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def checkout_post(shop: Shop, **extra: Any) -> dict[str, Any]:
    """A facial paid in cash at list price (¥100.00)."""
    data: dict[str, Any] = {
        "customer_id": shop.customer.pk,
        "branch_id": shop.branch.pk,
        "idempotency_key": "page-test-key-0001",
        "line_item": [f"s:{shop.facial.pk}", ""],
        "line_staff": [shop.beautician.pk, ""],
        "line_qty": ["1", "1"],
        "line_package": ["", ""],
        "pay_method": ["cash", ""],
        "pay_amount": ["100.00", ""],
    }
    data.update(extra)
    return data


def a_visit(shop: Shop) -> Visit:
    return services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
    )


# --- checkout ----------------------------------------------------------------------------------


def test_checkout_page_renders_with_the_customers_cards_and_packages(
    front_a_client: Client, shop: Shop
) -> None:
    response = front_a_client.get(f"/sales/checkout/?customer={shop.customer.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "面部护理" in html
    assert "补水面膜" in html
    assert f'value="card:{shop.card.pk}"' in html  # pay from the stored-value card
    assert f'value="{shop.package.pk}"' in html  # use the package
    assert 'name="idempotency_key"' in html


def test_checkout_picker_and_search(front_a_client: Client, shop: Shop) -> None:
    assert front_a_client.get("/sales/checkout/").status_code == 200
    response = front_a_client.get("/sales/checkout/search/", {"q": shop.customer.name})
    assert f"?customer={shop.customer.pk}" in response.content.decode()


@pytest.mark.parametrize("who", ["beautician_a_client", "auditor_client", "outsider_client"])
def test_checkout_is_404_without_the_capability(
    request: pytest.FixtureRequest, who: str, shop: Shop
) -> None:
    client: Client = request.getfixturevalue(who)
    assert client.get(f"/sales/checkout/?customer={shop.customer.pk}").status_code == 404
    assert client.post("/sales/checkout/", checkout_post(shop)).status_code == 404
    assert Visit.objects.count() == 0


def test_checkout_of_a_customer_out_of_scope_is_404(front_b_client: Client, shop: Shop) -> None:
    assert front_b_client.get(f"/sales/checkout/?customer={shop.customer.pk}").status_code == 404
    assert front_b_client.post("/sales/checkout/", checkout_post(shop)).status_code == 404


def test_quote_shows_prices_and_what_is_left_to_pay(front_a_client: Client, shop: Shop) -> None:
    data = checkout_post(
        shop,
        line_item=[f"s:{shop.facial.pk}", f"p:{shop.mask.pk}"],
        line_staff=[shop.beautician.pk, ""],
        line_qty=["1", "2"],
        member_card_id=shop.card.pk,  # 金卡: 88% of list
        discount_kind="amount",
        discount_value="8",
        discount_reason="老客",
        pay_amount=["100", ""],
    )
    response = front_a_client.post("/sales/checkout/quote/", data)
    html = response.content.decode()
    # 88.00 + 2 × 44.00 = 176.00; less 8.00 = 168.00; paid 100.00; 68.00 left
    assert "176.00" in html
    assert "168.00" in html
    assert "68.00" in html
    assert "Left to pay" in html or "还需支付" in html


def test_quote_shows_the_service_error(front_a_client: Client, shop: Shop) -> None:
    data = checkout_post(
        shop, line_item=[f"s:{shop.massage.pk}", ""], line_package=[str(shop.package.pk), ""]
    )
    html = front_a_client.post("/sales/checkout/quote/", data).content.decode()
    assert "面部护理3次" in html
    assert "肩颈按摩" in html
    assert 'class="errors"' in html


def test_checkout_through_the_page_creates_the_visit(front_a_client: Client, shop: Shop) -> None:
    next_visit = (timezone.localtime() + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    data = checkout_post(
        shop,
        line_item=[f"s:{shop.facial.pk}", f"s:{shop.facial.pk}"],
        line_staff=[shop.beautician.pk, shop.beautician.pk],
        line_package=[str(shop.package.pk), ""],
        pay_method=[f"card:{shop.card.pk}", ""],
        pay_amount=["100.00", ""],
        next_visit_at=next_visit,
    )
    response = front_a_client.post("/sales/checkout/", data)
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sales/visits/{visit.pk}/receipt/"
    assert visit.total_fen == 10000
    assert visit.next_visit_at is not None
    assert ledger.package_remaining(shop.package) == 2
    assert sum(ledger.card_balances(shop.card)) == 120000 - 10000
    page = front_a_client.get(response["Location"]).content.decode()
    assert "面部护理" in page
    assert "100.00" in page


@pytest.mark.parametrize("amount", ["12.345", "-1", "abc"])
def test_a_bad_amount_shows_an_error_and_saves_nothing(
    front_a_client: Client, shop: Shop, amount: str
) -> None:
    before = counts()
    response = front_a_client.post("/sales/checkout/", checkout_post(shop, pay_amount=[amount, ""]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errors"' in html
    assert counts() == before
    # what was typed stays in the form
    assert f'value="{amount}"' in html


def test_a_service_refusal_is_shown_and_saves_nothing(front_a_client: Client, shop: Shop) -> None:
    before = counts()
    response = front_a_client.post(
        "/sales/checkout/", checkout_post(shop, pay_amount=["99.99", ""])
    )
    assert response.status_code == 200
    assert "9999" in response.content.decode()  # "the payments (9999 fen) do not add up …"
    assert counts() == before


def test_the_same_idempotency_key_twice_creates_one_visit(
    front_a_client: Client, shop: Shop
) -> None:
    data = checkout_post(
        shop,
        line_package=[str(shop.package.pk), ""],
        pay_method=["", ""],
        pay_amount=["", ""],
    )
    first = front_a_client.post("/sales/checkout/", data)
    second = front_a_client.post("/sales/checkout/", data)
    assert Visit.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert ledger.package_remaining(shop.package) == 2


# --- visit, card, package ----------------------------------------------------------------------


def test_visit_page_and_refund(manager_a_client: Client, shop: Shop) -> None:
    visit = a_visit(shop)
    html = manager_a_client.get(f"/sales/visits/{visit.pk}/").content.decode()
    assert 'name="reason"' in html  # the refund form: managers may refund
    response = manager_a_client.post(
        f"/sales/visits/{visit.pk}/refund/",
        {
            "line_id": "",
            "reason": "not_satisfied",
            "note": "不满意",
            "idempotency_key": "rf-000001",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "refunded"
    assert "不满意" in manager_a_client.get(f"/sales/visits/{visit.pk}/").content.decode()


def test_visit_page_access(
    client_for: Callable[[User], Client],
    shop: Shop,
    front_a: User,
    beautician_a: User,
    auditor: User,
    front_b: User,
    outsider: User,
) -> None:
    visit = a_visit(shop)
    url = f"/sales/visits/{visit.pk}/"
    for user in (front_a, beautician_a, auditor):
        assert client_for(user).get(url).status_code == 200
    assert 'name="reason"' not in client_for(front_a).get(url).content.decode()  # no refund
    for user in (front_b, outsider):
        assert client_for(user).get(url).status_code == 404
    response = client_for(front_a).post(f"{url}refund/", {"reason": "other"})
    assert response.status_code == 404


def test_card_page_topup_and_refund(manager_a_client: Client, shop: Shop) -> None:
    url = f"/sales/cards/{shop.card.pk}/"
    html = manager_a_client.get(url).content.decode()
    assert "1,200.00" in html
    assert "VIP001" in html
    response = manager_a_client.post(
        f"{url}topup/", {"amount": "1000", "method": "wechat", "next": url}
    )
    assert response["Location"] == url
    assert ledger.card_balances(shop.card) == (200000, 40000)
    before = counts()
    manager_a_client.post(f"{url}topup/", {"amount": "10.001", "method": "wechat"})
    assert counts() == before
    manager_a_client.post(f"{url}refund/", {"method": "cash", "note": "搬家"})
    shop.card.refresh_from_db()
    assert shop.card.status == "closed"


def test_card_and_package_pages_are_404_out_of_scope(
    client_for: Callable[[User], Client], shop: Shop, front_b: User, outsider: User
) -> None:
    for user in (front_b, outsider):
        client = client_for(user)
        assert client.get(f"/sales/cards/{shop.card.pk}/").status_code == 404
        assert client.get(f"/sales/packages/{shop.package.pk}/").status_code == 404
        assert (
            client.post(
                f"/sales/cards/{shop.card.pk}/topup/", {"amount": "1", "method": "cash"}
            ).status_code
            == 404
        )


def test_package_page_and_extend(
    manager_a_client: Client, front_a_client: Client, shop: Shop
) -> None:
    url = f"/sales/packages/{shop.package.pk}/"
    assert "面部护理3次" in front_a_client.get(url).content.decode()
    assert 'name="reason"' not in front_a_client.get(url).content.decode()
    assert (
        front_a_client.post(
            f"{url}extend/", {"expires_on": "2099-01-01", "reason": "x"}
        ).status_code
        == 404
    )
    new = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    manager_a_client.post(f"{url}extend/", {"expires_on": new, "reason": "住院"})
    shop.package.refresh_from_db()
    assert str(shop.package.expires_on) == new
    assert "住院" in manager_a_client.get(url).content.decode()


# --- the profile -------------------------------------------------------------------------------


def test_profile_shows_sales_and_forms(front_a_client: Client, shop: Shop) -> None:
    a_visit(shop)
    html = front_a_client.get(f"/customers/{shop.customer.pk}/").content.decode()
    assert f"/sales/checkout/?customer={shop.customer.pk}" in html
    assert "VIP001" in html
    assert "1,200.00" in html
    assert "3 / 3" in html  # package sessions left
    assert f"/sales/cards/{shop.card.pk}/topup/" in html
    assert f"/sales/customers/{shop.customer.pk}/cards/" in html  # issue a card
    assert f"/sales/customers/{shop.customer.pk}/packages/" in html  # sell a package
    assert "/sales/visits/" in html


def test_issue_card_and_sell_package_from_the_profile(front_a_client: Client, shop: Shop) -> None:
    cid = shop.customer.pk
    front_a_client.post(
        f"/sales/customers/{cid}/cards/", {"number": "vip002", "branch_id": shop.branch.pk}
    )
    assert shop.customer.cards.filter(number="VIP002").exists()
    before = counts()
    response = front_a_client.post(
        f"/sales/customers/{cid}/cards/", {"number": "VIP002", "branch_id": shop.branch.pk}
    )
    assert counts() == before
    assert response.status_code == 302
    # The front desk sells from a template (issue 12: no longer a package typed in freely).
    template = services.template_create(
        actor=shop.owner, name="按摩5次", service_ids=[shop.massage.pk], sessions=5, price_fen=80000
    )
    front_a_client.post(
        f"/sales/customers/{cid}/packages/",
        {"template_id": template.pk, "method": "alipay", "branch_id": shop.branch.pk},
    )
    assert shop.customer.packages.filter(name="按摩5次", price_fen=80000).exists()


def test_profile_query_count_does_not_grow_with_cards_and_visits(
    front_a_client: Client, shop: Shop, owner: User
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert front_a_client.get(f"/customers/{shop.customer.pk}/").status_code == 200
        return len(ctx)

    a_visit(shop)
    queries()  # the first request of a session may write the session: not the page's cost
    first = queries()
    for n in range(3):
        card = services.card_issue(
            actor=owner, customer_id=shop.customer.pk, branch_id=shop.branch.pk, number=f"X{n}"
        )
        services.card_topup(actor=owner, card_id=card.pk, amount_fen=5000, method="cash")
        services.package_sell(
            actor=owner,
            customer_id=shop.customer.pk,
            branch_id=shop.branch.pk,
            name=f"P{n}",
            service_ids=[shop.facial.pk],
            sessions=2,
            price_fen=100,
            method="cash",
        )
        a_visit(shop)
    assert queries() == first


def test_profile_of_a_customer_without_sales(front_a_client: Client, front_a: User) -> None:
    customer = customer_make(actor=front_a)
    html = front_a_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "No visits yet." in html or "暂无" in html or "/sales/checkout/" in html


# --- the daily close ---------------------------------------------------------------------------


def test_daily_close_page_and_export(front_a_client: Client, shop: Shop) -> None:
    a_visit(shop)
    today = timezone.localdate().isoformat()
    html = front_a_client.get(
        "/sales/daily-close/", {"branch": str(shop.branch.pk), "day": today}
    ).content.decode()
    # cash: 1,000.00 top-up + 100.00 visit; WeChat: 100.00 package; total 1,200.00
    assert "1,200.00" in html
    response = front_a_client.get(
        "/sales/daily-close/export/", {"branch": str(shop.branch.pk), "day": today}
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    values = [tuple(row) for row in book.active.iter_rows(values_only=True)]
    labels = {row[0]: row[1] for row in values if row and row[0]}
    assert labels.get("Total", labels.get("合计")) == 1200.0
    assert any(row[0] in ("Cash", "现金") and row[1] == 1100.0 for row in values)


def test_export_neutralises_formulas(front_a_client: Client, shop: Shop, owner: User) -> None:
    owner.display_name = '=HYPERLINK("http://x")'
    owner.save(update_fields=["display_name"])
    services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            {"service_id": shop.facial.pk, "staff_id": owner.pk},
            payments=[{"method": "cash", "amount_fen": 10000}],
        ),
    )
    response = front_a_client.get("/sales/daily-close/export/", {"branch": shop.branch.pk})
    book = load_workbook(BytesIO(response.content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


@pytest.mark.parametrize("who", ["beautician_a_client", "outsider_client"])
def test_daily_close_is_404_without_the_capability_or_branch(
    request: pytest.FixtureRequest, who: str, shop: Shop
) -> None:
    client: Client = request.getfixturevalue(who)
    assert client.get("/sales/daily-close/", {"branch": shop.branch.pk}).status_code == 404
    assert client.get("/sales/daily-close/export/", {"branch": shop.branch.pk}).status_code == 404


def test_daily_close_of_another_branch_is_404(front_b_client: Client, shop: Shop) -> None:
    assert front_b_client.get("/sales/daily-close/", {"branch": shop.branch.pk}).status_code == 404
    assert front_b_client.get("/sales/daily-close/").status_code == 200  # their own branch


# --- the catalogue -----------------------------------------------------------------------------


def test_catalogue_and_stock_receive(
    manager_a_client: Client, front_a_client: Client, shop: Shop
) -> None:
    html = front_a_client.get("/sales/catalogue/").content.decode()
    assert "面部护理" in html
    assert "补水面膜" in html
    assert "/sales/catalogue/stock/" not in html  # front desk: no stock form
    response = front_a_client.post(
        "/sales/catalogue/stock/",
        {"product_id": shop.mask.pk, "branch_id": shop.branch.pk, "quantity": "5"},
    )
    assert response.status_code == 404
    assert "/sales/catalogue/stock/" in manager_a_client.get("/sales/catalogue/").content.decode()
    manager_a_client.post(
        "/sales/catalogue/stock/",
        {"product_id": shop.mask.pk, "branch_id": shop.branch.pk, "quantity": "5"},
    )
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 15


def test_catalogue_is_404_for_outsiders_of_sales(client: Client) -> None:
    assert client.get("/sales/catalogue/").status_code in (302, 404)  # anonymous: to the login


def test_navigation_has_checkout_and_daily_close(front_a_client: Client, shop: Shop) -> None:
    html = front_a_client.get("/customers/").content.decode()
    assert 'href="/sales/checkout/"' in html
    assert 'href="/sales/daily-close/"' in html


def test_daily_close_counts_stored_value_used_as_a_positive_figure(
    front_a_client: Client, shop: Shop
) -> None:
    from liuke.sales.selectors import daily_close

    services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            payments=[{"method": "stored_value", "card_id": shop.card.pk, "amount_fen": 10000}]
        ),
    )
    close = daily_close(actor=shop.owner, branch_id=shop.branch.pk, day=timezone.localdate())
    assert close.stored_value_used_fen == 10000
