from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    """What a staff member is told to act on; the words are the notice's whole text (a notice
    names no customer: it links to the page where the staff member, checked there, sees who)."""

    ACCESS_REQUEST = "access_request", _("A colleague asks to read a key account's file")
    COMPENSATION = "compensation", _("A compensation waits for your approval")
    CALLBACK_DUE = "callback_due", _("A callback is due")
    ESCALATION = "escalation", _("A complaint was escalated to you")
