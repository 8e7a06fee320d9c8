"""The owner's settings page and `business_update`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from tests.factories import customer_make

from liuke.accounts.models import Business, User
from liuke.accounts.services import business_update
from liuke.audit.models import AuditEvent
from liuke.core.errors import PermissionDenied
from liuke.customers.models import Customer

pytestmark = pytest.mark.django_db


def _form(name: str = "丽颜美容", months: str = "12") -> dict[str, str]:
    return {"name": name, "stale_after_months": months, "grant_hours": "24", "retention_years": "3"}


def test_owner_changes_the_settings_and_the_change_is_audited(
    owner_client: Client, business: Business
) -> None:
    page = owner_client.get("/account/settings/")
    assert page.status_code == 200
    assert 'name="stale_after_months"' in page.content.decode()
    response = owner_client.post(
        "/account/settings/",
        {"name": "丽颜美容", "stale_after_months": "6", "grant_hours": "8", "retention_years": "5"},
    )
    assert response.status_code == 302
    business.refresh_from_db()
    assert (business.stale_after_months, business.grant_hours, business.retention_years) == (
        6,
        8,
        5,
    )
    event = AuditEvent.objects.filter(action="settings").get()
    assert event.fields == ["grant_hours", "retention_years", "stale_after_months"]


def test_the_stale_queue_uses_the_new_limit(
    owner_client: Client, owner: User, business: Business
) -> None:
    customer = customer_make(actor=owner, name="林晓雯")
    Customer.objects.filter(pk=customer.pk).update(
        verified_at=timezone.now() - dt.timedelta(days=130)
    )
    assert "林晓雯" not in owner_client.get("/customers/to-confirm/").content.decode()
    owner_client.post(
        "/account/settings/",
        _form(months="3"),
    )
    assert "林晓雯" in owner_client.get("/customers/to-confirm/").content.decode()


@pytest.mark.parametrize("months", ["0", "121", "abc", ""])
def test_out_of_range_values_are_refused_and_nothing_is_saved(
    owner_client: Client, business: Business, months: str
) -> None:
    response = owner_client.post(
        "/account/settings/",
        _form("新名字", months),
    )
    assert response.status_code == 200
    assert 'class="field has-error"' in response.content.decode()
    business.refresh_from_db()
    assert (business.name, business.stale_after_months) == ("丽颜美容", 12)


def test_service_refuses_bad_values_with_codes(owner: User) -> None:
    with pytest.raises(ValidationError) as exc:
        business_update(actor=owner, name="", stale_after_months=0)
    codes = {k: [e.code for e in v] for k, v in exc.value.error_dict.items()}
    assert codes == {"name": ["required"], "stale_after_months": ["out_of_range"]}


@pytest.mark.parametrize("who", ["manager_a", "front_a", "beautician_a", "auditor"])
def test_only_owners_reach_the_settings(
    request: pytest.FixtureRequest, client_for: Callable[[User], Client], who: str
) -> None:
    user = request.getfixturevalue(who)
    assert client_for(user).get("/account/settings/").status_code == 404
    with pytest.raises(PermissionDenied):
        business_update(actor=user, name="x", stale_after_months=3)
