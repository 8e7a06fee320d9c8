"""Tenant isolation of the data-rights export: another business that names the same customer id
(in its audit events, or in rows of its own that point at the customer) writes nothing into the
customer's export, in any section."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, Business, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.customers import selectors
from liuke.engagement import services as engagement
from liuke.engagement.models import Contact, ContactReason
from liuke.sales.models import CardEntry, StoredValueCard

pytestmark = pytest.mark.django_db

RIVAL = "RIVAL-TEXT"


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def _rival_writes_about(
    customer_id: int, *, business: Business, branch: Branch, staff: User
) -> None:
    """What another business can leave naming our customer's id: an audit event with its free
    text, a contact of its own, and a card with a ledger entry (a table one level further)."""
    audit_record(
        actor=staff, action=Action.UPDATE, customer_ids=[customer_id], reason=RIVAL, journal=False
    )
    engagement.defaults_ensure(business_id=business.pk)
    now = timezone.now()
    Contact.objects.create(
        business=business,
        branch=branch,
        customer_id=customer_id,
        channel="phone",
        direction="in",
        reason=ContactReason.objects.filter(business_id=business.pk).earliest("pk"),
        outcome="resolved",
        notes=RIVAL,
        staff=staff,
        occurred_at=now,
    )
    card = StoredValueCard.objects.create(
        business=business, branch=branch, customer_id=customer_id, number=RIVAL
    )
    CardEntry.objects.create(
        card=card,
        seq=1,
        kind="topup",
        paid_delta_fen=100,
        bonus_delta_fen=0,
        paid_after_fen=100,
        bonus_after_fen=0,
        note=RIVAL,
        created_at=now,
    )


def _rows(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (section, row)
        for section, value in data.items()
        if isinstance(value, list)
        for row in value
        if isinstance(row, dict)
    ]


def test_the_export_holds_nothing_another_business_wrote_about_the_same_customer_id(
    owner: User,
    owner_client: Client,
    shop: Shop,
    outsider: User,
    other_business: Business,
    other_branch: Branch,
) -> None:
    customer = shop.customer
    _rival_writes_about(customer.pk, business=other_business, branch=other_branch, staff=outsider)

    data = selectors.customer_export_data(actor=owner, customer_id=customer.pk, reason="查阅")

    assert RIVAL not in json.dumps(data, default=str)
    assert [
        section
        for section, row in _rows(data)
        if row.get("business_id") == other_business.pk or row.get("business") == other_business.pk
    ] == []
    assert [row["number"] for row in data["sales.storedvaluecard"]] == ["VIP001"]  # ours stay
    assert data["audit_events"], "our own events are still there"
    # the page and the API serve the same data
    for response in (
        owner_client.post(
            f"/customers/{customer.pk}/privacy/export/", {"reason": "查阅", "format": "json"}
        ),
        owner_client.post(
            f"/api/v1/customers/{customer.pk}/export",
            data=json.dumps({"reason": "接口导出"}),
            content_type="application/json",
        ),
    ):
        assert response.status_code == 200
        assert RIVAL not in response.content.decode()
