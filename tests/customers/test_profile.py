"""The profile fetched once, its panels from the registry, one audit event per request.

Query counts are exact baselines (NetBox style): a change that adds a query to the profile or a
panel changes the number here, on purpose or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from tests.factories import customer_make, visit_make

from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.models import AuditEvent
from liuke.core.registry import profile_panels
from liuke.customers import selectors
from liuke.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(owner: User, front_a: User) -> Customer:
    """A customer with tags and three visits, one possible duplicate and one referral."""
    customer = customer_make(
        actor=owner, name="王芳", mobile="13812345678", tags=["A", "B"], owner_id=front_a.pk
    )
    for _ in range(3):
        visit_make(customer=customer)
    customer_make(actor=owner, name="王芳芳", mobile="13812345678")
    customer_make(actor=owner, name="李娜", referrer_id=customer.pk)
    return customer


@pytest.fixture
def key(owner: User, manager_a: User) -> Customer:
    """A key account looked after by the manager: front desk staff see only its card."""
    return customer_make(
        actor=owner, name="沈若兰", mobile="13912345678", is_key_account=True, owner_id=manager_a.pk
    )


def _warm(client: Client) -> Client:
    client.get("/customers/")  # the first request of a session writes its idle clock
    return client


def _append() -> int:
    """The statements of the request's one audit append: savepoint, head, event, subjects,
    head hash, release on SQLite; PostgreSQL writes event, subjects and hash in one."""
    return {"sqlite": 6, "postgresql": 4}[connection.vendor]


#: Reads of the profile page per role, its panels included (its one audit append comes on top).
#: Those who sell packages read the package templates offered (issue 12): one query.
#: (+1 since issue 16: the navigation's counts of what waits for the viewer, one query)
#: (+1 since issue 17: the messages panel, each message with its state, one query)
#: (+1 since issue 13: the appointments kept, one query; the policy only after a miss)
PROFILE_QUERIES = {"owner": 32, "front_a": 33, "beautician_a": 21}


@pytest.mark.parametrize("persona", sorted(PROFILE_QUERIES))
def test_profile_query_count(
    request: pytest.FixtureRequest,
    client_for: Callable[[User], Client],
    wang: Customer,
    persona: str,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = _warm(client_for(request.getfixturevalue(persona)))
    with django_assert_num_queries(PROFILE_QUERIES[persona] + _append()):
        assert client.get(f"/customers/{wang.pk}/").status_code == 200


def test_key_account_card_query_count(
    front_a_client: Client, key: Customer, django_assert_num_queries: Callable[..., Any]
) -> None:
    client = _warm(front_a_client)
    with django_assert_num_queries(8 + _append()):  # 7, and the navigation's counts
        page = client.get(f"/customers/{key.pk}/").content.decode()
    assert 'id="key-account-card"' in page


#: Reads of each panel served alone (a refresh of one panel), before its one audit append.
PANEL_QUERIES = {"complaints": 4, "engagement": 6, "feedback": 5}


@pytest.mark.parametrize("panel", sorted(PANEL_QUERIES))
def test_panel_url_query_count_and_one_event(
    owner_client: Client,
    wang: Customer,
    panel: str,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = _warm(owner_client)
    before = AuditEvent.objects.count()
    with django_assert_num_queries(PANEL_QUERIES[panel] + _append()):
        answer = client.get(f"/{panel}/customers/{wang.pk}/panel/")
    assert answer.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.fields[0] == panel


def test_opening_the_profile_writes_one_event_naming_every_section(
    owner_client: Client, owner: User, wang: Customer
) -> None:
    client = _warm(owner_client)
    before = AuditEvent.objects.count()
    page = client.get(f"/customers/{wang.pk}/").content.decode()
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert len(events) == 1
    event = events[0]
    assert event.action == Action.VIEW
    assert event.actor_id == owner.pk
    assert event.request_id
    assert event.fields == [
        "profile",
        "history",
        "duplicates",
        "referrals",
        "sales_summary",
        "visits",
        "sales",
        "complaints",
        "engagement",
        "messages",
        "feedback",
        "appointments_attendance",
        "value",
        f"files:{wang.pk}",
    ]
    # Every customer shown: the file opened, the possible duplicate and the referral listed.
    assert len(event.customer_ids) == 3
    assert wang.pk in event.customer_ids
    # Every panel of the registry is on the page, in the request itself (no htmx load).
    for panel in profile_panels():
        assert f'id="{panel.key}"' in page
    assert 'hx-trigger="load"' not in page


def test_the_card_is_one_event_without_panels(front_a_client: Client, key: Customer) -> None:
    client = _warm(front_a_client)
    before = AuditEvent.objects.count()
    page = client.get(f"/customers/{key.pk}/").content.decode()
    event = AuditEvent.objects.get(seq__gt=before)
    assert (event.action, event.fields, event.customer_ids) == ("view", ["profile:card"], [key.pk])
    assert 'id="sales"' not in page


def test_a_read_whose_record_fails_returns_no_data(
    owner_client: Client, wang: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liuke.audit import log

    client = _warm(owner_client)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the log is down")

    real = log.audit_record

    def failing(**kwargs: Any) -> Any:
        # Noting into the journal works; the request's one append at the end fails.
        return real(**kwargs) if kwargs.get("journal", True) else broken(**kwargs)

    monkeypatch.setattr(log, "audit_record", failing)
    before = AuditEvent.objects.count()
    page = client.get(f"/customers/{wang.pk}/")
    assert page.status_code == 503
    assert "王芳" not in page.content.decode()
    assert "13812345678" not in page.content.decode()
    api = client.get(f"/api/v1/customers/{wang.pk}")
    assert api.status_code == 503
    assert api.json()["code"] == "read_not_recorded"
    assert "王芳" not in api.content.decode()
    assert AuditEvent.objects.count() == before


def test_outside_a_request_a_read_is_recorded_at_once(owner: User, wang: Customer) -> None:
    before = AuditEvent.objects.count()
    selectors.customer_file(actor=owner, customer_id=wang.pk)
    assert AuditEvent.objects.count() == before + 1


def test_the_profile_imports_no_app_above_customers() -> None:
    from pathlib import Path

    import liuke.customers.views as views

    source = Path(views.__file__).read_text(encoding="utf-8")
    for app in ("sales", "analytics", "complaints", "engagement", "feedback"):
        assert f"liuke.{app}" not in source


def test_the_first_screen_is_money_visits_and_open_matters_before_identity(
    front_a_client: Client, wang: Customer
) -> None:
    """A front-desk tablet's first screen (issue 16): balances, packages, visits, open complaints
    and follow-ups, and the allergies, before the identity details and data quality."""
    page = front_a_client.get(f"/customers/{wang.pk}/").content.decode()
    identity = page.index("<h2>基本资料</h2>")  # the "Profile" card
    assert page.index('id="sales"') < identity
    assert page.index('id="engagement"') < identity
    assert page.index('id="safety"') < page.index('id="sales"')


def test_no_known_allergies_says_when_it_was_confirmed(front_a_client: Client, owner: User) -> None:
    """None recorded and confirmed: "无已知过敏（<day>确认）"; never asked: a prompt to ask."""
    asked = customer_make(actor=owner, name="周莎")
    Customer.objects.filter(pk=asked.pk).update(
        health_verified_at=dt.datetime(2026, 3, 14, 4, tzinfo=dt.UTC)
    )
    page = front_a_client.get(f"/customers/{asked.pk}/").content.decode()
    assert "无已知过敏（2026-03-14确认）" in page
    never = customer_make(actor=owner, name="吴敏")
    Customer.objects.filter(pk=never.pk).update(health_verified_at=None)
    page = front_a_client.get(f"/customers/{never.pk}/").content.decode()
    assert "无已知过敏" not in page
    assert "请先询问" in page
    allergic = customer_make(actor=owner, name="李娜", allergies="对果酸过敏")
    page = front_a_client.get(f"/customers/{allergic.pk}/").content.decode()
    assert "对果酸过敏" in page
    assert "无已知过敏" not in page
