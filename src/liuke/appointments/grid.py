"""The book page's read model: a day of a branch as a grid with a column per staff member, or a
staff member's week with a column per day; every block placed in minutes on the branch's wall
clock, so the page only scales them (the front desk's tablet does no date arithmetic).

Reads go through `selectors.day_book` / `selectors.week_book` (scope, own column, audit); the
working time comes from `rosters.selectors.working_intervals`, so the columns shade what the
booking services would refuse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from liuke.accounts.models import Branch, User
from liuke.appointments import selectors, timing
from liuke.appointments.models import AppointmentItem
from liuke.rosters.selectors import roster_kept, working_intervals
from liuke.sales.selectors import branch_sellers

DAY_MIN = 1440
#: Rows of the grid: a quarter of an hour each (a tap books on this grid).
STEP_MIN = 15


@dataclass
class Block:
    """An item placed on the grid: minutes after the grid's first row."""

    item: AppointmentItem
    top: int
    height: int
    customer_name: str
    gap_top: int | None = None
    gap_height: int | None = None
    label: str = ""


@dataclass
class Column:
    staff: User
    day: dt.date
    working: bool
    #: (top, height) of the time the staff member is not working, shaded
    off: list[tuple[int, int]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    #: the blocks' markup (`appointments.render`), set by the page
    html: str = ""


@dataclass
class Grid:
    branch: Branch
    day: dt.date
    first_min: int  # the first row, minutes after the day's midnight
    rows: int  # of STEP_MIN minutes
    columns: list[Column]
    #: minutes after the first row of now, when the grid shows today
    now_top: int | None

    @property
    def height_min(self) -> int:
        return self.rows * STEP_MIN

    def hours(self) -> list[tuple[int, str]]:
        """(top, "09:00") of each whole hour on the grid."""
        first = -(-self.first_min // 60) * 60
        last = self.first_min + self.height_min
        return [
            (m - self.first_min, dt.time(m // 60 % 24).strftime("%H:%M"))
            for m in range(first, last, 60)
        ]


def _minute(branch: Branch, day: dt.date, moment: dt.datetime) -> int:
    """Minutes after the branch's midnight of `day` of a moment, on the wall clock."""
    local = timing.local(branch, moment)
    return (local.date() - day).days * DAY_MIN + local.hour * 60 + local.minute


def _bounds(branch: Branch, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The grid's first and last minute: the opening hours widened to whatever is on it, in
    whole hours."""
    opens, closes = branch.hours()
    first, last = opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute
    if last <= first:
        last += DAY_MIN
    for a, b in spans:
        first, last = min(first, max(a, 0)), max(last, min(b, 2 * DAY_MIN))
    return first // 60 * 60, -(-last // 60) * 60


def _block(actor: User, branch: Branch, day: dt.date, item: AppointmentItem) -> Block:
    start = _minute(branch, day, item.start_at)
    block = Block(
        item=item,
        top=start,
        height=max(_minute(branch, day, item.end_at) - start, STEP_MIN),
        customer_name=selectors.customer_name(actor, item.appointment.customer),
        label=f"{timing.local(branch, item.start_at):%H:%M}–"
        f"{timing.local(branch, item.end_at):%H:%M}",
    )
    if item.gap is not None:
        block.gap_top = _minute(branch, day, item.gap[0]) - start
        block.gap_height = _minute(branch, day, item.gap[1]) - start - block.gap_top
    return block


def _off(working: list[tuple[int, int]], first: int, last: int) -> list[tuple[int, int]]:
    """The time of [first, last) outside `working` (sorted, disjoint), as (top, height)."""
    out: list[tuple[int, int]] = []
    cursor = first
    for a, b in working:
        if a > cursor:
            out.append((cursor - first, min(a, last) - cursor))
        cursor = max(cursor, b)
    if cursor < last:
        out.append((cursor - first, last - cursor))
    return [(top, height) for top, height in out if height > 0]


def _now_top(branch: Branch, days: list[dt.date], first: int, last: int) -> int | None:
    now = timezone.now()
    today = timing.local(branch, now).date()
    if today not in days:
        return None
    minute = _minute(branch, today, now)
    return minute - first if first <= minute < last else None


def _finish(
    actor: User, branch: Branch, day: dt.date, columns: list[Column], items: list[AppointmentItem]
) -> Grid:
    """Place the blocks and the shading of `columns` (keyed by staff and day) and size the
    grid to hold them."""
    by_key = {(c.staff.pk, c.day): c for c in columns}
    spans: list[tuple[int, int]] = []
    for item in items:
        local_day = timing.local(branch, item.start_at).date()
        column = by_key.get((item.staff_id, local_day)) or by_key.get((item.staff_id, day))
        if column is None:
            continue
        block = _block(actor, branch, column.day, item)
        column.blocks.append(block)
        spans.append((block.top, block.top + block.height))
    first, last = _bounds(branch, spans)
    for column in columns:
        for block in column.blocks:
            block.top -= first
    working = _working(branch, columns)
    for column in columns:
        mine = working.get((column.staff.pk, column.day))
        if mine is not None:
            column.working = bool(mine)
            column.off = _off(mine, first, last)
    return Grid(
        branch=branch,
        day=day,
        first_min=first,
        rows=(last - first) // STEP_MIN,
        columns=columns,
        now_top=_now_top(branch, sorted({c.day for c in columns}), first, last),
    )


def _working(
    branch: Branch, columns: list[Column]
) -> dict[tuple[int, dt.date], list[tuple[int, int]]]:
    """(staff, day) → working minutes of that day, when the branch keeps a roster (else none:
    nobody is shaded and the opening hours alone bound the book)."""
    if not columns or not roster_kept(branch_id=branch.pk):
        return {}
    days = sorted({c.day for c in columns})
    start = timing.day_window(branch, days[0])[0]
    end = timing.day_window(branch, days[-1])[1]
    found = working_intervals(
        branch_id=branch.pk, staff_ids={c.staff.pk for c in columns}, start=start, end=end
    )
    out: dict[tuple[int, dt.date], list[tuple[int, int]]] = {
        (c.staff.pk, c.day): [] for c in columns
    }
    for staff_id, spans in found.items():
        for a, b in spans:
            local_day = timing.local(branch, a).date()
            key = (staff_id, local_day)
            if key in out:
                out[key].append((_minute(branch, local_day, a), _minute(branch, local_day, b)))
    return out


def day_grid(*, actor: User, branch: Branch, day: dt.date) -> Grid:
    """A branch's day, a column per staff member of the branch (a beautician: her own),
    those working that day first, then by name."""
    book = selectors.day_book(actor=actor, branch_id=branch.pk, day=day, lean=True)
    staff = branch_sellers(branch)
    if selectors.own_column_only(actor):
        staff = staff.filter(pk=actor.pk)
    columns = [Column(member, day, working=True) for member in staff]
    grid = _finish(actor, branch, day, columns, book.items)
    busy = {b.item.staff_id for c in columns for b in c.blocks}
    grid.columns.sort(key=lambda c: (not c.working, c.staff.pk not in busy, str(c.staff)))
    return grid


def week_grid(*, actor: User, branch: Branch, staff: User, day: dt.date) -> Grid:
    """A staff member's week at the branch from Monday of `day`'s week, a column a day."""
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    items = selectors.week_book(actor=actor, branch_id=branch.pk, staff_id=staff.pk, first=monday)
    columns = [Column(staff, d, working=True) for d in days]
    return _finish(actor, branch, monday, columns, items)
