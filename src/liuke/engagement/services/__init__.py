"""Every write of the engagement app: keyword-only, typed, one transaction, stable error codes,
audited in the same transaction (the audit log's `fields` name what was written). One module
per concept: `contacts` (contacts and callback tasks), `followups` (follow-ups and contact
reasons), `outbox`, `rules` (defaults, follow-up rules, templates, reminder settings);
`common` holds the input helpers they share.

The public functions are re-exported here because pages, the API, other apps (feedback,
complaints' tests) and the tests call them as `services.<name>`.
"""

from __future__ import annotations

from liuke.engagement.services.common import CALLBACK_AFTER, MAX_SECONDS
from liuke.engagement.services.contacts import contact_log, task_complete, task_raise
from liuke.engagement.services.followups import (
    followup_complete,
    followup_reschedule,
    reason_save,
)
from liuke.engagement.services.outbox import message_mark_sent, withdrawn_consent_cancel
from liuke.engagement.services.rules import (
    PLACEHOLDERS,
    SETTING_RANGES,
    defaults_ensure,
    reminder_settings_save,
    rule_save,
    template_save,
)

__all__ = [
    "CALLBACK_AFTER",
    "MAX_SECONDS",
    "PLACEHOLDERS",
    "SETTING_RANGES",
    "contact_log",
    "defaults_ensure",
    "followup_complete",
    "followup_reschedule",
    "message_mark_sent",
    "reason_save",
    "reminder_settings_save",
    "rule_save",
    "task_complete",
    "task_raise",
    "template_save",
    "withdrawn_consent_cancel",
]
