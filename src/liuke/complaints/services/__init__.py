"""Every write of the complaints app: keyword-only, typed, one transaction, stable error codes,
audited in the same transaction. One module per concept: `actors` (who acts, the input
helpers), `limits` (settings, targets, compensation limits, causes), `case` (what every step
shares), `opening`, `steps` (steps and agreed actions), `resolution` and `closing`.

The public service functions are re-exported here because pages, the API, the demo, the
feedback app and the tests call them as `services.<name>`.
"""

from __future__ import annotations

from liuke.complaints.services.actors import Actor, SystemActor, senior_for, system_actor
from liuke.complaints.services.closing import (
    close_blockers,
    complaint_cause_fix,
    complaint_close,
    complaint_customer_told,
)
from liuke.complaints.services.limits import (
    SETTING_RANGES,
    cause_save,
    defaults_ensure,
    limit_for,
    limit_save,
    settings_save,
    targets,
)
from liuke.complaints.services.opening import complaint_from_followup, complaint_open
from liuke.complaints.services.resolution import complaint_resolve, resolution_decide
from liuke.complaints.services.steps import (
    action_add,
    action_done,
    complaint_resume,
    complaint_step_record,
    complaint_update,
    complaint_wait,
)

__all__ = [
    "SETTING_RANGES",
    "Actor",
    "SystemActor",
    "action_add",
    "action_done",
    "cause_save",
    "close_blockers",
    "complaint_cause_fix",
    "complaint_close",
    "complaint_customer_told",
    "complaint_from_followup",
    "complaint_open",
    "complaint_resolve",
    "complaint_resume",
    "complaint_step_record",
    "complaint_update",
    "complaint_wait",
    "defaults_ensure",
    "limit_for",
    "limit_save",
    "resolution_decide",
    "senior_for",
    "settings_save",
    "system_actor",
    "targets",
]
