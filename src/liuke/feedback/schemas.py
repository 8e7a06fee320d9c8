"""Typed inputs of the feedback writes, shared by the API (request bodies) and the staff pages
(`liuke.core.inputs.parse_form`): a suggestion handled, a conversation recorded, a "you said,
we did" notice, the survey settings. The models check the shape; the services decide the rest
(scope, dates a salon can mean, who took part)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool

from liuke.core.api import JsonObjectIn
from liuke.core.inputs import Day, a_day, field_error, one_of
from liuke.feedback.choices import ConversationKind
from liuke.feedback.errors import FeedbackErrorCode

#: Participants of one conversation, at most.
MAX_PARTICIPANTS = 50
#: Answers and suggestions one notice may link.
MAX_LINKS = 500
#: Survey settings: the whole numbers with their range, and the flags.
SETTING_LIMITS = {"delay_hours": (0, 168), "cooldown_days": (0, 365), "valid_days": (1, 60)}
SETTING_FLAGS = (
    "is_enabled",
    "ask_satisfaction",
    "ask_recommend",
    "ask_ease",
    "ask_staff",
    "ask_comment",
)


def _whole(value: Any) -> Any:
    """A JSON number, not a string or a boolean that pydantic would read as one (a page's
    text is made a number by `core.inputs.form_data` first)."""
    if isinstance(value, str | bool):
        raise ValueError("Enter a whole number.")
    return value


def _setting(field: str) -> BeforeValidator:
    """A survey setting's whole number in its range, refused in the settings page's words."""
    low, high = SETTING_LIMITS[field]

    def check(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON's 120.0 is a whole number
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise field_error(
                FeedbackErrorCode.INVALID_NUMBER,
                _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            )
        return value

    return BeforeValidator(check)


def _a_branch(value: Any) -> Any:
    """A branch must be chosen (a blank select is refused in the page's words)."""
    if value in (None, ""):
        raise field_error(FeedbackErrorCode.INVALID_BRANCH, _("Choose one of your branches."))
    return _whole(value)


Id = Annotated[int, Field(ge=1, le=2**62)]
BodyId = Annotated[int, Field(ge=1, le=2**62), BeforeValidator(_whole)]
NO_NUL = r"^[^\x00]*$"
_HELD_ON = gettext_lazy("Enter the day it took place (not in the future).")


class SuggestionHandleIn(JsonObjectIn):
    status: Annotated[
        Literal["reviewed", "acted"],
        one_of(("reviewed", "acted"), FeedbackErrorCode.INVALID_STATUS),
    ]
    note: str = Field("", max_length=500, pattern=NO_NUL)


class ConversationIn(JsonObjectIn):
    branch_id: Annotated[int, Field(ge=1, le=2**62), BeforeValidator(_a_branch)]
    kind: Annotated[
        Literal["focus_group", "face_to_face"],
        one_of(ConversationKind.values, FeedbackErrorCode.INVALID_KIND),
    ]
    held_on: Annotated[
        Day,
        a_day(
            FeedbackErrorCode.INVALID_DATE,
            gettext_lazy("Enter the day it took place (not in the future)."),
        ),
    ]
    topic: str = Field(max_length=200, pattern=NO_NUL)
    notes: str = Field(max_length=4000, pattern=NO_NUL)
    customer_ids: list[BodyId] = Field(max_length=MAX_PARTICIPANTS)


class ImprovementIn(JsonObjectIn):
    you_said: str = Field(max_length=300, pattern=NO_NUL)
    we_did: str = Field(max_length=100, pattern=NO_NUL)
    branch_id: BodyId | None = None
    response_ids: list[BodyId] = Field(default_factory=list, max_length=MAX_LINKS)
    suggestion_ids: list[BodyId] = Field(default_factory=list, max_length=MAX_LINKS)


class SurveySettingsIn(JsonObjectIn):
    is_enabled: StrictBool = True
    ask_satisfaction: StrictBool = True
    ask_recommend: StrictBool = True
    ask_ease: StrictBool = True
    ask_staff: StrictBool = True
    ask_comment: StrictBool = True
    delay_hours: Annotated[int, Field(ge=0, le=168), _setting("delay_hours")] = 2
    cooldown_days: Annotated[int, Field(ge=0, le=365), _setting("cooldown_days")] = 30
    valid_days: Annotated[int, Field(ge=1, le=60), _setting("valid_days")] = 14


# --- filters of the lists (a page drops one that does not parse: `core.inputs.parse_filters`) ---


class FeedbackResultsQuery(Schema):
    group_by: Literal["branch", "staff", "service", "month"] = "branch"
    since: dt.date | None = None
    until: dt.date | None = None
    branch: Id | None = None


class ResponsesQuery(Schema):
    branch: Id | None = None
    detractors: bool = False
    customer: Id | None = None


class BoxQuery(Schema):
    branch: Id | None = None
