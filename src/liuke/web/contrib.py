"""What the web shell contributes (liuke.core.registry): its pages, mounted last at the root."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liuke.accounts.capabilities import Cap
from liuke.core.registry import Contribution, NavEntry, NavGroup, UrlMount

CONTRIBUTION = Contribution(
    navigation=[
        NavEntry("web:today", _("Today"), Cap.CUSTOMER_VIEW, weight=0, group=NavGroup.DAILY),
        NavEntry(
            "web:branches",
            _("Branches & staff"),
            Cap.BRANCH_STATS_VIEW,
            weight=80,
            group=NavGroup.ANALYSIS,
        ),
    ],
    urls=[UrlMount("", "liuke.web.urls")],
)
