"""Data-quality prompts where the customer actually is (issue 16): the profile, the brief and
the checkout ask to confirm what has not been confirmed for a long time, and the confirmation
returns to the page it was asked on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from tests.factories import customer_make

from liuke.accounts.models import User
from liuke.customers.models import Customer

pytestmark = pytest.mark.django_db

PROMPT = 'id="quality-prompt"'


@pytest.fixture
def stale(owner: User) -> Customer:
    """A customer whose contact and health details were last confirmed three years ago."""
    customer = customer_make(actor=owner, name="杨丽", mobile="13912340000")
    old = timezone.now() - dt.timedelta(days=3 * 365)
    Customer.objects.filter(pk=customer.pk).update(contact_verified_at=old, health_verified_at=old)
    return customer


@pytest.mark.parametrize(
    "url", ["/customers/{pk}/", "/engagement/brief/{pk}/", "/sales/checkout/?customer={pk}"]
)
def test_the_prompt_names_what_to_confirm(
    front_a_client: Client, stale: Customer, url: str
) -> None:
    page = front_a_client.get(url.format(pk=stale.pk)).content.decode()
    assert PROMPT in page
    prompt = page[page.index(PROMPT) : page.index("</div>", page.index(PROMPT))]
    assert "联系方式" in prompt  # the contact group
    assert "身份信息" not in prompt  # identity was confirmed when she was created


@pytest.mark.parametrize(
    "url", ["/customers/{pk}/", "/engagement/brief/{pk}/", "/sales/checkout/?customer={pk}"]
)
def test_no_prompt_when_everything_is_current(
    front_a_client: Client, owner: User, url: str
) -> None:
    fresh = customer_make(actor=owner, name="马丽")
    assert PROMPT not in front_a_client.get(url.format(pk=fresh.pk)).content.decode()


def test_confirming_at_the_checkout_returns_to_the_checkout(
    front_a_client: Client, stale: Customer
) -> None:
    back = f"/sales/checkout/?customer={stale.pk}"
    response = front_a_client.post(f"/customers/{stale.pk}/confirm/", {"next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    assert PROMPT not in front_a_client.get(back).content.decode()


def test_confirming_never_redirects_off_site(front_a_client: Client, stale: Customer) -> None:
    response = front_a_client.post(f"/customers/{stale.pk}/confirm/", {"next": "//evil.example/x"})
    assert response["Location"] == "/customers/to-confirm/"
