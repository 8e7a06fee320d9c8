"""Writes of the notices app: telling staff members what waits for them, and their reading it.

A sender calls `notice_send` inside its own transaction (the request is made, the compensation
waits, the complaint is escalated): the notice exists exactly when what it announces does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.core.registry import Capability
from liuke.notices.choices import NoticeKind
from liuke.notices.models import StaffNotice


def deciders(
    *,
    business_id: int,
    branch_id: int,
    capability: Capability,
    exclude_ids: Iterable[int | None] = (),
) -> QuerySet[User]:
    """The active staff of the business whose role holds `capability` and who work at the
    branch (owners work at every branch), never one of `exclude_ids` (whoever asked, whoever the
    matter is about). A lookup for senders, not a read of customer data."""
    at = User.branches.through.objects.filter(branch_id=branch_id).values("user_id")
    return (
        User.objects.filter(
            business_id=business_id,
            is_active=True,
            role__in=policy.roles_with(capability),
        )
        .filter(Q(role__in=policy.ALL_BRANCH_ROLES) | Q(pk__in=at))
        .exclude(pk__in=[pk for pk in exclude_ids if pk is not None])
    )


@dataclass(frozen=True)
class Notice:
    """One notice to send: who is told what, about which occasion, and where to act."""

    business_id: int
    recipient_id: int
    kind: NoticeKind
    key: str
    url: str


def notices_send(notices: Iterable[Notice]) -> int:
    """Tell each recipient once about each occasion (a notice already sent for the same
    recipient and `key` is not sent again, however often a job runs); returns how many rows
    the database holds for them now that it did not before."""
    rows = [
        StaffNotice(
            business_id=n.business_id,
            recipient_id=n.recipient_id,
            kind=n.kind,
            key=n.key,
            url=n.url,
        )
        for n in notices
    ]
    if not rows:
        return 0
    keys = {r.key for r in rows}
    recipients = {r.recipient_id for r in rows}
    existing = StaffNotice.objects.filter(key__in=keys, recipient_id__in=recipients)
    before = existing.count()
    StaffNotice.objects.bulk_create(rows, ignore_conflicts=True)
    return existing.count() - before


def notice_send(
    *, business_id: int, recipient_ids: Iterable[int], kind: NoticeKind, key: str, url: str
) -> int:
    """Tell each of `recipient_ids` once about the occasion `key`."""
    return notices_send(
        Notice(business_id, pk, kind, key, url) for pk in sorted(set(recipient_ids))
    )


@transaction.atomic
def notice_open(*, actor: User, notice_id: int) -> StaffNotice | None:
    """Mark the actor's own notice read and return it (None: no such notice of theirs)."""
    notice = StaffNotice.objects.filter(pk=notice_id, recipient=actor).first()
    if notice is not None and notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at", "updated_at"])
    return notice


def notices_read_all(*, actor: User) -> int:
    """Mark every unread notice of the actor's read."""
    now = timezone.now()
    return StaffNotice.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )
