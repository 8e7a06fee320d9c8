"""Notices to staff members (the approver of a borrowing request, of a compensation, the one a
callback or an escalated complaint waits for): docs/notices.md says why they are not outbox
messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Business
from liuke.core.models import TimeStampedModel
from liuke.notices.choices import NoticeKind


class StaffNotice(TimeStampedModel):
    """One thing one staff member is told to act on.

    The row is the notice: the menu's badge and the today page show it at once, and a real
    channel (WeChat Work, SMS to the staff member's phone) delivers the undelivered ones later
    and stamps `delivered_at`. It names no customer (the page at `url` shows who, to whoever
    the policy lets see it), so it holds no personal data. `key` names the occasion
    ("grant:12"): one notice per recipient and occasion, however often the sender runs."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    key = models.CharField(max_length=80)
    #: the page where the recipient acts (a path of this site)
    url = models.CharField(max_length=200)
    read_at = models.DateTimeField(null=True, blank=True)
    #: set by a staff channel when it has delivered the notice (none exists yet: all wait)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff notice")
        verbose_name_plural = _("staff notices")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notice_once_per_occasion"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notice_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
