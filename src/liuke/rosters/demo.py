"""The demo salon's rosters: every staff member who serves customers (not the owner) works
five or six days a week at their first branch, early or late shift inside the branch's opening
hours with a half-hour break, and a few take time off or leave in the next two weeks, so the
roster pages and the free-slot search of a fresh demo have something to show. Deterministic for
a seed; written through the models (a handful of rows, each valid by the services' rules)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.rosters import spans as sp
from liuke.rosters.choices import ExceptionKind, SpanKind
from liuke.rosters.models import RosterException, RosterSpan

#: (start, end, break start) in minutes after the branch opens, of the early and late shift.
SHIFTS = ((60, 600, 240), (180, 720, 420))
REASONS = ("年假", "病假", "调休", "家里有事", "培训")


def _clock(minutes: int) -> dt.time:
    minutes %= sp.DAY
    return dt.time(minutes // 60, minutes % 60)


@transaction.atomic
def demo_rosters(*, business: Business, seed: int = 42) -> dict[str, int]:
    rng = random.Random(seed)
    branches = list(Branch.objects.filter(business=business, is_active=True).order_by("pk"))
    seen: set[int] = set()
    spans: list[RosterSpan] = []
    exceptions: list[RosterException] = []
    today = timezone.localdate()
    for branch in branches:
        opens, closes = sp.minutes(*branch.hours())
        staff = User.objects.filter(business=business, branches=branch, is_active=True).exclude(
            role__in=[Role.OWNER, Role.AUDITOR]
        )
        for member in staff.order_by("pk"):
            if member.pk in seen:
                continue  # one branch each: a person never works two places at once
            seen.add(member.pk)
            start, end, pause = SHIFTS[member.pk % 2]
            end = min(opens + end, closes) - opens
            days_off = set(rng.sample(range(7), rng.choice((1, 2))))
            for weekday in set(range(7)) - days_off:
                spans.append(
                    RosterSpan(
                        staff=member,
                        branch=branch,
                        weekday=weekday,
                        kind=SpanKind.WORK,
                        starts_at=_clock(opens + start),
                        ends_at=_clock(opens + end),
                    )
                )
                if pause + 30 <= end:
                    spans.append(
                        RosterSpan(
                            staff=member,
                            branch=branch,
                            weekday=weekday,
                            kind=SpanKind.BREAK,
                            starts_at=_clock(opens + pause),
                            ends_at=_clock(opens + pause + 30),
                        )
                    )
            if rng.random() < 0.5:
                kind = rng.choice((ExceptionKind.TIME_OFF, ExceptionKind.LEAVE))
                exceptions.append(
                    RosterException(
                        staff=member,
                        branch=branch,
                        kind=kind,
                        day=today + dt.timedelta(days=rng.randrange(1, 14)),
                        reason=rng.choice(REASONS),
                    )
                )
    RosterSpan.objects.bulk_create(spans)
    RosterException.objects.bulk_create(exceptions)
    return {"spans": len(spans), "exceptions": len(exceptions)}
