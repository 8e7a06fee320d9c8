"""The "today" page: every staff member's landing page, its sections contributed by the apps
that own the data (`core.registry.TodaySection`), read through the access policy and recorded
as the request's one audit event (issue 16)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from tests.complaints.helpers import open_complaint
from tests.factories import customer_make
from tests.factories.sales import visit_make
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.complaints.models import Complaint
from liuke.customers.models import Customer
from liuke.engagement.choices import TaskKind, TaskStatus
from liuke.engagement.models import Task

pytestmark = pytest.mark.django_db


def _today_at(branch: Branch, hour: int) -> dt.datetime:
    tz = ZoneInfo(branch.time_zone)
    return dt.datetime.combine(timezone.localdate(timezone=tz), dt.time(hour), tzinfo=tz)


def section(page: str, key: str) -> str:
    """The HTML of one section of the page ("" when the page does not show it)."""
    found = re.search(rf'<section[^>]*id="today-{key}".*?</section>', page, re.S)
    return found.group(0) if found else ""


def _served_and_booked(customer: Customer, shop: Shop, *, days_ago: int, hour: int) -> None:
    """A facial the shop's beautician performed `days_ago`, booking today at `hour`."""
    visit_make(
        customer=customer,
        days_ago=days_ago,
        served_by=shop.beautician,
        lines=[(shop.beautician, shop.facial, 12800)],
        next_visit_at=_today_at(shop.branch, hour),
    )


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    """A menu, a customer with a card and a package sold today (money taken today)."""
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.fixture
def arriving(owner: User, branch_a: Branch, beautician_a: User, shop: Shop) -> Customer:
    """李娜, booked for 15:00 today at the visit beautician_a served two weeks ago."""
    customer = customer_make(
        actor=owner,
        branch=branch_a,
        name="李娜",
        allergies="对果酸过敏",
        preferences="喜欢安静的房间",
    )
    _served_and_booked(customer, shop, days_ago=14, hour=15)
    return customer


@pytest.fixture
def tomorrow(owner: User, branch_a: Branch) -> Customer:
    """周莎, booked for tomorrow: not on today's page."""
    customer = customer_make(actor=owner, branch=branch_a, name="周莎")
    booked = _today_at(branch_a, 15) + dt.timedelta(days=1)
    visit_make(customer=customer, days_ago=3, next_visit_at=booked)
    return customer


@pytest.fixture
def callback(owner: User, front_a: User, branch_a: Branch) -> Task:
    """A callback for 王芳 that front_a owes, due an hour ago."""
    customer = customer_make(actor=owner, branch=branch_a, name="王芳")
    return Task.objects.create(
        business_id=branch_a.business_id,
        branch=branch_a,
        customer=customer,
        kind=TaskKind.CALLBACK,
        key="today-test",
        assignee=front_a,
        due_at=timezone.now() - dt.timedelta(hours=1),
        status=TaskStatus.OPEN,
    )


def test_staff_land_on_today(front_a_client: Client) -> None:
    response = front_a_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/today/"


def test_the_login_lands_on_today(front_a: User) -> None:
    front_a.set_password("Pw-today-2026!")
    front_a.save()
    client = Client()
    response = client.post("/login/", {"username": front_a.username, "password": "Pw-today-2026!"})
    assert response.status_code == 302
    assert response["Location"] == "/today/"


def test_the_front_desk_day(
    front_a_client: Client, arriving: Customer, tomorrow: Customer, callback: Task
) -> None:
    page = front_a_client.get("/today/").content.decode()
    arrivals = section(page, "arrivals")
    assert "李娜" in arrivals
    assert "对果酸过敏" in arrivals  # the allergy before anything else about her
    assert arrivals.index("对果酸过敏") < arrivals.index("喜欢安静的房间")
    assert "周莎" not in page  # tomorrow's
    assert "王芳" in section(page, "due")
    takings = section(page, "takings")
    assert "静安店" in takings
    assert "¥1,100.00" in takings  # the card top-up (¥1,000) and the package (¥100) of today
    # not the front desk's: the manager's breaches and the call list of the value model
    assert section(page, "complaints") == ""
    assert section(page, "at_risk") == ""


