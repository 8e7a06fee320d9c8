"""What the audit app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuke.audit import capabilities, privacy
from liuke.audit.capabilities import AuditCap
from liuke.core.registry import ApiMount, Contribution, NavEntry, NavGroup, PeriodicJob, UrlMount

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "audit_log": pgettext_lazy("audit log", "audit log"),
    "format": pgettext_lazy("audit log", "format"),
    "staff": pgettext_lazy("audit log", "staff member"),
    "customer": pgettext_lazy("audit log", "customer"),
    "customer_q": pgettext_lazy("audit log", "customer search"),
    "since": pgettext_lazy("audit log", "from"),
    "until": pgettext_lazy("audit log", "until"),
    "customer_search": pgettext_lazy("audit log", "customer search"),
    "xlsx": pgettext_lazy("audit log", "Excel"),
    "csv": pgettext_lazy("audit log", "CSV"),
    "thresholds": pgettext_lazy("audit log", "unusual-reading thresholds"),
    "branch_hours": pgettext_lazy("audit log", "opening hours"),
}

CONTRIBUTION = Contribution(
    capabilities=AuditCap,
    roles=capabilities.ROLES,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[NavEntry("audit:log", _("Audit log"), AuditCap.AUDIT_VIEW, 130, NavGroup.SETTINGS)],
    urls=[UrlMount("audit/", "liuke.audit.urls")],
    api=[ApiMount("/", "liuke.audit.api:router")],
    jobs=[PeriodicJob("liuke.audit.tasks:unusual_reading_every_quarter_hour", "every 15 minutes")],
    audit_words=AUDIT_WORDS,
)
