"""Typed inputs of the engagement writes, shared by the API (request bodies) and the staff pages
(`liuke.core.inputs.parse_post`): a contact reason, a follow-up done or moved, a task done. The
models check the shape; the services decide the rest."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.utils.translation import gettext_lazy
from ninja import Field
from pydantic import BeforeValidator

from liuke.core.api import JsonObjectIn
from liuke.core.inputs import PlannedDay, a_day, one_of
from liuke.engagement.choices import FollowUpOutcome
from liuke.engagement.errors import EngagementErrorCode

_NO_NUL = r"^[^\x00]*$"
_DUE_ON = gettext_lazy("Choose a day from today to 90 days ahead.")


def _blank_is_100(value: Any) -> Any:
    """A blank position box keeps the default place (100)."""
    return 100 if value in (None, "") else value


class ReasonIn(JsonObjectIn):
    code: str = Field(max_length=40, pattern=_NO_NUL)
    name_zh: str = Field(max_length=60, pattern=_NO_NUL)
    name_en: str = Field("", max_length=80, pattern=_NO_NUL)
    response_zh: str = Field(max_length=1000, pattern=_NO_NUL)
    response_en: str = Field("", max_length=1000, pattern=_NO_NUL)
    position: Annotated[int, Field(ge=0, le=10000), BeforeValidator(_blank_is_100)] = 100
    is_active: bool = True


class CompleteIn(JsonObjectIn):
    outcome: Annotated[
        Literal["satisfied", "issue", "rebooked", "no_answer", "declined"],
        one_of(FollowUpOutcome.values, EngagementErrorCode.INVALID_OUTCOME),
    ]
    note: str = Field("", max_length=500, pattern=_NO_NUL)


class RescheduleIn(JsonObjectIn):
    due_on: Annotated[
        PlannedDay,
        a_day(
            EngagementErrorCode.INVALID_DUE,
            gettext_lazy("Choose a day from today to 90 days ahead."),
        ),
    ]
    note: str = Field("", max_length=500, pattern=_NO_NUL)


class NoteIn(JsonObjectIn):
    note: str = Field("", max_length=500, pattern=_NO_NUL)


# --- the staff pages' own forms (the API's bodies are in liuke.engagement.api) -------------------

#: A row id from a form: positive and within a 63-bit column (a mistyped one is refused, not
#: read as "none": an edit would otherwise become a new row).
FormId = Annotated[int, Field(ge=1, le=2**62)]
#: Minutes typed in the contact form (the service takes seconds, at most a day).
Minutes = Annotated[int, Field(ge=0, le=24 * 60)]


class ContactFormIn(JsonObjectIn):
    """The contact page's form: the customer comes from the picker, times in minutes; the
    service says what a channel, direction, reason or outcome may be."""

    channel: str = Field("", max_length=20)
    direction: str = Field("", max_length=10)
    reason_id: FormId | None = None
    outcome: str = Field("", max_length=20)
    notes: str = Field("", max_length=2000, pattern=_NO_NUL)
    wait_minutes: Minutes | None = None
    handle_minutes: Minutes | None = None


class ReasonFormIn(ReasonIn):
    """A reason added (no `reason_id`) or changed on the reasons page."""

    reason_id: FormId | None = None


class RuleFormIn(JsonObjectIn):
    """A follow-up rule added (no `rule_id`) or changed on the settings page."""

    rule_id: FormId | None = None
    category: str = Field("", max_length=20)
    day: int
    purpose_zh: str = Field("", max_length=60, pattern=_NO_NUL)
    purpose_en: str = Field("", max_length=80, pattern=_NO_NUL)
    is_active: bool = False


class TemplateFormIn(JsonObjectIn):
    kind: str = Field(max_length=30)
    body_zh: str = Field("", max_length=500, pattern=_NO_NUL)
    body_en: str = Field("", max_length=500, pattern=_NO_NUL)


class ReminderSettingsFormIn(JsonObjectIn):
    """A branch's reminder settings: only the boxes sent change (a blank one is refused by the
    service, with its range)."""

    branch_id: FormId
    birthday_days_ahead: int | None = None
    lapsed_margin_pct: int | None = None
    lapsed_default_days: int | None = None
    expiry_days_ahead: int | None = None
    rebooking_days_ahead: int | None = None
    no_answer_retries: int | None = None
    no_answer_retry_days: int | None = None
