"""Surveys made the way production makes them: a visit, the survey job an hour or so later,
the engagement dispatch rendering the message, and the link read back out of the message."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from tests.factories import visit_make

from liuke.accounts.models import User
from liuke.customers.models import Customer
from liuke.engagement import dispatch
from liuke.engagement import services as engagement
from liuke.engagement.choices import MessageKind
from liuke.engagement.models import Message
from liuke.feedback import jobs
from liuke.feedback.models import SurveyInvitation

LINK = re.compile(r"/f/s/([A-Za-z0-9_\-.]+)/")


def survey_link(
    customer: Customer, *, served_by: User | None = None, visited_at: dt.datetime | None = None
) -> str:
    """A visit three hours ago, the survey job and the dispatch; the signed token of the link
    in the survey message the customer gets."""
    engagement.defaults_ensure(business_id=customer.business_id)
    at = visited_at or timezone.now() - dt.timedelta(hours=3)
    v = visit_make(customer=customer, at=at, served_by=served_by)
    jobs.surveys_run(now=at + dt.timedelta(hours=3))
    dispatch.dispatch()
    invitation = SurveyInvitation.objects.get(visit=v)
    message = Message.objects.get(customer=customer, kind=MessageKind.SURVEY, key=f"visit:{v.pk}")
    found = LINK.search(message.body)
    assert found, message.body
    assert invitation.token
    assert invitation.token in found.group(1)
    return found.group(1)
