"""A branch outside China (Europe/London) booked across the days the clocks change: stored in
UTC, shown on the branch's clock, lengths and rostered minutes right. Run on both databases."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from tests.appointments.helpers import Salon, book, item, salon_make
from tests.factories import branch_make, user_make

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.appointments import selectors, services, timing
from liuke.appointments.reports import book_reports
from liuke.rosters import services as rosters

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
T = dt.time
UTC = dt.UTC
#: The clocks go forward an hour at 01:00 UTC on 2027-03-28 and back at 01:00 UTC on 2027-10-31.
SPRING, AUTUMN = dt.date(2027, 3, 28), dt.date(2027, 10, 31)


@pytest.fixture
def london(owner: User, branch_b: Branch) -> Salon:
    branch = branch_make(business=branch_b.business, name="伦敦店", time_zone="Europe/London")
    owner.branches.add(branch)
    stylist = user_make(business=branch_b.business, role=Role.BEAUTICIAN, branches=[branch])
    return salon_make(owner=owner, branch=branch, other_branch=branch_b, beautician=stylist)


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(hour, minute), tzinfo=LONDON)


@pytest.mark.parametrize(
    ("day", "offset"),
    [(SPRING - dt.timedelta(days=1), 0), (SPRING, 1), (AUTUMN - dt.timedelta(days=1), 1),
     (AUTUMN, 0)],
)  # fmt: skip
def test_stored_in_utc_on_either_side_of_the_change(
    london: Salon, owner: User, day: dt.date, offset: int
) -> None:
    a = book(london, owner, item(london.facial, london.lin, _local(day, 10).replace(tzinfo=None)))
    stored = a.items.get()
    assert stored.start_at == dt.datetime.combine(day, T(10 - offset), tzinfo=UTC)
    assert stored.end_at - stored.start_at == dt.timedelta(minutes=60)


def test_moving_across_the_change_keeps_the_wall_clock_and_the_length(
    london: Salon, owner: User, owner_client: Client
) -> None:
    a = book(london, owner, item(london.facial, london.lin, _local(SPRING - dt.timedelta(1), 10)))
    moved = services.appointment_item_move(
        actor=owner, item_id=a.items.get().pk, start_at=_local(SPRING, 10).replace(tzinfo=None)
    )
    assert (moved.start_at, moved.end_at) == (
        dt.datetime(2027, 3, 28, 9, tzinfo=UTC),
        dt.datetime(2027, 3, 28, 10, tzinfo=UTC),
    )
    shown = owner_client.get(f"/api/v1/appointments/{a.pk}").json()
    assert shown["items"][0]["start_at"] == "2027-03-28T10:00:00+01:00"
    assert shown["items"][0]["end_at"] == "2027-03-28T11:00:00+01:00"


def test_the_day_of_the_change_is_23_or_25_hours_and_holds_its_own_bookings(
    london: Salon, owner: User
) -> None:
    early = book(london, owner, item(london.facial, london.lin, _local(SPRING, 9)))
    late = book(london, owner, item(london.facial, london.lin, _local(SPRING, 20)))
    book(london, owner, item(london.facial, london.lin, _local(SPRING + dt.timedelta(1), 9)))
    day = selectors.day_book(actor=owner, branch_id=london.branch.pk, day=SPRING)
    assert [i.appointment_id for i in day.items] == [early.pk, late.pk]
    start, end = day_window = timing.day_window(london.branch, SPRING)
    assert end - start == dt.timedelta(hours=23)
    autumn = timing.day_window(london.branch, AUTUMN)
    assert autumn[1] - autumn[0] == dt.timedelta(hours=25)
    assert day_window[0] == dt.datetime(2027, 3, 28, 0, tzinfo=UTC)


@pytest.mark.parametrize("day", [SPRING, AUTUMN])
def test_rostered_and_booked_minutes_on_the_day_of_the_change(
    london: Salon, owner: User, day: dt.date
) -> None:
    rosters.roster_day_set(
        actor=owner, staff_id=london.lin.pk, branch_id=london.branch.pk, weekday=day.weekday(),
        work=[(T(9), T(18))],
    )  # fmt: skip
    book(london, owner, item(london.facial, london.lin, _local(day, 10)))
    book(london, owner, item(london.massage, london.lin, _local(day, 17)))
    [report] = book_reports(actor=owner, branch_ids=[london.branch.pk], first=day, last=day)
    [use] = report.staff
    assert (use.booked_min, use.rostered_min) == (105, 540)
