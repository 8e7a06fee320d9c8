"""What the accounts app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "branch": pgettext_lazy("audit log", "branch"),
    "checklist": pgettext_lazy("audit log", "getting started"),
    "hidden": pgettext_lazy("audit log", "hidden"),
    "totp": pgettext_lazy("audit log", "two-step verification"),
    "stale_after_months": pgettext_lazy("audit log", "months before data is confirmed again"),
    "grant_hours": pgettext_lazy("audit log", "hours a key-account grant lasts"),
    "retention_years": pgettext_lazy("audit log", "years data is kept"),
    "phone": pgettext_lazy("audit log", "phone"),
    "address": pgettext_lazy("audit log", "address"),
    "opens_at": pgettext_lazy("audit log", "opens at"),
    "closes_at": pgettext_lazy("audit log", "closes at"),
    "time_zone": pgettext_lazy("audit log", "time zone"),
    "code": pgettext_lazy("audit log", "code"),
    "is_open": pgettext_lazy("audit log", "open"),
    "role": pgettext_lazy("audit log", "role"),
    "display_name": pgettext_lazy("audit log", "name shown"),
    "True": pgettext_lazy("audit log", "yes"),
    "False": pgettext_lazy("audit log", "no"),
}

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
        # public, no login: the salon's logo on its customers' pages
        UrlMount("brand/", "liuke.accounts.brand_urls"),
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
    audit_words=AUDIT_WORDS,
)
