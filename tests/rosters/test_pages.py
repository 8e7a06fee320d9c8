"""The roster pages: the branch's week, a staff member's roster with its forms, exceptions
added and taken back; who may see and set them; the demo's rosters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from liuke.accounts.models import Branch, Business, User
from liuke.demo.generator import generate_demo
from liuke.rosters.demo import demo_rosters
from liuke.rosters.models import RosterException, RosterSpan
from liuke.rosters.selectors import staff_is_rostered

pytestmark = pytest.mark.django_db

SOON = dt.date.today() + dt.timedelta(days=3)


def test_a_manager_sets_a_day_and_an_exception_on_the_pages(
    manager_a_client: Client, beautician_a: User, branch_a: Branch, business: Business
) -> None:
    assert not staff_is_rostered(business_id=business.pk)
    base = f"/rosters/{branch_a.pk}/staff/{beautician_a.pk}/"
    page = manager_a_client.get(base)
    assert page.status_code == 200
    assert 'name="work_from"' in page.content.decode()
    saved = manager_a_client.post(
        base + "days/4/",
        {"work_from": ["10:00", "15:00", ""], "work_until": ["14:00", "20:00", ""],
         "break_from": ["12:00"], "break_until": ["12:30"]},
    )  # fmt: skip
    assert saved.status_code == 302
    assert sorted(
        RosterSpan.objects.filter(staff=beautician_a).values_list("kind", "starts_at")
    ) == [("break", dt.time(12)), ("work", dt.time(10)), ("work", dt.time(15))]
    assert staff_is_rostered(business_id=business.pk)
    refused = manager_a_client.post(
        base + "days/4/", {"work_from": ["07:00"], "work_until": ["12:00"]}, follow=True
    )
    assert "07:00-12:00" in refused.content.decode()  # the refusal, in words
    assert RosterSpan.objects.filter(staff=beautician_a).count() == 3
    manager_a_client.post(
        base + "exceptions/", {"day": SOON.isoformat(), "kind": "leave", "reason": "年假"}
    )
    row = RosterException.objects.get()
    week = manager_a_client.get(f"/rosters/{branch_a.pk}/").content.decode()
    assert "年假" in week
    assert "10:00–14:00" in week
    manager_a_client.post(f"/rosters/exceptions/{row.pk}/remove/", {"next": base})
    assert not RosterException.objects.exists()


def test_who_sees_which_roster_pages(
    client_for: object,
    beautician_a_client: Client,
    front_b_client: Client,
    outsider_client: Client,
    front_a: User,
    beautician_a: User,
    branch_a: Branch,
) -> None:
    assert beautician_a_client.get("/rosters/").status_code == 302
    own = beautician_a_client.get(f"/rosters/{branch_a.pk}/").content.decode()
    assert str(beautician_a) in own
    assert str(front_a) not in own  # a beautician sees her own roster only
    assert beautician_a_client.get(f"/rosters/{branch_a.pk}/staff/{front_a.pk}/").status_code == 404
    mine = beautician_a_client.get(f"/rosters/{branch_a.pk}/staff/{beautician_a.pk}/")
    assert 'name="work_from"' not in mine.content.decode()  # she reads, she does not set
    assert front_b_client.get(f"/rosters/{branch_a.pk}/").status_code == 404
    assert outsider_client.get(f"/rosters/{branch_a.pk}/").status_code == 404
    before = RosterSpan.objects.count()
    beautician_a_client.post(
        f"/rosters/{branch_a.pk}/staff/{beautician_a.pk}/days/0/",
        {"work_from": ["10:00"], "work_until": ["12:00"]},
    )
    assert RosterSpan.objects.count() == before


def test_the_demo_rosters_its_staff_at_both_branches_with_days_off_ahead() -> None:
    result = generate_demo(
        customers=50, seed=7, username="owner", password="demo-pass-2026", progress=False
    )
    business = Business.objects.get(pk=result.business_id)
    made = demo_rosters(business=business, seed=7)
    assert made["spans"] > 0
    branches = set(RosterSpan.objects.values_list("branch_id", flat=True))
    assert branches == set(Branch.objects.filter(business=business).values_list("pk", flat=True))
    assert len(branches) == 2
    ahead = RosterException.objects.filter(
        day__gt=dt.date.today(), day__lte=dt.date.today() + dt.timedelta(days=14)
    )
    assert ahead.exists()
    assert not RosterSpan.objects.filter(staff__role="owner").exists()
