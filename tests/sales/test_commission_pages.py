"""Commission pages and API: plans set up and assigned (the staff set-up page too), the
statement as a page, a spreadsheet and JSON, a split sent through the API, the daily close's
commissions; a beautician sees their own only and no customer's money."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from openpyxl import load_workbook
from tests.sales.shop import Shop, shop_make

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.sales import services
from liuke.sales.choices import CommissionKind as K
from liuke.sales.models import CommissionAssignment, CommissionLine, CommissionPlan
from liuke.sales.services.commission_setup import commission_plan_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    shop = shop_make(owner=owner, branch=branch_a, beautician=beautician_a)
    commission_plan_create(
        actor=owner,
        name_text="美容师提成",
        role=Role.BEAUTICIAN,
        rates={K.SERVICE: {"percent_bp": 1000, "designated_percent_bp": 1500}},
    )
    return shop


def _post_json(client: Client, url: str, body: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_plans_page_adds_and_changes_a_plan(shop: Shop, owner_client: Client) -> None:
    url = reverse("sales:commission_plans")
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url,
        {"name": "前台提成", "role": "front_desk", "card_sold_pct": "1.5", "card_sold_fixed": "5"},
    )
    assert response.status_code == 302
    plan = CommissionPlan.objects.get(name="前台提成")
    rate = plan.rates.get()
    assert (plan.role, rate.kind, rate.percent_bp, rate.fixed_fen) == (
        "front_desk",
        "card_sold",
        150,
        500,
    )
    owner_client.post(
        reverse("sales:commission_plan_update", args=[plan.pk]),
        {"name": "前台提成", "card_sold_pct": "2", "card_sold_fixed": ""},
    )
    rate.refresh_from_db()
    assert (rate.percent_bp, rate.fixed_fen) == (200, 0)
    page = owner_client.get(url).content.decode()
    assert 'value="2"' in page
    assert "前台提成" in page


def test_a_percentage_above_100_is_refused_on_the_page(shop: Shop, owner_client: Client) -> None:
    response = owner_client.post(
        reverse("sales:commission_plans"), {"name": "x", "service_pct": "120"}, follow=True
    )
    assert not CommissionPlan.objects.filter(name="x").exists()
    assert "0" in response.content.decode()
    assert response.status_code in (200, 400)


def test_the_staff_page_shows_and_assigns_the_plan(
    shop: Shop, manager_a_client: Client, beautician_a: User
) -> None:
    senior = commission_plan_create(actor=shop.owner, name_text="高级美容师", rates={})
    page = manager_a_client.get(reverse("accounts:staff_member", args=[beautician_a.pk]))
    html = page.content.decode()
    assert "美容师提成" in html
    assert 'id="commission-plan"' in html
    manager_a_client.post(
        reverse("sales:commission_staff_plan", args=[beautician_a.pk]), {"plan_id": senior.pk}
    )
    assert CommissionAssignment.objects.get(staff=beautician_a).plan == senior


def test_statement_page_spreadsheet_and_api(
    shop: Shop, owner_client: Client, beautician_a_client: Client, beautician_a: User
) -> None:
    services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            shop.line(designated=True), payments=[{"method": "cash", "amount_fen": 10000}]
        ),
    )
    url = reverse("sales:commission_statement", args=[beautician_a.pk])
    html = owner_client.get(url).content.decode()
    assert "面部护理" in html
    assert "15.00" in html
    assert "100.00" in html
    mine = beautician_a_client.get(url).content.decode()
    assert "15.00" in mine
    assert "100.00" not in mine
    book = load_workbook(
        io.BytesIO(
            owner_client.get(
                reverse("sales:commission_statement_export", args=[beautician_a.pk])
            ).content
        )
    )
    values = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "面部护理" in values
    api = beautician_a_client.get(f"/api/v1/commission/statements/{beautician_a.pk}").json()
    assert api["total_fen"] == 1500
    assert api["lines"][0]["base_fen"] is None
    assert api["lines"][0]["designated"] is True
    listing = owner_client.get("/api/v1/commission/statements").json()
    assert [(r["staff_id"], r["total_fen"]) for r in listing["statements"]] == [
        (beautician_a.pk, 1500)
    ]
    assert owner_client.get(reverse("sales:commission_statements")).status_code == 200


def test_a_beautician_sees_neither_plans_nor_anothers_statement(
    shop: Shop, beautician_a_client: Client, front_a: User
) -> None:
    # a page a role may not use answers "not found" (as every page does); the API a 403
    assert beautician_a_client.get(reverse("sales:commission_plans")).status_code == 404
    assert beautician_a_client.get("/api/v1/commission/plans").status_code == 403
    assert (
        beautician_a_client.get(
            reverse("sales:commission_statement", args=[front_a.pk])
        ).status_code
        == 404
    )
    assert beautician_a_client.get(f"/api/v1/commission/statements/{front_a.pk}").status_code == 404


def test_the_api_checks_out_a_split_and_refuses_one_that_is_not_100(
    shop: Shop, owner_client: Client, manager_a: User, beautician_a: User
) -> None:
    split: list[dict[str, int]] = [
        {"staff_id": beautician_a.pk, "share_pct": 70},
        {"staff_id": manager_a.pk, "share_pct": 20},
    ]
    body = {
        "customer_id": shop.customer.pk,
        "branch_id": shop.branch.pk,
        "lines": [
            {
                "service_id": shop.facial.pk,
                "staff_id": beautician_a.pk,
                "splits": split,
            }
        ],
        "payments": [{"method": "cash", "amount_fen": 10000}],
    }
    refused = _post_json(owner_client, "/api/v1/visits", body)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_split"
    split[1]["share_pct"] = 30
    assert _post_json(owner_client, "/api/v1/visits", body).status_code == 201
    assert list(CommissionLine.objects.values_list("staff_id", "amount_fen")) == [
        (beautician_a.pk, 700)
    ]


def test_plans_through_the_api(shop: Shop, owner_client: Client, beautician_a: User) -> None:
    created = _post_json(
        owner_client,
        "/api/v1/commission/plans",
        {"name": "产品提成", "rates": {"product": {"percent_bp": 800}}},
    )
    assert created.status_code == 201
    plan_id = created.json()["id"]
    patched = _post_json(
        owner_client,
        f"/api/v1/commission/plans/{plan_id}",
        {"rates": {"product": {"percent_bp": 900}}},
        method="patch",
    )
    assert patched.json()["rates"]["product"]["percent_bp"] == 900
    put = _post_json(
        owner_client,
        f"/api/v1/staff/{beautician_a.pk}/commission-plan",
        {"plan_id": plan_id},
        method="put",
    )
    assert put.json() == {"staff_id": beautician_a.pk, "plan_id": plan_id, "own": True}


def test_the_daily_close_shows_commissions_by_staff(shop: Shop, owner_client: Client) -> None:
    services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
    )
    close = owner_client.get(
        f"/api/v1/daily-close?branch_id={shop.branch.pk}&day=" + _today()
    ).json()
    assert close["commission_fen"] == 1000
    assert close["commission_by_staff"] == [{"staff": "美容师小林", "commission_fen": 1000}]
    page = owner_client.get(reverse("sales:daily_close")).content.decode()
    assert "美容师小林" in page
    assert "10.00" in page


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def test_the_checkout_page_marks_a_line_designated(
    shop: Shop, owner_client: Client, beautician_a: User
) -> None:
    response = owner_client.post(
        reverse("sales:checkout"),
        {
            "customer_id": shop.customer.pk,
            "branch_id": shop.branch.pk,
            "line_item": [f"s:{shop.facial.pk}", f"s:{shop.facial.pk}"],
            "line_staff": [beautician_a.pk, beautician_a.pk],
            "line_qty": ["1", "1"],
            "line_designated": ["1", ""],
            "pay_method": "cash",
            "pay_amount": "200",
        },
    )
    assert response.status_code == 302
    amounts = sorted(CommissionLine.objects.values_list("designated", "amount_fen"))
    assert amounts == [(False, 1000), (True, 1500)]
    form = owner_client.get(reverse("sales:checkout") + f"?customer={shop.customer.pk}")
    assert 'name="line_designated"' in form.content.decode()


def test_the_page_shows_the_first_lines_and_the_spreadsheet_all(
    shop: Shop, owner_client: Client, beautician_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liuke.sales import commission_selectors

    monkeypatch.setattr(commission_selectors, "STATEMENT_LINES_SHOWN", 1)
    for service in (shop.facial, shop.massage):
        amount = service.price_fen
        services.checkout(
            actor=shop.owner,
            data=shop.checkout_data(
                shop.line(service), payments=[{"method": "cash", "amount_fen": amount}]
            ),
        )
    page = owner_client.get(reverse("sales:commission_statement", args=[beautician_a.pk]))
    html = page.content.decode()
    assert "面部护理" in html
    assert "肩颈按摩" not in html  # only the first line on the page
    assert "30.00" in html  # the totals cover both: 10 + 20
    export = owner_client.get(reverse("sales:commission_statement_export", args=[beautician_a.pk]))
    values = [
        c
        for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert "面部护理" in values
    assert "肩颈按摩" in values


def _page_split(
    shop: Shop, client: Client, first: User, second: User | None, share: str
) -> tuple[int, str]:
    response = client.post(
        reverse("sales:checkout"),
        {
            "customer_id": shop.customer.pk,
            "branch_id": shop.branch.pk,
            "line_item": [f"s:{shop.facial.pk}"],
            "line_staff": [first.pk],
            "line_qty": ["1"],
            "line_staff2": [second.pk if second else ""],
            "line_share2": [share],
            "pay_method": "cash",
            "pay_amount": "100",
        },
    )
    return response.status_code, response.content.decode()


def test_the_checkout_page_splits_a_line_with_a_second_staff_member(
    shop: Shop, owner_client: Client, beautician_a: User, owner: User, branch_a: Branch
) -> None:
    from tests.factories.accounts import user_make

    second = user_make(
        business=beautician_a.business,
        role=Role.BEAUTICIAN,
        branches=[branch_a],
        display_name="美容师小美",
    )
    status, _html = _page_split(shop, owner_client, beautician_a, second, "30")
    assert status == 302
    # 10 % of ¥100.00 shared 70/30 (both on the beauticians' plan)
    assert sorted(CommissionLine.objects.values_list("staff_id", "share_pct", "amount_fen")) == (
        sorted([(beautician_a.pk, 70, 700), (second.pk, 30, 300)])
    )
    form = owner_client.get(reverse("sales:checkout") + f"?customer={shop.customer.pk}")
    assert 'name="line_staff2"' in form.content.decode()
    assert 'name="line_share2"' in form.content.decode()


#: The page's refusals (in the page's language: the test client's is Chinese).
SHARE_REFUSED = (
    "Line %(n)d: a shared line names both staff members and the second one's share, a whole "
    "percentage from 1 to 99."
)


@pytest.mark.parametrize(
    ("second", "share", "says"),
    [
        ("same", "30", "each staff member appears once in a split."),  # the service's
        ("other", "100", SHARE_REFUSED),
        ("other", "0", SHARE_REFUSED),
        ("other", "3.5", SHARE_REFUSED),
        ("other", "", SHARE_REFUSED),
        ("none", "30", SHARE_REFUSED),
    ],
)
def test_a_split_that_is_not_two_whole_shares_of_100_is_refused_on_the_page(
    shop: Shop,
    owner_client: Client,
    beautician_a: User,
    manager_a: User,
    second: str,
    share: str,
    says: str,
) -> None:
    staff2 = {"same": beautician_a, "other": manager_a, "none": None}[second]
    status, html = _page_split(shop, owner_client, beautician_a, staff2, share)
    assert status == 200
    with translation.override("zh-hans"):
        assert escape(gettext(says).replace("%(n)d", "1")) in html
    assert not CommissionLine.objects.exists()
    assert 'name="line_share2"' in html  # the form again, as typed
