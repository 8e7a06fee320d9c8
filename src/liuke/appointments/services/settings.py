"""A business's booking rules: the notice a cancellation needs, and the policy after missed
appointments (owners and managers, `appointments.manage`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.models import BookingSettings
from liuke.audit.choices import Action
from liuke.audit.log import audit_record

FIELDS = ("cancel_notice_hours", "missed_limit", "missed_note", "missed_deposit")


@transaction.atomic
def booking_settings_update(*, actor: User, data: Mapping[str, Any]) -> BookingSettings:
    """Change the business's booking rules (`data`: any of `FIELDS`, checked by the schema)."""
    policy.require(actor, AppointmentCap.APPOINTMENT_MANAGE)
    rules, _created = BookingSettings.objects.select_for_update().get_or_create(
        business_id=policy.business_of(actor)
    )
    for key in FIELDS:
        if data.get(key) is not None:
            setattr(rules, key, data[key])
    rules.full_clean()
    rules.save()
    audit_record(actor=actor, action=Action.SETTINGS, fields=["booking_settings"])
    return rules
