"""The consumption notice (消费提醒): one service message per stored-value or package deduction
(a checkout paid by card or package, a card charged through the API), none for a cash-only
visit or a customer who opted out of service notices, none twice for a replayed checkout."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks
from tests.sales.shop import Shop, shop_make
from tests.sales.test_api import post

from liuke.accounts.models import Branch, User
from liuke.customers.models import FieldChange
from liuke.customers.services import customer_update
from liuke.engagement.choices import MARKETING_KINDS, MessageKind, MessageStatus
from liuke.engagement.models import Message, MessageTemplate
from liuke.engagement.rendering import render
from liuke.engagement.services.notices import consumption_notice_queue


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def card_and_package(shop: Shop) -> dict[str, Any]:
    """A facial from the package (3 sessions → 2 left) and a massage (¥200.00): ¥150.00 from
    the card (¥1,200.00 before, ¥1,050.00 left) and ¥50.00 in cash."""
    return shop.checkout_data(
        shop.line(package_id=shop.package.pk),
        shop.line(shop.massage),
        payments=[
            {"method": "stored_value", "card_id": shop.card.pk, "amount_fen": 15000},
            {"method": "cash", "amount_fen": 5000},
        ],
    )


def notices() -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.CONSUMPTION).order_by("id"))


def test_a_checkout_by_card_and_package_queues_one_service_notice(
    front_a_client: Client,
    shop: Shop,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(front_a_client, "/visits", card_and_package(shop))
    assert response.status_code == 201, response.content[:300]
    visit_id = response.json()["id"]
    [notice] = notices()
    assert (notice.customer_id, notice.branch_id) == (shop.customer.pk, shop.branch.pk)
    assert (notice.key, notice.is_marketing, notice.status) == (
        f"visit:{visit_id}",
        False,
        MessageStatus.QUEUED,
    )
    assert MessageKind.CONSUMPTION not in MARKETING_KINDS
    template = MessageTemplate.objects.get(
        business_id=shop.customer.business_id, kind=MessageKind.CONSUMPTION
    )
    text = render(notice, template)
    assert "储值卡扣款¥150.00，余额¥1,050.00；疗程卡使用1次，剩余2次" in text
    assert shop.branch.name in text
    english = render(notice, template, language="en")
    assert "¥150.00 deducted from your stored-value card, ¥1,050.00 left" in english
    assert "1 package session(s) used, 2 left" in english


def test_a_replayed_checkout_queues_no_second_notice(
    front_a_client: Client,
    shop: Shop,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    key = {"Idempotency-Key": "tablet-9:0001"}
    with django_capture_on_commit_callbacks(execute=True):
        first = post(front_a_client, "/visits", card_and_package(shop), **key)
    with django_capture_on_commit_callbacks(execute=True) as replayed:
        again = post(front_a_client, "/visits", card_and_package(shop), **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert len(notices()) == 1
    assert replayed == []  # the replay sent nothing
    # and the notice of one deduction, announced twice, is still one message
    consumption_notice_queue(customer_id=shop.customer.pk, visit_id=first.json()["id"])
    assert len(notices()) == 1


def test_a_cash_only_visit_queues_no_notice(
    front_a_client: Client,
    shop: Shop,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        body = shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}])
        assert post(front_a_client, "/visits", body).status_code == 201
    assert notices() == []


def test_a_customer_who_opted_out_gets_no_notice(
    front_a_client: Client,
    shop: Shop,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    shop.customer.service_notices = False
    shop.customer.save(update_fields=["service_notices"])
    with django_capture_on_commit_callbacks(execute=True):
        assert post(front_a_client, "/visits", card_and_package(shop)).status_code == 201
        url = f"/cards/{shop.card.pk}/deductions"
        assert post(front_a_client, url, {"amount_fen": 1000}).status_code == 200
    assert notices() == []


def test_a_card_charged_through_the_api_queues_a_notice_per_deduction(
    front_a_client: Client,
    shop: Shop,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    url = f"/cards/{shop.card.pk}/deductions"
    with django_capture_on_commit_callbacks(execute=True):
        assert post(front_a_client, url, {"amount_fen": 60000}).status_code == 200
        assert post(front_a_client, url, {"amount_fen": 1000}).status_code == 200
    first, second = notices()
    assert first.key.startswith("card-entry:")
    assert first.key != second.key
    template = MessageTemplate.objects.get(
        business_id=shop.customer.business_id, kind=MessageKind.CONSUMPTION
    )
    assert "储值卡扣款¥600.00，余额¥600.00" in render(first, template)
    assert "储值卡扣款¥10.00，余额¥590.00" in render(second, template)
    assert "疗程" not in render(second, template)


def test_a_refused_deduction_queues_nothing(
    front_a_client: Client,
    shop: Shop,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        url = f"/cards/{shop.card.pk}/deductions"
        assert post(front_a_client, url, {"amount_fen": 10_000_000}).status_code == 409
    assert notices() == []


def test_staff_record_the_opt_out_on_the_customer_and_it_is_kept_in_the_history(
    owner: User, shop: Shop
) -> None:
    assert shop.customer.service_notices is True  # notices go out unless the customer says no
    customer_update(actor=owner, customer_id=shop.customer.pk, data={"service_notices": False})
    shop.customer.refresh_from_db()
    assert shop.customer.service_notices is False
    assert FieldChange.objects.filter(customer=shop.customer, field="service_notices").exists()
