"""What the accounts app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liuke.accounts import capabilities, privacy
from liuke.accounts.capabilities import Cap
from liuke.core.registry import (
    ApiMount,
    ChecklistItem,
    Contribution,
    NavEntry,
    NavGroup,
    PeriodicJob,
    UrlMount,
)

_STEPS = "liuke.accounts.setup.checklist"

CONTRIBUTION = Contribution(
    capabilities=Cap,
    roles=capabilities.ROLES,
    privacy_api=privacy.API_PROPERTIES,
    # the staff and branch pages are reached from "Branches & staff" (web) and the settings
    navigation=[
        NavEntry("accounts:settings", _("Settings"), Cap.SETTINGS_MANAGE, 150, NavGroup.SETTINGS)
    ],
    urls=[
        UrlMount("account/", "liuke.accounts.urls"),
        # public page, no login: an invited staff member sets their password (signed token)
        UrlMount("welcome/", "liuke.accounts.public_urls"),
    ],
    api=[
        ApiMount("/", "liuke.accounts.api:router"),
        ApiMount("/", "liuke.accounts.api_setup:router"),
    ],
    jobs=[PeriodicJob("liuke.accounts.tasks:login_throttle_purge", "hourly at :35")],
    checklist=[
        ChecklistItem(
            "branches",
            _("Your branches: address, phone, opening hours, receipt texts; add the others"),
            "accounts:branches",
            order=10,
            done=f"{_STEPS}:branches_done",
        ),
        ChecklistItem(
            "staff",
            _("Invite your staff"),
            "accounts:staff",
            order=20,
            done=f"{_STEPS}:staff_done",
        ),
        ChecklistItem(
            "public_url",
            _("The public address of your customers' links (survey, suggestion box)"),
            "accounts:settings",
            order=90,
            done=f"{_STEPS}:public_url_done",
        ),
    ],
)
