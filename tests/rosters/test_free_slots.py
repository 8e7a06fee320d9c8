"""The free-slot search wired to the database: performers only (role, branch, skill), the
roster's working time, busy intervals from the caller's source, the policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from liuke.accounts.models import Branch, User
from liuke.core.errors import CapabilityDenied, NotFound
from liuke.rosters import services
from liuke.rosters.selectors import free_slots_for
from liuke.rosters.slots import Interval
from liuke.sales.models import Service, StaffSkill

pytestmark = pytest.mark.django_db

T = dt.time
UTC = dt.UTC
MONDAY = dt.datetime(2030, 5, 5, 16, tzinfo=UTC)  # 2030-05-06 00:00 in Shanghai


def at(hour: int, minute: int = 0) -> dt.datetime:
    """A moment of Monday 2030-05-06, Shanghai wall clock."""
    return MONDAY + dt.timedelta(hours=hour, minutes=minute)


@pytest.fixture
def facial(business: Any) -> Service:
    return Service.objects.create(
        business=business, category="facial", name="补水", duration_min=60, price_fen=100,
        cleanup_min=15,
    )  # fmt: skip


def rostered(owner: User, staff: User, branch: Branch, work: list[tuple[dt.time, dt.time]]) -> None:
    services.roster_day_set(
        actor=owner, staff_id=staff.pk, branch_id=branch.pk, weekday=0, work=work
    )


class Busy:
    """A busy source that remembers how it was asked."""

    def __init__(self, busy: Mapping[int, Sequence[Interval]]) -> None:
        self.busy = busy
        self.asked: dict[str, Any] = {}

    def __call__(
        self, *, branch_id: int, staff_ids: Sequence[int], start: dt.datetime, end: dt.datetime
    ) -> Mapping[int, Sequence[Interval]]:
        self.asked = {"branch_id": branch_id, "staff_ids": sorted(staff_ids), "start": start}
        return self.busy


def test_free_times_of_each_performer_and_of_any_staff(
    owner: User, manager_a: User, beautician_a: User, front_a: User, branch_a: Branch,
    facial: Service,
) -> None:  # fmt: skip
    rostered(owner, beautician_a, branch_a, [(T(10), T(12))])
    rostered(owner, manager_a, branch_a, [(T(11), T(13))])
    rostered(owner, front_a, branch_a, [(T(10), T(13))])  # the front desk does not do facials
    busy = Busy({beautician_a.pk: [(at(10), at(10, 30))]})
    got = free_slots_for(
        actor=front_a, branch_id=branch_a.pk, service_id=facial.pk,
        start=at(0), end=at(24), busy=busy, step_min=15,
    )  # fmt: skip
    assert set(got.by_staff) == {owner.pk, manager_a.pk, beautician_a.pk}
    assert got.by_staff[beautician_a.pk] == [at(10, 30), at(10, 45)]
    assert got.by_staff[manager_a.pk] == [at(11), at(11, 15), at(11, 30), at(11, 45)]
    assert got.by_staff[owner.pk] == []
    assert got.any_staff == [at(10, 30), at(10, 45), at(11), at(11, 15), at(11, 30), at(11, 45)]
    # busy time is asked from one service length before the window: a clean-up may reach in
    assert busy.asked["start"] == at(0) - dt.timedelta(minutes=75)
    assert busy.asked["staff_ids"] == sorted([owner.pk, manager_a.pk, beautician_a.pk])


def test_a_service_with_skills_listed_counts_only_those_staff(
    owner: User, manager_a: User, beautician_a: User, branch_a: Branch, facial: Service
) -> None:
    rostered(owner, beautician_a, branch_a, [(T(10), T(12))])
    rostered(owner, manager_a, branch_a, [(T(14), T(16))])
    StaffSkill.objects.create(service=facial, staff=manager_a)
    got = free_slots_for(
        actor=owner, branch_id=branch_a.pk, service_id=facial.pk,
        start=at(0), end=at(24), busy=Busy({}), step_min=60,
    )  # fmt: skip
    assert list(got.by_staff) == [manager_a.pk]
    assert got.any_staff == [at(14)]
    one = free_slots_for(
        actor=owner, branch_id=branch_a.pk, service_id=facial.pk, start=at(0), end=at(24),
        busy=Busy({}), staff_id=beautician_a.pk,
    )  # fmt: skip
    assert (one.by_staff, one.any_staff) == ({}, [])


def test_the_search_asks_the_policy(
    owner: User, front_b: User, outsider: User, branch_a: Branch, facial: Service
) -> None:
    args: dict[str, Any] = {
        "branch_id": branch_a.pk, "service_id": facial.pk, "start": at(0), "end": at(24),
        "busy": Busy({}),
    }  # fmt: skip
    with pytest.raises(NotFound):
        free_slots_for(actor=front_b, **args)
    with pytest.raises(NotFound):
        free_slots_for(actor=outsider, **args)
    with pytest.raises(NotFound):
        free_slots_for(actor=owner, **{**args, "service_id": 999999})
    with pytest.raises(CapabilityDenied):
        free_slots_for(actor=None, **args)  # type: ignore[arg-type]
