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
