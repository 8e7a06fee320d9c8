"""A refund gives back only money the visit received: a visit written without payments (the
demo's history, an import) is refused (`not_paid`) on every path; a visit that took no money
(a package session) still gives its session back."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories.sales import visit_make
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.core.errors import ServiceError
from liuke.sales import ledger, services
from liuke.sales.models import Payment, Refund, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.fixture
def unpaid(shop: Shop) -> Visit:
    """A ¥100 facial written straight into the visits, as the demo generator does: no payment."""
    return visit_make(
        customer=shop.customer,
        branch=shop.branch,
        total_fen=10000,
        subtotal_fen=10000,
        lines=[(shop.beautician, shop.facial, 10000)],
    )


def _untouched(visit: Visit) -> None:
    assert not Refund.objects.filter(visit=visit).exists()
    assert not Payment.objects.filter(visit=visit).exists()
    assert visit.lines.get().refunded_fen == 0


def test_the_service_refuses_to_pay_back_what_was_never_received(
    unpaid: Visit, manager_a: User
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.visit_refund(actor=manager_a, visit_id=unpaid.pk, reason="not_satisfied")
    assert refused.value.code == "not_paid"
    _untouched(unpaid)


def test_the_api_refuses_it(unpaid: Visit, manager_a_client: Client) -> None:
    response = manager_a_client.post(
        f"/api/v1/visits/{unpaid.pk}/refunds",
        {"reason": "not_satisfied"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_paid"
    _untouched(unpaid)


def test_the_page_refuses_it(unpaid: Visit, manager_a_client: Client) -> None:
    response = manager_a_client.post(
        f"/sales/visits/{unpaid.pk}/refund/", {"reason": "not_satisfied"}, follow=True
    )
    assert "没有收到这次到店的款项，无法退款。" in response.content.decode()
    _untouched(unpaid)


def test_a_visit_paid_by_a_package_session_still_gives_the_session_back(
    shop: Shop, front_a: User, manager_a: User
) -> None:
    visit = services.checkout(
        actor=front_a, data=shop.checkout_data(shop.line(package_id=shop.package.pk))
    )
    assert not Payment.objects.filter(visit=visit).exists()
    assert ledger.package_remaining(shop.package) == 2

    refund = services.visit_refund(actor=manager_a, visit_id=visit.pk, reason="not_satisfied")

    assert refund.amount_fen == 0
    assert ledger.package_remaining(shop.package) == 3
