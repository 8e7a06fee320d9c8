"""Setting rosters: a weekday's working spans and breaks, the exceptions of single days; every
refusal with its code and nothing written, every change audited with before and after."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.core.errors import CapabilityDenied, NotFound, ServiceError
from liuke.rosters import services
from liuke.rosters.models import RosterException, RosterSpan

pytestmark = pytest.mark.django_db

T = dt.time


def refused(code: str, **kwargs: Any) -> None:
    before = (RosterSpan.objects.count(), RosterException.objects.count())
    with pytest.raises(ServiceError) as caught:
        services.roster_day_set(**kwargs)
    assert caught.value.code == code, caught.value.message
    assert (RosterSpan.objects.count(), RosterException.objects.count()) == before


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    return event


def test_a_day_is_set_with_a_split_shift_and_a_break_and_audited(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    services.roster_day_set(
        actor=owner,
        staff_id=beautician_a.pk,
        branch_id=branch_a.pk,
        weekday=0,
        work=[(T(10), T(14)), (T(16), T(21))],
        breaks=[(T(12), T(12, 30))],
    )
    rows = RosterSpan.objects.filter(staff=beautician_a).order_by("starts_at")
    assert [(r.kind, r.starts_at, r.ends_at) for r in rows] == [
        ("work", T(10), T(14)),
        ("break", T(12), T(12, 30)),
        ("work", T(16), T(21)),
    ]
    event = last_event()
    subject = f"roster:{beautician_a.pk}:{branch_a.pk}:0"
    assert event.fields == [f"{subject}:breaks", f"{subject}:work"]
    assert json.loads(event.reason) == {
        "breaks": [[], ["12:00-12:30"]],
        "work": [[], ["10:00-14:00", "16:00-21:00"]],
    }
    services.roster_day_set(
        actor=owner,
        staff_id=beautician_a.pk,
        branch_id=branch_a.pk,
        weekday=0,
        work=[(T(10), T(14))],
        breaks=[(T(12), T(12, 30))],
    )
    assert json.loads(last_event().reason) == {
        "work": [["10:00-14:00", "16:00-21:00"], ["10:00-14:00"]]
    }


def test_a_span_outside_the_opening_hours_is_refused_in_clear_words(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    # the business opens 09:00-22:00 by default
    base: dict[str, Any] = {
        "actor": owner,
        "staff_id": beautician_a.pk,
        "branch_id": branch_a.pk,
        "weekday": 2,
    }
    refused("outside_opening_hours", work=[(T(8, 30), T(12))], **base)
    refused("outside_opening_hours", work=[(T(20), T(23))], **base)
    with pytest.raises(ServiceError) as caught:
        services.roster_day_set(work=[(T(21), T(1))], **base)
    assert "21:00-01:00" in caught.value.message
    assert "09:00-22:00" in caught.value.message


def test_a_branch_open_past_midnight_takes_spans_past_midnight(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    branch_a.opens_at, branch_a.closes_at = T(18), T(4)
    branch_a.save()
    base: dict[str, Any] = {"actor": owner, "staff_id": beautician_a.pk, "branch_id": branch_a.pk}
    services.roster_day_set(weekday=4, work=[(T(20), T(3))], **base)
    # 01:00-03:00 on Sunday is the tail of Saturday's opening hours
    services.roster_day_set(weekday=6, work=[(T(1), T(3))], **base)
    refused("outside_opening_hours", weekday=3, work=[(T(3), T(5))], **base)


def test_working_spans_never_overlap_across_branches_and_midnight(
    owner: User, beautician_a: User, branch_a: Branch, branch_b: Branch
) -> None:
    beautician_a.branches.add(branch_b)
    base: dict[str, Any] = {"actor": owner, "staff_id": beautician_a.pk}
    services.roster_day_set(branch_id=branch_a.pk, weekday=1, work=[(T(10), T(15))], **base)
    refused("roster_overlap", branch_id=branch_b.pk, weekday=1, work=[(T(14), T(18))], **base)
    refused(
        "roster_overlap", branch_id=branch_a.pk, weekday=2, work=[(T(10), T(13)), (T(12), T(14))],
        **base,
    )  # fmt: skip
    services.roster_day_set(branch_id=branch_b.pk, weekday=1, work=[(T(15), T(20))], **base)
    for b in (branch_a, branch_b):
        b.opens_at, b.closes_at = T(9), T(3)
        b.save()
    services.roster_day_set(branch_id=branch_b.pk, weekday=1, work=[(T(15), T(2))], **base)
    refused("roster_overlap", branch_id=branch_a.pk, weekday=2, work=[(T(1), T(3))], **base)


def test_a_break_lies_inside_the_working_time(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    base: dict[str, Any] = {
        "actor": owner,
        "staff_id": beautician_a.pk,
        "branch_id": branch_a.pk,
        "weekday": 0,
    }
    refused("invalid_span", work=[(T(10), T(14))], breaks=[(T(13, 30), T(14, 30))], **base)
    refused("invalid_span", work=[(T(10), T(10))], **base)
    refused("invalid_span", work=[(T(10, 0, 30), T(11))], **base)
    refused("invalid_span", work=[(T(10), T(11))], **{**base, "weekday": 7})


def test_who_may_set_a_roster(
    manager_a: User,
    beautician_a: User,
    front_a: User,
    front_b: User,
    owner: User,
    branch_a: Branch,
    branch_b: Branch,
    outsider: User,
) -> None:
    day: dict[str, Any] = {"weekday": 0, "work": [(T(10), T(12))]}
    services.roster_day_set(actor=manager_a, staff_id=front_a.pk, branch_id=branch_a.pk, **day)
    with pytest.raises(NotFound):
        services.roster_day_set(actor=manager_a, staff_id=front_b.pk, branch_id=branch_b.pk, **day)
    with pytest.raises(CapabilityDenied):
        services.roster_day_set(
            actor=beautician_a, staff_id=beautician_a.pk, branch_id=branch_a.pk, **day
        )
    with pytest.raises(NotFound):
        services.roster_day_set(actor=outsider, staff_id=front_a.pk, branch_id=branch_a.pk, **day)
    # a staff member of another branch (front_b) is not rostered at branch A
    refused("invalid_staff", actor=owner, staff_id=front_b.pk, branch_id=branch_a.pk, **day)


def test_time_off_and_extra_shifts_are_added_removed_and_audited(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    base: dict[str, Any] = {"actor": owner, "staff_id": beautician_a.pk, "branch_id": branch_a.pk}
    off = services.roster_exception_add(
        day=dt.date(2030, 5, 6), kind="leave", every_branch=True, reason="年假", **base
    )
    assert (off.branch_id, off.starts_at) == (None, None)
    reason = json.loads(last_event().reason)
    assert reason["reason"] == [None, "年假"]
    assert reason["span"] == [None, "whole day"]
    extra = services.roster_exception_add(
        day=dt.date(2030, 5, 7), kind="extra", span=(T(18), T(21)), **base
    )
    assert extra.branch_id == branch_a.pk
    services.roster_exception_remove(actor=owner, exception_id=off.pk)
    assert json.loads(last_event().reason)["kind"] == ["leave", None]
    assert list(RosterException.objects.all()) == [extra]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kind": "extra", "span": (T(20), T(23))}, "outside_opening_hours"),
        ({"kind": "extra", "every_branch": True}, "invalid_exception"),
        ({"kind": "holiday"}, "invalid_exception"),
        ({"kind": "extra", "span": (T(12), T(15))}, "roster_overlap"),
        ({"kind": "time_off", "span": (T(12), T(12))}, "invalid_span"),
    ],
)
def test_exception_refusals(
    owner: User, beautician_a: User, branch_a: Branch, kwargs: dict[str, Any], code: str
) -> None:
    base: dict[str, Any] = {"actor": owner, "staff_id": beautician_a.pk, "branch_id": branch_a.pk}
    day = dt.date(2030, 5, 7)
    services.roster_exception_add(day=day, kind="extra", span=(T(10), T(13)), **base)
    with pytest.raises(ServiceError) as caught:
        services.roster_exception_add(day=day, **base, **kwargs)
    assert caught.value.code == code
    assert RosterException.objects.count() == 1


def test_a_manager_takes_back_only_what_holds_at_their_branches(
    owner: User, manager_a: User, front_b: User, branch_b: Branch
) -> None:
    row = services.roster_exception_add(
        actor=owner, staff_id=front_b.pk, branch_id=branch_b.pk, day=dt.date(2030, 5, 7),
        kind="time_off",
    )  # fmt: skip
    with pytest.raises(NotFound):
        services.roster_exception_remove(actor=manager_a, exception_id=row.pk)
    assert RosterException.objects.filter(pk=row.pk).exists()
