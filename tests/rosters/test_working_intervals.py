"""working_intervals: the weekly roster minus breaks and time off, plus extra shifts, inside the
opening hours, reckoned in the branch's time zone and returned in UTC (days when the clocks
change included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from liuke.accounts.models import Branch, User
from liuke.rosters import services
from liuke.rosters.models import RosterSpan
from liuke.rosters.selectors import working_intervals

pytestmark = pytest.mark.django_db

T = dt.time
UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def week(owner: User, staff: User, branch: Branch, *days: int, **spans: object) -> None:
    for weekday in days:
        services.roster_day_set(
            actor=owner,
            staff_id=staff.pk,
            branch_id=branch.pk,
            weekday=weekday,
            **spans,  # type: ignore[arg-type]
        )


def test_shanghai_hours_minus_breaks_and_time_off_plus_extra_shifts(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    # 2030-05-06 is a Monday; Shanghai is UTC+8 all year
    week(owner, beautician_a, branch_a, 0, 1, work=[(T(10), T(19))], breaks=[(T(12), T(13))])
    base: dict[str, Any] = {"actor": owner, "staff_id": beautician_a.pk, "branch_id": branch_a.pk}
    off = (T(15), T(16))
    services.roster_exception_add(day=dt.date(2030, 5, 7), kind="time_off", span=off, **base)
    services.roster_exception_add(day=dt.date(2030, 5, 8), kind="extra", span=(T(9), T(11)), **base)
    services.roster_exception_add(day=dt.date(2030, 5, 13), kind="leave", every_branch=True, **base)
    got = working_intervals(
        branch_id=branch_a.pk,
        staff_ids=[beautician_a.pk],
        start=at(2030, 5, 5, 16),  # Monday 00:00 in Shanghai
        end=at(2030, 5, 13, 16),
    )
    assert got == {
        beautician_a.pk: [
            (at(2030, 5, 6, 2), at(2030, 5, 6, 4)),
            (at(2030, 5, 6, 5), at(2030, 5, 6, 11)),
            (at(2030, 5, 7, 2), at(2030, 5, 7, 4)),
            (at(2030, 5, 7, 5), at(2030, 5, 7, 7)),
            (at(2030, 5, 7, 8), at(2030, 5, 7, 11)),
            (at(2030, 5, 8, 1), at(2030, 5, 8, 3)),
            # Monday the 13th is leave
        ]
    }


def test_the_window_clips_and_staff_without_a_roster_have_no_time(
    owner: User, beautician_a: User, front_a: User, branch_a: Branch
) -> None:
    week(owner, beautician_a, branch_a, 0, work=[(T(10), T(19))])
    got = working_intervals(
        branch_id=branch_a.pk,
        staff_ids=[beautician_a.pk, front_a.pk],
        start=at(2030, 5, 6, 5),
        end=at(2030, 5, 6, 6, 30),
    )
    assert got == {beautician_a.pk: [(at(2030, 5, 6, 5), at(2030, 5, 6, 6, 30))], front_a.pk: []}


def test_opening_hours_changed_later_still_bound_the_roster(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    week(owner, beautician_a, branch_a, 0, work=[(T(9), T(21))])
    branch_a.opens_at, branch_a.closes_at = T(11), T(20)
    branch_a.save()
    got = working_intervals(
        branch_id=branch_a.pk,
        staff_ids=[beautician_a.pk],
        start=at(2030, 5, 5, 16),
        end=at(2030, 5, 6, 16),
    )
    assert got[beautician_a.pk] == [(at(2030, 5, 6, 3), at(2030, 5, 6, 12))]


@pytest.fixture
def london(branch_a: Branch) -> Branch:
    branch_a.time_zone = "Europe/London"
    branch_a.opens_at, branch_a.closes_at = T(8), T(4)  # open past midnight
    branch_a.save()
    return branch_a


def test_london_in_march_the_day_the_clocks_go_forward(
    owner: User, beautician_a: User, london: Branch
) -> None:
    # 2026-03-29 (Sunday): 01:00 GMT becomes 02:00 BST
    week(owner, beautician_a, london, 5, 6, work=[(T(9), T(17))])
    week(owner, beautician_a, london, 5, work=[(T(9), T(17)), (T(23), T(3))])
    got = working_intervals(
        branch_id=london.pk,
        staff_ids=[beautician_a.pk],
        start=at(2026, 3, 28),
        end=at(2026, 3, 30),
    )
    assert got[beautician_a.pk] == [
        (at(2026, 3, 28, 9), at(2026, 3, 28, 17)),  # Saturday: GMT, UTC+0
        # Saturday 23:00 GMT to Sunday 03:00 BST: three hours, not four
        (at(2026, 3, 28, 23), at(2026, 3, 29, 2)),
        (at(2026, 3, 29, 8), at(2026, 3, 29, 16)),  # Sunday: BST, UTC+1
    ]


def test_london_in_october_the_day_the_clocks_go_back(
    owner: User, beautician_a: User, london: Branch
) -> None:
    # 2026-10-25 (Sunday): 02:00 BST becomes 01:00 GMT
    week(owner, beautician_a, london, 5, work=[(T(9), T(17)), (T(23), T(3))])
    week(owner, beautician_a, london, 6, work=[(T(9), T(17))])
    got = working_intervals(
        branch_id=london.pk,
        staff_ids=[beautician_a.pk],
        start=at(2026, 10, 24),
        end=at(2026, 10, 26),
    )
    assert got[beautician_a.pk] == [
        (at(2026, 10, 24, 8), at(2026, 10, 24, 16)),  # Saturday: BST
        # Saturday 23:00 BST to Sunday 03:00 GMT: five hours
        (at(2026, 10, 24, 22), at(2026, 10, 25, 3)),
        (at(2026, 10, 25, 9), at(2026, 10, 25, 17)),  # Sunday: GMT
    ]
    assert RosterSpan.objects.count() == 3
