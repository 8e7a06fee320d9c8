"""Every write of the feedback app: keyword-only, typed, one transaction, stable error codes,
audited in the same transaction. One module per concept: `surveys` (settings, answers,
routing an unhappy answer), `suggestions` (the box), `conversations`, `improvements` ("you
said, we did"); `common` holds the input helpers they share.

Public writes (a survey answer, a suggestion) have no staff actor: they are audited as the
public page that took them, and they are reached only through a signed token (links.py).

The public functions are re-exported here because pages, the API, jobs and the tests call them
as `services.<name>`.
"""

from __future__ import annotations

from liuke.feedback.services.conversations import conversation_record
from liuke.feedback.services.improvements import improvement_create, improvement_notify
from liuke.feedback.services.suggestions import (
    box_ensure,
    box_open,
    boxes_provision,
    suggestion_handle,
    suggestion_submit,
)
from liuke.feedback.services.surveys import (
    CONTACT_CALLBACK,
    DETRACTOR_CALLBACK,
    QUESTIONS,
    is_detractor,
    route_detractor,
    settings_save,
    survey_answer,
    survey_open,
    survey_settings,
)

__all__ = [
    "CONTACT_CALLBACK",
    "DETRACTOR_CALLBACK",
    "QUESTIONS",
    "box_ensure",
    "box_open",
    "boxes_provision",
    "conversation_record",
    "improvement_create",
    "improvement_notify",
    "is_detractor",
    "route_detractor",
    "settings_save",
    "suggestion_handle",
    "suggestion_submit",
    "survey_answer",
    "survey_open",
    "survey_settings",
]
