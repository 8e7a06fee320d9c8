"""Reads of the notices app: a staff member sees only the notices addressed to them."""

from __future__ import annotations

from typing import Any

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.core.bulksql import count_of
from liuke.notices.models import StaffNotice


def unread_for(actor: User) -> Any:
    """The navigation's count: the actor's unread notices, as one SQL expression."""
    if not policy.is_staff_member(actor):
        return None
    return count_of(StaffNotice.objects.filter(recipient_id=actor.pk, read_at__isnull=True))


def notices_for(*, actor: User, unread_only: bool = False, limit: int = 50) -> list[StaffNotice]:
    """The actor's notices, newest first."""
    qs = StaffNotice.objects.filter(recipient_id=actor.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs.order_by("-created_at", "-pk")[:limit])
