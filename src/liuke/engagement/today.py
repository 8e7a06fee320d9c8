"""The engagement app's sections of the staff's "today" page (declared in `contrib.py`): who is
expected today, with what the person receiving them must know first, and the follow-ups and
callbacks due. Every read goes through the app's selectors (scoped by `accounts.policy`, noted
in the request's one audit event)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.http import StaffRequest
from liuke.accounts.models import User
from liuke.core.registry import PanelContent
from liuke.engagement import selectors
from liuke.engagement.brief import Expected, expected_in

#: At most this many rows per list on the page; the lists behind the links have the rest.
SHOWN = 12


@dataclass(frozen=True)
class Arrival:
    """A customer expected today and what must be known before greeting them."""

    expected: Expected
    #: allergies and contraindications, when this staff member may see them (`FieldClass.SAFETY`)
    safety: str
    #: preferences, when this staff member may see file details (`FieldClass.FILE`)
    preferences: str


def arrivals(*, actor: User, mine: bool) -> list[Arrival]:
    """Today's arrivals in the actor's branches (`brief.expected_in`), each with the safety
    fields and preferences as `policy.visible_fields` would show them on the customer's card:
    the full file's readers see both; a beautician serving the customer (responsible for them,
    or performed the visit that booked them within `policy.SERVING_WINDOW_DAYS`) sees the
    safety fields even on a key account's card."""
    rows = expected_in(
        actor=actor, branches=selectors.branches(actor=actor), mine=mine, what="today_arrivals"
    )
    since = timezone.now() - dt.timedelta(days=policy.SERVING_WINDOW_DAYS)
    out: list[Arrival] = []
    for e in rows:
        c = e.customer
        details = policy.lists_file_details(actor, c)
        serving = mine and (
            policy.is_customer_owner(actor, c)
            or (e.visit is not None and e.visit.visited_at >= since)
        )
        safety = "\n".join(t for t in (c.allergies, c.contraindications) if t)
        out.append(
            Arrival(
                expected=e,
                safety=safety if details or serving else "",
                preferences=c.preferences if details else "",
            )
        )
    return out


def arrivals_section(request: StaffRequest) -> PanelContent | None:
    """Today's arrivals; a beautician's own customers. Allergies and preferences first."""
    mine = request.user.role == Role.BEAUTICIAN
    rows = arrivals(actor=request.user, mine=mine)
    return PanelContent("engagement/partials/today_arrivals.html", {"arrivals": rows, "mine": mine})


def _end_of_today() -> dt.datetime:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return start + dt.timedelta(days=1)


def due_section(request: StaffRequest) -> PanelContent | None:
    """Follow-ups due today and overdue, and callbacks due by tonight: the actor's own (and the
    unassigned ones of their branches); a manager's whole team."""
    actor = request.user
    overdue = selectors.followups(actor=actor, view="overdue")
    today = selectors.followups(actor=actor, view="today")
    callbacks = selectors.tasks(actor=actor, due_before=_end_of_today())
    return PanelContent(
        "engagement/partials/today_due.html",
        {
            "followups": (overdue + today)[:SHOWN],
            "followups_total": len(overdue) + len(today),
            "overdue": len(overdue),
            "callbacks": callbacks[:SHOWN],
            "callbacks_total": len(callbacks),
            "today": timezone.localdate(),
        },
    )
