"""The suggestion box page used to make the branch's box on a GET; a business's branches now
get one when it is created, and the page only reads (a branch without a box offers a button)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.reads import writes_of_get

from liuke.accounts.models import Branch, User
from liuke.accounts.policy import business_of
from liuke.accounts.services import owner_create
from liuke.feedback.models import SuggestionBox

pytestmark = pytest.mark.django_db


def test_a_new_business_has_a_box_for_its_branch() -> None:
    owner = owner_create(
        username="new-owner",
        password="a long pass phrase 2026",
        business_name="新店",
        branch_name="",
    )
    assert SuggestionBox.objects.filter(branch__business_id=business_of(owner)).count() == 1


def test_the_box_page_reads_a_box_and_writes_nothing(
    manager_a: User, manager_a_client: Client, branch_a: Branch
) -> None:
    SuggestionBox.objects.create(branch=branch_a, token="t" * 22)
    url = f"{reverse('feedback:box')}?branch={branch_a.pk}"
    assert writes_of_get(manager_a_client, url) == []
    assert "qr-card" in manager_a_client.get(url).content.decode()


def test_a_branch_without_a_box_is_offered_one_and_the_get_writes_nothing(
    manager_a: User, manager_a_client: Client, branch_a: Branch
) -> None:
    url = f"{reverse('feedback:box')}?branch={branch_a.pk}"
    assert writes_of_get(manager_a_client, url) == []
    assert not SuggestionBox.objects.filter(branch=branch_a).exists()
    page = manager_a_client.get(url).content.decode()
    assert "qr-card" not in page
    response = manager_a_client.post(reverse("feedback:box"), {"branch": branch_a.pk})
    assert response.status_code == 302
    assert SuggestionBox.objects.filter(branch=branch_a).count() == 1
