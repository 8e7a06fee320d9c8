"""Checkout details a new front desk meets at once: the staff list of a line offers (and the
checkout accepts) only the branch's staff who perform the service, never an auditor; picking a
payment method fills in what is still due (the quote says how much); a large top-up asks to be
confirmed; a card is named by its number."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from tests.factories import user_make
from tests.sales.shop import Shop, counts, shop_make

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.sales import ledger, selectors, services
from liuke.sales.models import Service, StaffSkill, Visit

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.fixture
def beautician_b(owner: User, branch_b: Branch) -> User:
    return user_make(
        business=branch_b.business, role=Role.BEAUTICIAN, branches=[branch_b], username="bb"
    )


@pytest.fixture
def left_beautician(owner: User, branch_a: Branch) -> User:
    return user_make(
        business=branch_a.business,
        role=Role.BEAUTICIAN,
        branches=[branch_a],
        username="gone",
        is_active=False,
    )


def _ids(users: list[User]) -> set[int]:
    return {u.pk for u in users}


def _options(html: str, name: str) -> list[str]:
    """The option values of the first <select name=…> in the html."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match is not None, name
    return [v for v in re.findall(r'<option value="([^"]*)"', match.group(1)) if v]


# --- who performs a service --------------------------------------------------------------------


def test_performers_are_the_branchs_active_staff_of_the_services_roles(
    shop: Shop,
    front_a: User,
    manager_a: User,
    auditor: User,
    beautician_b: User,
    left_beautician: User,
) -> None:
    # Even a service whose roles name the auditor (set before the menu refused it) is not
    # performed by one.
    Service.objects.filter(pk=shop.facial.pk).update(
        performer_roles=["beautician", "manager", "owner", "auditor"]
    )
    found = selectors.performers_for(
        actor=front_a, branch_id=shop.branch.pk, service_id=shop.facial.pk
    )
    assert _ids(found) == {shop.beautician.pk, manager_a.pk, shop.owner.pk}


def test_a_service_with_skills_is_performed_by_the_skilled_only(
    shop: Shop, front_a: User, manager_a: User
) -> None:
    StaffSkill.objects.create(service=shop.facial, staff=manager_a)
    found = selectors.performers_for(
        actor=front_a, branch_id=shop.branch.pk, service_id=shop.facial.pk
    )
    assert _ids(found) == {manager_a.pk}


def test_performers_for_refuses_what_the_actor_may_not_use(
    shop: Shop, front_a: User, beautician_a: User, branch_b: Branch, outsider: User
) -> None:
    with pytest.raises(NotFound):
        selectors.performers_for(actor=front_a, branch_id=branch_b.pk, service_id=shop.facial.pk)
    with pytest.raises(PermissionDenied):
        selectors.performers_for(
            actor=beautician_a, branch_id=shop.branch.pk, service_id=shop.facial.pk
        )
    with pytest.raises((NotFound, PermissionDenied)):
        selectors.performers_for(
            actor=outsider, branch_id=shop.branch.pk, service_id=shop.facial.pk
        )


def test_checkout_refuses_an_auditor_even_when_the_service_names_the_role(
    shop: Shop, auditor: User
) -> None:
    Service.objects.filter(pk=shop.facial.pk).update(performer_roles=["beautician", "auditor"])
    before = counts()
    data = shop.checkout_data(
        {"service_id": shop.facial.pk, "staff_id": auditor.pk},
        payments=[{"method": "cash", "amount_fen": 10000}],
    )
    with pytest.raises(ServiceError) as refused:
        services.checkout(actor=shop.owner, data=data)
    assert refused.value.code == "invalid_staff"
    assert counts() == before


