"""What the notices app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liuke.core.registry import Contribution, NavEntry, NavGroup, TodaySection, UrlMount
from liuke.notices import capabilities
from liuke.notices.capabilities import NoticeCap

CONTRIBUTION = Contribution(
    capabilities=NoticeCap,
    roles=capabilities.ROLES,
    navigation=[
        NavEntry(
            "notices:list",
            _("Notices"),
            NoticeCap.NOTICE_VIEW,
            weight=5,
            group=NavGroup.DAILY,
            badge="liuke.notices.selectors:unread_for",
        ),
    ],
    urls=[UrlMount("notices/", "liuke.notices.urls")],
    today_sections=[
        TodaySection(
            "notices", _("Notices"), order=5, render="liuke.notices.today:notices_section"
        ),
    ],
)
