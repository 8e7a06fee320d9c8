"""The complaint pages and API used to write the default causes and settings on a GET; a
business now gets them when it is created and a GET only reads (the settings fall back to the
defaults, unsaved, should the row be missing)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.complaints.helpers import open_complaint
from tests.reads import writes_of_get
from tests.sales.shop import Shop

from liuke.accounts.models import User
from liuke.accounts.policy import business_of
from liuke.complaints import defaults, selectors
from liuke.complaints.models import ComplaintCause, ComplaintSettings

pytestmark = pytest.mark.django_db


def test_a_new_business_has_its_causes_and_settings(owner: User) -> None:
    assert ComplaintCause.objects.filter(business_id=business_of(owner)).exists()
    assert ComplaintSettings.objects.filter(business_id=business_of(owner)).count() == 1


@pytest.mark.parametrize("missing_settings", [False, True])
def test_complaint_pages_and_api_write_nothing(
    shop: Shop, owner: User, owner_client: Client, missing_settings: bool
) -> None:
    complaint = open_complaint(owner, shop)
    if missing_settings:
        ComplaintSettings.objects.filter(business_id=business_of(owner)).delete()
    urls = [
        reverse("complaints:list"),
        reverse("complaints:new"),
        reverse("complaints:settings"),
        reverse("complaints:reports"),
        reverse("complaints:detail", args=[complaint.pk]),
        "/api/v1/complaints",
        f"/api/v1/complaints/{complaint.pk}",
        "/api/v1/complaints/causes",
    ]
    assert {url: writes_of_get(owner_client, url) for url in urls} == {url: [] for url in urls}
    assert ComplaintSettings.objects.filter(business_id=business_of(owner)).exists() is not (
        missing_settings
    )


def test_missing_settings_read_as_the_defaults(owner: User) -> None:
    assert owner.business_id is not None
    ComplaintSettings.objects.filter(business_id=owner.business_id).delete()
    found = selectors.settings_of(owner.business_id)
    assert found.pk is None
    assert (found.response_high_min, found.resolution_high_h) == defaults.TARGETS["high"]
    assert not ComplaintSettings.objects.filter(business_id=owner.business_id).exists()