def test_checkout_refuses_staff_of_another_branch_and_the_unskilled(
    shop: Shop, beautician_b: User, manager_a: User
) -> None:
    pay = [{"method": "cash", "amount_fen": 10000}]
    with pytest.raises(ServiceError) as refused:
        services.checkout(
            actor=shop.owner,
            data=shop.checkout_data(
                {"service_id": shop.facial.pk, "staff_id": beautician_b.pk}, payments=pay
            ),
        )
    assert refused.value.code == "staff_not_in_branch"
    StaffSkill.objects.create(service=shop.facial, staff=manager_a)
    with pytest.raises(ServiceError) as refused:
        services.checkout(actor=shop.owner, data=shop.checkout_data(payments=pay))
    assert refused.value.code == "staff_cannot_perform"
    visit = services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            {"service_id": shop.facial.pk, "staff_id": manager_a.pk}, payments=pay
        ),
    )
    assert visit.lines.get().staff == manager_a


# --- the page's staff list ---------------------------------------------------------------------


def test_checkout_page_offers_only_the_branchs_staff(
    front_a_client: Client, shop: Shop, auditor: User, beautician_b: User, left_beautician: User
) -> None:
    html = front_a_client.get(f"/sales/checkout/?customer={shop.customer.pk}").content.decode()
    offered = _options(html, "line_staff")
    assert str(shop.beautician.pk) in offered
    for absent in (auditor, beautician_b, left_beautician):
        assert str(absent.pk) not in offered, absent.username


def test_line_staff_partial_offers_the_services_performers(
    front_a_client: Client, shop: Shop, front_a: User, manager_a: User, auditor: User
) -> None:
    url = "/sales/checkout/staff/"
    params: dict[str, str | int] = {"branch_id": shop.branch.pk, "line_item": f"s:{shop.facial.pk}"}
    html = front_a_client.get(url, {**params, "line_staff": shop.beautician.pk}).content.decode()
    values = re.findall(r'<option value="(\d+)"', html)
    assert set(values) == {str(shop.beautician.pk), str(manager_a.pk), str(shop.owner.pk)}
    assert f'<option value="{shop.beautician.pk}" selected>' in html
    StaffSkill.objects.create(service=shop.facial, staff=manager_a)
    html = front_a_client.get(url, params).content.decode()
    assert re.findall(r'<option value="(\d+)"', html) == [str(manager_a.pk)]
    # a product is sold by any of the branch's staff, never the auditor
    html = front_a_client.get(url, {**params, "line_item": f"p:{shop.mask.pk}"}).content.decode()
    assert str(front_a.pk) in re.findall(r'<option value="(\d+)"', html)
    assert str(auditor.pk) not in re.findall(r'<option value="(\d+)"', html)


