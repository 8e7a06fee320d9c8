"""The engagement pages and API that showed the default reasons used to write them on a GET;
a business now gets them when it is created and a GET only reads."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import customer_make
from tests.reads import writes_of_get

from liuke.accounts.models import User
from liuke.accounts.policy import business_of
from liuke.engagement.models import ContactReason

pytestmark = pytest.mark.django_db


def test_a_new_business_has_its_default_reasons(owner: User) -> None:
    assert ContactReason.objects.filter(business_id=business_of(owner)).count() >= 10


@pytest.mark.parametrize(
    "name", ["contact_new", "contacts", "reasons", "settings", "followups", "tasks", "brief_today"]
)
def test_an_engagement_page_writes_nothing(owner: User, owner_client: Client, name: str) -> None:
    assert writes_of_get(owner_client, reverse(f"engagement:{name}")) == []


def test_the_brief_and_the_reasons_api_write_nothing(owner: User, owner_client: Client) -> None:
    customer = customer_make(actor=owner)
    assert writes_of_get(owner_client, reverse("engagement:brief", args=[customer.pk])) == []
    assert writes_of_get(owner_client, "/api/v1/engagement/reasons") == []
