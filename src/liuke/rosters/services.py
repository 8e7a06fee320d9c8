"""Setting staff working time: a weekday's working spans and breaks at a branch, and the
exceptions of single days (time off, leave, an extra shift).

Owners set every branch's rosters, managers those of their own branches (`roster.manage` and
the branch in the actor's scope). The branch's opening hours bound every working span, break
and extra shift (`outside_opening_hours`); a staff member's working spans never overlap one
another, across branches and neighbouring weekdays (`roster_overlap`). Every change is one
audit event with the values before and after it (`accounts.setup.changes.record`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.accounts.setup.changes import record
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one
from liuke.rosters import spans as sp
from liuke.rosters.capabilities import RosterCap
from liuke.rosters.choices import ExceptionKind, SpanKind
from liuke.rosters.errors import RosterErrorCode
from liuke.rosters.models import RosterException, RosterSpan
from liuke.sales.selectors import branch_sellers

Clock = tuple[dt.time, dt.time]


def _branch(actor: User, branch_id: int) -> Branch:
    branch = Branch.objects.select_related("business").filter(pk=branch_id).first()
    if branch is None or not policy.may_use_branch(actor, branch):
        raise NotFound(_("No such branch."))
    return branch


def _staff(actor: User, branch: Branch, staff_id: int) -> User:
    """The staff member, locked: one roster change of a person at a time, so the overlap check
    sees every span of theirs."""
    if not branch_sellers(branch).filter(pk=staff_id).exists():
        message = _("Choose an active staff member who works at the branch.")
        raise ServiceError(RosterErrorCode.INVALID_STAFF, message, fields={"staff_id": [message]})
    staff = lock_one(User.objects.filter(business_id=branch.business_id), staff_id)
    if staff is None:  # pragma: no cover - checked just above
        raise NotFound(_("No such staff member."))
    return staff


def _checked(values: Sequence[Clock], hours: sp.Minutes, field: str) -> list[sp.Minutes]:
    out = []
    for start, end in values:
        if start.replace(second=0, microsecond=0) != start or end.replace(second=0) != end:
            message = _("Give times in whole minutes.")
            raise ServiceError(RosterErrorCode.INVALID_SPAN, message, fields={field: [message]})
        if start == end:
            message = _("A span needs a start and an end that differ.")
            raise ServiceError(RosterErrorCode.INVALID_SPAN, message, fields={field: [message]})
        span = sp.minutes(start, end)
        if not sp.inside_hours(span, hours):
            message = _(
                "%(span)s is outside the branch's opening hours (%(opens)s-%(closes)s)."
            ) % {
                "span": sp.label(start, end),
                "opens": sp.hhmm(hours[0]),
                "closes": sp.hhmm(hours[1]),
            }
            raise ServiceError(
                RosterErrorCode.OUTSIDE_OPENING_HOURS, message, fields={field: [message]}
            )
        out.append(span)
    return out


def _others(staff: User, branch: Branch, weekday: int) -> list[sp.Minutes]:
    """The staff member's working spans at other branches that day, and on the days before and
    after at any branch, on the day's axis (they may run past midnight)."""
    rows = RosterSpan.objects.filter(
        staff=staff, kind=SpanKind.WORK, weekday__in=[(weekday + k) % 7 for k in (-1, 0, 1)]
    ).exclude(branch=branch, weekday=weekday)
    out = []
    for row in rows:
        shift = {(weekday - 1) % 7: -sp.DAY, weekday: 0, (weekday + 1) % 7: sp.DAY}[row.weekday]
        a, b = sp.minutes(row.starts_at, row.ends_at)
        out.append((a + shift, b + shift))
    return out


def _labels(rows: Sequence[RosterSpan], kind: str) -> list[str]:
    return [sp.label(r.starts_at, r.ends_at) for r in rows if r.kind == kind]


