from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SuggestionStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("suggestion status", "New")
    REVIEWED = "reviewed", _("Read, no change")
    ACTED = "acted", _("Acted on")


class ConversationKind(models.TextChoices):
    FOCUS_GROUP = "focus_group", _("Focus group")
    FACE_TO_FACE = "face_to_face", _("Face-to-face conversation")


class GroupBy(models.TextChoices):
    BRANCH = "branch", _("Branch")
    STAFF = "staff", _("Staff member")
    SERVICE = "service", _("Service")
    MONTH = "month", _("Month")


#: Answers at or under these make the customer a detractor (the issue's rule).
DETRACTOR_RECOMMEND_MAX = 6
DETRACTOR_SATISFACTION_MAX = 2
#: NPS: promoters answer 9–10, detractors 0–6.
PROMOTER_MIN = 9
