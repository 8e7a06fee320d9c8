"""What the accounts app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liuke.accounts import capabilities, privacy
from liuke.accounts.capabilities import Cap
from liuke.core.registry import ApiMount, Contribution, NavEntry, PeriodicJob, UrlMount

CONTRIBUTION = Contribution(
    capabilities=Cap,
    roles=capabilities.ROLES,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[NavEntry("accounts:settings", _("Settings"), Cap.SETTINGS_MANAGE, weight=150)],
    urls=[UrlMount("account/", "liuke.accounts.urls")],
    api=[ApiMount("/", "liuke.accounts.api:router")],
    jobs=[PeriodicJob("liuke.accounts.tasks:login_throttle_purge", "hourly at :35")],
)
