from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    """RFM segments on the recency × frequency grid (docs/analytics.md)."""

    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL = "potential", _("Potential loyalists")
    NEW = "new", _("New customers")
    PROMISING = "promising", _("Promising")
    NEED_ATTENTION = "need_attention", _("Need attention")
    ABOUT_TO_SLEEP = "about_to_sleep", _("About to sleep")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose them")
    HIBERNATING = "hibernating", _("Hibernating")


class ModelStatus(models.TextChoices):
    OK = "ok", _("Fitted")
    THIN = "thin", _("Too little data")
    NO_REPEATS = "no_repeats", _("No repeat customers yet")
    NOT_CONVERGED = "not_converged", _("Fit not trusted")
    FALLBACK = "fallback", _("Simple average used")
