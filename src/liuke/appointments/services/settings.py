"""The business's booking rules (online booking, notice, reminders, calendar feeds, the policy
after missed appointments) and each branch's public booking page (owners and managers,
`appointments.manage`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.models import BookingSettings, OnlinePage
from liuke.appointments.public import links
from liuke.appointments.schemas import BookingSettingsIn
from liuke.appointments.services.booking import booking_branch
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound
from liuke.core.locking import lock_get

#: What `booking_settings_update` changes: the notice and the policy after missed appointments.
FIELDS = ("cancel_notice_hours", "missed_limit", "missed_note", "missed_deposit")


@transaction.atomic
def booking_settings_save(*, actor: User, data: BookingSettingsIn) -> BookingSettings:
    """Set the business's booking rules (online booking, notice, reminders, calendar feeds)."""
    policy.require(actor, AppointmentCap.APPOINTMENT_MANAGE)
    row, _created = BookingSettings.objects.update_or_create(
        business_id=policy.business_of(actor), defaults=data.model_dump()
    )
    audit_record(actor=actor, action=Action.SETTINGS, fields=["booking_settings"])
    return row


@transaction.atomic
def booking_settings_update(*, actor: User, data: Mapping[str, Any]) -> BookingSettings:
    """Change the business's booking rules (`data`: any of `FIELDS`, checked by the schema)."""
    policy.require(actor, AppointmentCap.APPOINTMENT_MANAGE)
    row, _created = BookingSettings.objects.get_or_create(business_id=policy.business_of(actor))
    rules = lock_get(BookingSettings, row.pk)
    for key in FIELDS:
        if data.get(key) is not None:
            setattr(rules, key, data[key])
    rules.full_clean()
    rules.save()
    audit_record(actor=actor, action=Action.SETTINGS, fields=["booking_settings"])
    return rules


@transaction.atomic
def online_page_ensure(*, actor: User, branch_id: int, renew: bool = False) -> OnlinePage:
    """The branch's public booking page, made when it has none; `renew` gives it a new link
    (the printed QR codes of the old one stop working)."""
    policy.require(actor, AppointmentCap.APPOINTMENT_MANAGE)
    try:
        branch = booking_branch(actor, branch_id)
    except NotFound:
        raise NotFound(_("No such branch.")) from None
    page = OnlinePage.objects.filter(branch=branch).first()
    if page is None or renew:
        page, _created = OnlinePage.objects.update_or_create(
            branch=branch,
            defaults={"business_id": branch.business_id, "token": links.new_token()},
        )
        audit_record(actor=actor, action=Action.SETTINGS, fields=["online_booking_page"])
    return page
