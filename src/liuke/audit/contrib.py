"""What the audit app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liuke.audit import capabilities, privacy
from liuke.audit.capabilities import AuditCap
from liuke.core.registry import ApiMount, Contribution, NavEntry, NavGroup, PeriodicJob, UrlMount

CONTRIBUTION = Contribution(
    capabilities=AuditCap,
    roles=capabilities.ROLES,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[NavEntry("audit:log", _("Audit log"), AuditCap.AUDIT_VIEW, 130, NavGroup.SETTINGS)],
    urls=[UrlMount("audit/", "liuke.audit.urls")],
    api=[ApiMount("/", "liuke.audit.api:router")],
    jobs=[PeriodicJob("liuke.audit.tasks:unusual_reading_every_quarter_hour", "every 15 minutes")],
)
