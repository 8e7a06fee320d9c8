"""A staff member's calendar feed: a secret URL (`public.links.feed_url`) of which only the
token's hash is kept, so it is shown once, when made or renewed; revoking deletes it. Each
member keeps their own (`appointments.view`)."""

from __future__ import annotations

from django.db import transaction

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.models import CalendarFeed
from liuke.appointments.public import links
from liuke.audit.choices import Action
from liuke.audit.log import audit_record


@transaction.atomic
def feed_renew(*, actor: User) -> str:
    """A new secret URL for the actor's feed (the old one stops working); returns it."""
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    token = links.new_token()
    CalendarFeed.objects.update_or_create(
        staff=actor,
        defaults={"business_id": policy.business_of(actor), "token_hash": links.token_hash(token)},
    )
    audit_record(actor=actor, action=Action.SETTINGS, fields=["calendar_feed"])
    return links.feed_url(token)


@transaction.atomic
def feed_revoke(*, actor: User) -> bool:
    """Stop the actor's feed; False when there was none."""
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW)
    deleted, _rows = CalendarFeed.objects.filter(staff=actor).delete()
    if deleted:
        audit_record(actor=actor, action=Action.SETTINGS, fields=["calendar_feed"])
    return bool(deleted)