def test_the_beautician_day_is_her_customers_with_their_allergies(
    beautician_a_client: Client,
    owner: User,
    manager_a: User,
    beautician_a: User,
    branch_a: Branch,
    arriving: Customer,
    callback: Task,
    shop: Shop,
) -> None:
    # a key account she served last week: on its card she still sees the allergy, not the rest
    key = customer_make(
        actor=owner,
        branch=branch_a,
        name="沈若兰",
        is_key_account=True,
        owner_id=manager_a.pk,
        allergies="对酒精过敏",
        preferences="只要包间",
    )
    _served_and_booked(key, shop, days_ago=7, hour=11)
    # someone else's customer, also expected today: not on her page
    other = customer_make(actor=owner, branch=branch_a, name="刘洋", allergies="对花粉过敏")
    visit_make(customer=other, days_ago=5, next_visit_at=_today_at(branch_a, 16))

    page = beautician_a_client.get("/today/").content.decode()
    arrivals = section(page, "arrivals")
    assert "李娜" in arrivals
    assert "对果酸过敏" in arrivals
    assert "喜欢安静的房间" in arrivals
    assert "沈若兰" in arrivals
    assert "对酒精过敏" in arrivals
    assert "只要包间" not in page  # a key account's file detail
    assert "刘洋" not in page
    assert "对花粉过敏" not in page
    assert arrivals.index("沈若兰") < arrivals.index("李娜")  # 11:00 before 15:00
    assert section(page, "takings") == ""  # no money for beauticians
    assert "王芳" not in page  # front_a's callback


def test_the_manager_day_shows_breached_complaints(
    manager_a_client: Client, front_a: User, shop: Shop
) -> None:
    complaint = open_complaint(front_a, shop)
    Complaint.objects.filter(pk=complaint.pk).update(response_breached_at=timezone.now())
    page = manager_a_client.get("/today/").content.decode()
    breaches = section(page, "complaints")
    assert shop.customer.name in breaches
    assert f"/complaints/{complaint.pk}/" in breaches
    assert "静安店" in section(page, "takings")


def test_nothing_of_another_branch(front_b_client: Client, arriving: Customer) -> None:
    page = front_b_client.get("/today/").content.decode()
    assert "李娜" not in page
    assert "对果酸过敏" not in page


def _append() -> int:
    """The statements of the request's one audit append (tests/customers/test_profile.py)."""
    return {"sqlite": 6, "postgresql": 4}[connection.vendor]


#: Reads of the page per role (its one audit append comes on top): the session and user, then
#: each section's own selectors (the appointments' section: the branches and today's items),
#: and the navigation's counts of what waits (one query for all); a row more on the page adds
#: no query. Issue 16's last sections add one each: the staff member's unread notices (everyone)
#: and the calls from new numbers to return (those who may log contacts: not the auditor).
TODAY_QUERIES = {"owner": 20, "manager_a": 21, "front_a": 18, "beautician_a": 15, "auditor": 18}


@pytest.mark.parametrize("persona", sorted(TODAY_QUERIES))
def test_today_query_count_and_one_event(
    request: pytest.FixtureRequest,
    client_for: Callable[[User], Client],
    arriving: Customer,
    callback: Task,
    branch_a: Branch,
    owner: User,
    persona: str,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = client_for(request.getfixturevalue(persona))
    client.get("/customers/")  # the first request of a session writes its idle clock
    for name in ("陈静", "杨丽", "黄蓉"):  # more arrivals: the same number of queries
        visit_make(
            customer=customer_make(actor=owner, branch=branch_a, name=name, allergies="对芒果过敏"),
            days_ago=20,
            next_visit_at=_today_at(branch_a, 17),
        )
    before = AuditEvent.objects.count()
    with django_assert_num_queries(TODAY_QUERIES[persona] + _append()):
        assert client.get("/today/").status_code == 200
    events = list(AuditEvent.objects.order_by("-seq")[: AuditEvent.objects.count() - before])
    assert len(events) == 1  # every section's reads in one event
    assert events[0].action == "list"
    assert "today_arrivals" in events[0].fields
    assert arriving.pk in events[0].customer_ids