@transaction.atomic
def roster_day_set(
    *,
    actor: User,
    staff_id: int,
    branch_id: int,
    weekday: int,
    work: Sequence[Clock],
    breaks: Sequence[Clock] = (),
) -> list[RosterSpan]:
    """Set a staff member's working spans and breaks at a branch on one weekday (replacing
    what was set; none: not working that day). A break lies inside a working span."""
    policy.require(actor, RosterCap.ROSTER_MANAGE)
    branch = _branch(actor, branch_id)
    if weekday not in range(7):
        message = _("Choose a weekday.")
        raise ServiceError(RosterErrorCode.INVALID_SPAN, message, fields={"weekday": [message]})
    staff = _staff(actor, branch, staff_id)
    hours = sp.minutes(*branch.hours())
    new_work = _checked(sorted(work), hours, "work")
    new_breaks = _checked(sorted(breaks), hours, "breaks")
    clash = sp.first_overlap(new_work, _others(staff, branch, weekday))
    if clash is not None:
        message = _("%(a)s overlaps %(b)s, another working span of the staff member.") % {
            "a": f"{sp.hhmm(clash[0][0])}-{sp.hhmm(clash[0][1])}",
            "b": f"{sp.hhmm(clash[1][0])}-{sp.hhmm(clash[1][1])}",
        }
        raise ServiceError(RosterErrorCode.ROSTER_OVERLAP, message, fields={"work": [message]})
    for b in new_breaks:
        if not any(w[0] <= b[0] and b[1] <= w[1] for w in new_work):
            message = _("A break lies inside a working span of the day.")
            raise ServiceError(RosterErrorCode.INVALID_SPAN, message, fields={"breaks": [message]})
    existing = RosterSpan.objects.filter(staff=staff, branch=branch, weekday=weekday)
    before = list(existing.order_by("starts_at"))
    existing.delete()
    rows = RosterSpan.objects.bulk_create(
        [
            RosterSpan(
                staff=staff, branch=branch, weekday=weekday, kind=kind, starts_at=a, ends_at=b
            )
            for kind, values in ((SpanKind.WORK, work), (SpanKind.BREAK, breaks))
            for a, b in sorted(values)
        ]
    )
    changes = {
        key: (_labels(before, kind), _labels(rows, kind))
        for key, kind in (("work", SpanKind.WORK), ("breaks", SpanKind.BREAK))
    }
    record(
        actor=actor,
        subject=f"roster:{staff.pk}:{branch.pk}:{weekday}",
        changes={k: v for k, v in changes.items() if v[0] != v[1]},
    )
    return rows


def _exception_text(row: RosterException | None) -> dict[str, object]:
    if row is None:
        return {}
    span = sp.label(row.starts_at, row.ends_at) if row.starts_at and row.ends_at else ""
    return {
        "day": row.day.isoformat(),
        "kind": row.kind,
        "branch": row.branch_id,
        "span": span or "whole day",
        "reason": row.reason,
    }


@transaction.atomic
def roster_exception_add(
    *,
    actor: User,
    staff_id: int,
    branch_id: int,
    day: dt.date,
    kind: str,
    span: Clock | None = None,
    every_branch: bool = False,
    reason: str = "",
) -> RosterException:
    """Time off, leave (at `branch_id`, or at every branch when `every_branch`) or an extra
    shift at `branch_id` on `day`, for the whole day (no `span`) or a span. An extra shift lies
    inside the opening hours; a whole-day extra shift is the opening hours."""
    policy.require(actor, RosterCap.ROSTER_MANAGE)
    branch = _branch(actor, branch_id)
    staff = _staff(actor, branch, staff_id)
    if kind not in ExceptionKind.values or (kind == ExceptionKind.EXTRA and every_branch):
        message = _("Choose time off, leave or an extra shift (at one branch).")
        raise ServiceError(RosterErrorCode.INVALID_EXCEPTION, message, fields={"kind": [message]})
    if span is not None:
        hours = sp.minutes(*branch.hours())
        checked = _checked([span], hours, "span")
        if kind == ExceptionKind.EXTRA:
            _no_overlap_with_extras(staff, day, checked[0])
    row = RosterException.objects.create(
        staff=staff,
        branch=None if every_branch else branch,
        day=day,
        kind=kind,
        starts_at=span[0] if span else None,
        ends_at=span[1] if span else None,
        reason=reason.strip()[:200],
    )
    changes = {k: (None, v) for k, v in _exception_text(row).items()}
    record(actor=actor, subject=f"roster:{staff.pk}:exception:{row.pk}", changes=changes)
    return row


def _no_overlap_with_extras(staff: User, day: dt.date, span: sp.Minutes) -> None:
    others = RosterException.objects.filter(
        staff=staff, day=day, kind=ExceptionKind.EXTRA, starts_at__isnull=False
    )
    clash = sp.first_overlap([span], [sp.minutes(o.starts_at, o.ends_at) for o in others])  # type: ignore[arg-type]
    if clash is not None:
        message = _("The extra shift overlaps another extra shift of that day.")
        raise ServiceError(RosterErrorCode.ROSTER_OVERLAP, message, fields={"span": [message]})


@transaction.atomic
def roster_exception_remove(*, actor: User, exception_id: int) -> RosterException:
    """Take back an exception (the time off is cancelled, the extra shift not worked)."""
    policy.require(actor, RosterCap.ROSTER_MANAGE)
    visible = RosterException.objects.filter(staff__business_id=policy.business_of(actor))
    ids = policy.branch_ids(actor)
    if ids is not None:
        # a manager takes back what holds at their branches only (or at every branch)
        visible = visible.filter(Q(branch_id__in=ids) | Q(branch__isnull=True))
    row = lock_one(visible, exception_id)
    if row is None:
        raise NotFound(_("No such roster exception."))
    changes = {k: (v, None) for k, v in _exception_text(row).items()}
    pk = row.pk
    row.delete()
    record(actor=actor, subject=f"roster:{row.staff_id}:exception:{pk}", changes=changes)
    row.pk = pk  # what was taken back, as the API answers it
    return row
