"""The figures on the profile where the archive is built by the test itself: too thin to model,
and not refreshed at all (so not on the shared refreshed archive of test_api_pages.py)."""

from __future__ import annotations

import numpy as np
from django.test import Client
from tests.analytics.test_refresh import TODAY, visits_make
from tests.factories import customer_make

from liuke.accounts.models import Branch, Business, User
from liuke.analytics.services import figures_refresh


def test_profile_says_when_data_are_too_thin(
    owner: User, branch_a: Branch, business: Business
) -> None:
    client = Client()
    client.force_login(owner)
    customers = [customer_make(actor=owner, branch=branch_a, name=f"新{i}") for i in range(4)]
    visits_make(customers, np.random.default_rng(2))
    figures_refresh(business=business, today=TODAY)
    html = client.get(f"/customers/{customers[0].pk}/").content.decode()
    assert 'id="value-thin"' in html
    assert 'id="value-rule"' in html


def test_profile_before_any_refresh(owner_client: Client, owner: User, branch_a: Branch) -> None:
    customer = customer_make(actor=owner, branch=branch_a, name="未算")
    html = owner_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "liuke analytics refresh" in html