def test_line_staff_partial_offers_no_one_of_a_branch_not_the_actors(
    front_b_client: Client, shop: Shop
) -> None:
    response = front_b_client.get(
        "/sales/checkout/staff/",
        {"branch_id": str(shop.branch.pk), "line_item": f"s:{shop.facial.pk}"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="">' in html
    assert re.findall(r'<option value="(\d+)"', html) == []


def test_a_posted_form_shown_again_keeps_each_lines_performers(
    front_a_client: Client, shop: Shop, manager_a: User
) -> None:
    StaffSkill.objects.create(service=shop.facial, staff=manager_a)
    response = front_a_client.post(
        "/sales/checkout/",
        {
            "customer_id": shop.customer.pk,
            "branch_id": shop.branch.pk,
            "idempotency_key": "till-details-0001",
            "line_item": [f"s:{shop.facial.pk}"],
            "line_staff": [shop.beautician.pk],
            "line_qty": ["1"],
            "line_package": [""],
            "pay_method": ["cash"],
            "pay_amount": ["100.00"],
        },
    )
    html = response.content.decode()
    assert '<div class="errors" role="alert">' in html
    assert not Visit.objects.exists()
    assert _options(html, "line_staff") == [str(manager_a.pk)]


# --- the amount still due ----------------------------------------------------------------------


def test_quote_gives_the_amount_still_due_for_the_payment_rows(
    front_a_client: Client, shop: Shop
) -> None:
    response = front_a_client.post(
        "/sales/checkout/quote/",
        {
            "customer_id": shop.customer.pk,
            "branch_id": shop.branch.pk,
            "line_item": [f"s:{shop.facial.pk}", f"s:{shop.massage.pk}"],
            "line_staff": [shop.beautician.pk, shop.beautician.pk],
            "line_qty": ["1", "1"],
            "line_package": ["", ""],
            "discount_kind": "amount",
            "discount_value": "10",
            "discount_reason": "老客",
            "pay_method": ["cash", "wechat", ""],
            "pay_amount": ["50", "40.5", ""],
        },
    )
    # ¥300 less ¥10 discount less ¥90.50 entered
    assert 'data-remaining-fen="19950"' in response.content.decode()


def test_pay_options_name_the_card_by_number_with_its_balance(
    front_a_client: Client, shop: Shop
) -> None:
    html = front_a_client.get(f"/sales/checkout/?customer={shop.customer.pk}").content.decode()
    option = re.search(rf'<option value="card:{shop.card.pk}"[^>]*>([^<]*)<', html)
    assert option is not None
    assert 'data-balance-fen="120000"' in option.group(0)
    assert "VIP001 号" in option.group(1)
    assert "1,200.00" in option.group(1)


# --- large top-ups -----------------------------------------------------------------------------


def test_a_large_topup_is_confirmed_before_it_is_done(manager_a_client: Client, shop: Shop) -> None:
    url = f"/sales/cards/{shop.card.pk}/topup/"
    form = {"amount": "5000.01", "method": "wechat", "idempotency_key": "topup-large-0001"}
    before = counts()
    response = manager_a_client.post(url, form)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="confirm" value="1"' in html
    assert 'value="topup-large-0001"' in html
    assert "VIP001" in html
    assert counts() == before
    assert ledger.card_balances(shop.card) == (100000, 20000)
    # a confirm typed as anything but 1 is no confirmation
    manager_a_client.post(url, {**form, "confirm": "yes"})
    assert counts() == before
    response = manager_a_client.post(url, {**form, "confirm": "1"})
    assert response.status_code == 302
    assert ledger.card_balances(shop.card)[0] == 100000 + 500001


def test_a_topup_up_to_the_threshold_needs_no_confirmation(
    manager_a_client: Client, shop: Shop
) -> None:
    response = manager_a_client.post(
        f"/sales/cards/{shop.card.pk}/topup/", {"amount": "5000", "method": "cash"}
    )
    assert response.status_code == 302
    assert ledger.card_balances(shop.card)[0] == 100000 + 500000


# --- cards by number ---------------------------------------------------------------------------


def _paid_by_card(shop: Shop) -> int:
    visit = services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            payments=[{"method": "stored_value", "card_id": shop.card.pk, "amount_fen": 10000}]
        ),
    )
    return visit.pk


def test_visit_page_names_the_card_by_number(front_a_client: Client, shop: Shop) -> None:
    html = front_a_client.get(f"/sales/visits/{_paid_by_card(shop)}/").content.decode()
    assert "VIP001 号" in html
    assert f">#{shop.card.pk}<" not in html


# --- the API -----------------------------------------------------------------------------------


def test_api_performers_of_a_service(
    client_for: Callable[[User], Client],
    shop: Shop,
    front_a: User,
    front_b: User,
    auditor: User,
    manager_a: User,
) -> None:
    path = f"{API}/catalogue/services/{shop.facial.pk}/performers"
    client = client_for(front_a)
    response = client.get(path, {"branch_id": shop.branch.pk})
    assert response.status_code == 200, response.content[:300]
    body: list[dict[str, Any]] = response.json()
    assert {p["id"] for p in body} == {shop.beautician.pk, manager_a.pk, shop.owner.pk}
    assert set(body[0]) == {"id", "username", "display_name", "role"}
    assert client.get(path).status_code == 422
    assert client_for(front_b).get(path, {"branch_id": shop.branch.pk}).status_code == 404
    missing = client.get(f"{API}/catalogue/services/999999/performers", {"branch_id": 1})
    assert missing.status_code == 404


def test_api_visit_payments_name_the_card_by_number(
    client_for: Callable[[User], Client], shop: Shop, front_a: User
) -> None:
    response = client_for(front_a).get(f"{API}/visits/{_paid_by_card(shop)}")
    payments = json.loads(response.content)["payments"]
    assert [(p["card_id"], p["card_number"]) for p in payments] == [(shop.card.pk, "VIP001")]
