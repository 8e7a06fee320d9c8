"""Exact query counts of the commission plans page and a staff member's statement page (NetBox
style baselines, like the today page's and the menu's): more plans or more lines on the page
add no query."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.sales.shop import Shop, shop_make

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.sales import services
from liuke.sales.choices import CommissionKind as K
from liuke.sales.services.commission_setup import commission_plan_assign, commission_plan_create

pytestmark = pytest.mark.django_db

#: GET /sales/commissions/plans/: the session and the user, the plans, their rates (one
#: prefetch), the staff count per plan (one aggregate), the navigation's one count query.
PLANS_QUERIES = 6

#: GET /sales/commissions/staff/<id>/: the session and the user, the staff member (scoped), the
#: closed statement if any, the totals by kind (one aggregate), the lines shown with their
#: services and products (one query), the navigation's one count query.
STATEMENT_QUERIES = 7


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.mark.parametrize("extra", [0, 3])
def test_the_plans_page_costs_the_same_queries_at_any_size(
    shop: Shop,
    owner_client: Client,
    beautician_a: User,
    extra: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(extra + 1):
        plan = commission_plan_create(
            actor=shop.owner,
            name_text=f"提成方案{n}",
            role=Role.BEAUTICIAN if n == 0 else "",
            rates={
                K.SERVICE: {"percent_bp": 1000 + n, "designated_percent_bp": 1500},
                K.CARD_SOLD: {"percent_bp": 100, "fixed_fen": 500},
            },
        )
    commission_plan_assign(actor=shop.owner, staff_id=beautician_a.pk, plan_id=plan.pk)
    url = reverse("sales:commission_plans")
    owner_client.get(url)  # the session's first reads out of the way
    with django_assert_num_queries(PLANS_QUERIES):
        page = owner_client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('id="plan-') == extra + 1


@pytest.mark.parametrize("extra", [0, 3])
def test_the_statement_page_costs_the_same_queries_at_any_size(
    shop: Shop,
    owner_client: Client,
    beautician_a: User,
    extra: int,
    django_assert_num_queries: Any,
) -> None:
    commission_plan_create(
        actor=shop.owner,
        name_text="美容师提成",
        role=Role.BEAUTICIAN,
        rates={K.SERVICE: {"percent_bp": 1000}, K.PRODUCT: {"percent_bp": 500}},
    )
    for _n in range(extra + 1):
        services.checkout(
            actor=shop.owner,
            data=shop.checkout_data(
                shop.line(),
                {"product_id": shop.mask.pk, "staff_id": beautician_a.pk},
                payments=[{"method": "cash", "amount_fen": 15000}],
            ),
        )
    url = reverse("sales:commission_statement", args=[beautician_a.pk])
    owner_client.get(url)
    with django_assert_num_queries(STATEMENT_QUERIES):
        page = owner_client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("补水面膜") == extra + 1
