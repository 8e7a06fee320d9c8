"""What the rosters app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liuke.core.registry import (
    ApiMount,
    ChecklistItem,
    Contribution,
    DemoStep,
    NavEntry,
    NavGroup,
    UrlMount,
)
from liuke.rosters import capabilities, privacy
from liuke.rosters.capabilities import RosterCap

CONTRIBUTION = Contribution(
    capabilities=RosterCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[
        NavEntry("rosters:index", _("Rosters"), RosterCap.ROSTER_VIEW, 85, NavGroup.DAILY),
    ],
    urls=[UrlMount("rosters/", "liuke.rosters.urls")],
    api=[ApiMount("/", "liuke.rosters.api:router")],
    demo=DemoStep("liuke.rosters.demo:demo_rosters", "staff working hours and days off"),
    checklist=[
        ChecklistItem(
            "rosters",
            _("Set the staff's working hours"),
            "rosters:index",
            order=25,
            done="liuke.rosters.selectors:staff_is_rostered",
        )
    ],
)
