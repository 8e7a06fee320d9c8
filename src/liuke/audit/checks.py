"""`check --deploy`: the audit log must record reads in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def audit_reads_on(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "LIUKE_AUDIT_READS", True):
        return []
    return [
        Error(
            "LIUKE_AUDIT_READS is off: reads of customer data leave no audit event.",
            hint="Unset LIUKE_AUDIT_READS; it exists only for the audit benchmark.",
            id="liuke.audit.E001",
        )
    ]
