"""A visit and its follow-ups, made the way production makes them (the job, run an hour after
the visit)."""

from __future__ import annotations

import datetime as dt

from tests.factories import visit_make

from liuke.accounts.models import User
from liuke.customers.models import Customer
from liuke.engagement import jobs
from liuke.engagement.models import FollowUp


def visit_with_followups(
    *, customer: Customer, served_by: User | None, days_ago: int = 1
) -> list[FollowUp]:
    """A visit `days_ago` days ago and the follow-ups the job plans for it (day 1 is due today
    when days_ago is 1)."""
    visit = visit_make(customer=customer, days_ago=days_ago, served_by=served_by)
    jobs.prepare()
    jobs.followups_create(now=visit.visited_at + dt.timedelta(hours=1))
    return list(FollowUp.objects.filter(visit=visit).order_by("due_on"))
