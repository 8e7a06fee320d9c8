"""Typed inputs for pages and the API alike: one pydantic model per write.

The API takes the model as its request body (a django-ninja `Schema` is a pydantic model); a page
parses the same model from its POST with `parse_form`, and a service that is also called with a
plain mapping (tests, imports, the demo) with `parse_input`. Either way a refused value becomes a
Django `ValidationError` keyed by field, with a stable code and a message in the user's language
(Django's own wording where a Django form would have said the same), which a page shows beside
the field (`form.add_error`) and the API answers as its one error shape.

A check that belongs to the value itself and not to the database can raise
`field_error(code, message)` inside a pydantic validator: its code and message pass through.

The API's bodies are strict (`liuke.core.api.JsonObjectIn`): a JSON string or a boolean is no
number, a number no boolean. What a body sends as text by nature is read from text here: a
choice's value (`Choice`) and a day or a moment in ISO form (`Day`, `Moment` and their bounded
kinds); every day and moment is also bounded, so that no field stores the year 9999 (a typo, or
a probe) and overflows a time-zone conversion or a report later.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, TypeVar

import pydantic
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import AfterValidator, BeforeValidator, PlainSerializer, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

from liuke.core.errors import CoreErrorCode, ServiceError

M = TypeVar("M", bound=pydantic.BaseModel)

#: The key of an error that belongs to no single field.
NON_FIELD = "__all__"


def field_error(code: str, message: str) -> PydanticCustomError:
    """An error for a pydantic validator to raise: `code` and `message` (already translated)
    reach the user as given (without a context pydantic formats nothing in the message)."""
    return PydanticCustomError(code, message)


def one_of(values: Iterable[str], code: str) -> BeforeValidator:
    """A choice refused in the pages' words ("Choose one of the listed values.") with the
    service's code, before pydantic's own check of the type (`Literal`, an enum) runs."""
    allowed = frozenset(values)

    def check(value: Any) -> Any:
        if not isinstance(value, str) or value not in allowed:
            raise field_error(code, _("Choose one of the listed values."))
        return value

    return BeforeValidator(check)


def a_day(code: str, message: str | Promise) -> BeforeValidator:
    """A day typed in (ISO, as a date box sends it); a blank or a non-date is refused with
    `code` and `message` (lazy, so it is worded in the user's language when it is shown)."""

    def check(value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise field_error(code, str(message))
        return value

    return BeforeValidator(check)


E = TypeVar("E", bound=Enum)

#: A choice (an enum) that a strict body sends as its value's text ("F", "cash"), read as
#: pydantic reads it outside strict mode: it must still be one of the choices.
Choice = Annotated[E, Strict(False)]

#: The bounds of every day typed in: nothing before 1900 (a birthday is the oldest day Liuke
#: keeps), nothing after 2100 (a card or package "for good"); what is planned (a next visit, a
#: follow-up, an action's due day) at most two years ahead.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
PLANNING_AHEAD = dt.timedelta(days=731)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    """A day from its ISO text (2026-11-30); a date as given; anything else to strict pydantic,
    which refuses it (a number is no day)."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise field_error("date_from_datetime_parsing", _("Enter a valid date.")) from None
    return value


def _iso_moment(value: Any) -> Any:
    """A moment from its ISO text (2026-11-30T15:00, with or without an offset)."""
    if isinstance(value, str) and _ISO_DAY.match(value.strip()):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise field_error("datetime_from_date_parsing", _("Enter a valid date.")) from None
    return value


def _day_of(value: dt.date) -> dt.date:
    # a moment's own day, not converted: the year 9999 would overflow a time-zone conversion
    return value.date() if isinstance(value, dt.datetime) else value


def out_of_range(value: dt.date, *, ahead: dt.timedelta | None = None) -> str | None:
    """Why a day (or a moment's day) is refused, or None: it must be from 1900 to 2100, or with
    `ahead` at most that long from today."""
    latest = LATEST_DAY if ahead is None else timezone.localdate() + ahead
    if EARLIEST_DAY <= _day_of(value) <= latest:
        return None
    return _("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST_DAY.isoformat(),
        "latest": latest.isoformat(),
    }


def within(*, ahead: dt.timedelta | None = None) -> AfterValidator:
    """The bounds of `out_of_range` for a model's field (refused with `date_out_of_range`)."""

    def check(value: Any) -> Any:
        refusal = None if value is None else out_of_range(value, ahead=ahead)
        if refusal:
            raise field_error(CoreErrorCode.DATE_OUT_OF_RANGE, refusal)
        return value

    return AfterValidator(check)


class DayField(forms.DateField):
    """A Django form's date box, bounded as the models' `Day` (or `PlannedDay`, with `ahead`)."""

    def __init__(self, *, ahead: dt.timedelta | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ahead = ahead

    def clean(self, value: Any) -> Any:
        day = super().clean(value)
        refusal = None if day is None else out_of_range(day, ahead=self.ahead)
        if refusal:
            raise ValidationError(refusal, code=CoreErrorCode.DATE_OUT_OF_RANGE)
        return day


#: A day typed in (ISO text in a body), from 1900 to 2100.
Day = Annotated[dt.date, BeforeValidator(_iso_day), within()]
#: A day planned (a follow-up, an action's due day): at most two years ahead.
PlannedDay = Annotated[dt.date, BeforeValidator(_iso_day), within(ahead=PLANNING_AHEAD)]
#: A moment typed in (ISO text in a body, with or without an offset), from 1900 to 2100.
Moment = Annotated[dt.datetime, BeforeValidator(_iso_moment), within()]
#: A moment planned (a next visit): at most two years ahead.
PlannedMoment = Annotated[dt.datetime, BeforeValidator(_iso_moment), within(ahead=PLANNING_AHEAD)]


def describe(error: Mapping[str, Any]) -> tuple[str, str]:
    """(code, message) of one pydantic error (an item of `ValidationError.errors()`), in the
    active language."""
    kind = str(error["type"])
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return CoreErrorCode.REQUIRED, _("This field is required.")
    if kind == "string_too_long":
        limit = int(ctx.get("max_length", 0))
        value = error.get("input")
        shown = len(value) if isinstance(value, str) else limit + 1
        return CoreErrorCode.TOO_LONG, ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": shown}
    if kind == "too_long":
        limit = int(ctx.get("max_length", 0))
        return CoreErrorCode.TOO_LONG, ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": ctx.get("actual_length", limit + 1)}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return CoreErrorCode.INVALID, _("Enter a whole number.")
    if kind in ("greater_than_equal", "greater_than"):
        return CoreErrorCode.INVALID, _(
            "Ensure this value is greater than or equal to %(limit_value)s."
        ) % {"limit_value": ctx.get("ge", ctx.get("gt", ""))}
    if kind in ("less_than_equal", "less_than"):
        return CoreErrorCode.INVALID, _(
            "Ensure this value is less than or equal to %(limit_value)s."
        ) % {"limit_value": ctx.get("le", ctx.get("lt", ""))}
    if kind in ("enum", "literal_error"):
        return CoreErrorCode.INVALID, _(
            "Select a valid choice. %(value)s is not one of the available choices."
        ) % {"value": error.get("input")}
    if kind.startswith("date") and kind != CoreErrorCode.DATE_OUT_OF_RANGE:
        return CoreErrorCode.INVALID, _("Enter a valid date.")
    if kind in ("bool_parsing", "bool_type"):
        return CoreErrorCode.INVALID, _("Enter true or false.")
    if kind == "extra_forbidden":
        return CoreErrorCode.INVALID, _("Unknown field.")
    if kind == "string_type":
        return CoreErrorCode.INVALID_TEXT, _("Enter text.")
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return CoreErrorCode.INVALID, _("Enter a valid value.")
    if kind in _PYDANTIC_OWN:
        return CoreErrorCode.INVALID, _("Enter a valid value.")
    # Our own codes (`field_error`): the message was written, and translated, by the validator.
    return kind, str(error["msg"])


#: pydantic's other error types: shown as Django's generic "Enter a valid value."
_PYDANTIC_OWN = frozenset(
    {"value_error", "assertion_error", "union_tag_invalid", "json_invalid", "float_parsing"}
    | {"float_type", "decimal_parsing", "decimal_type", "string_pattern_mismatch", "too_short"}
    | {"string_too_short", "url_parsing", "uuid_parsing", "is_instance_of", "frozen_field"}
)


#: The code a Django form field gives for the same refusal: a page keeps the codes (and so the
#: messages) its forms had; a service called with a mapping keeps the kernel's codes.
_FORM_CODES: dict[str, str] = {
    "missing": "required",
    "string_too_long": "max_length",
    "too_long": "max_length",
    "greater_than_equal": "min_value",
    "greater_than": "min_value",
    "less_than_equal": "max_value",
    "less_than": "max_value",
    "enum": "invalid_choice",
    "literal_error": "invalid_choice",
}


def errors_by_field(exc: pydantic.ValidationError, *, form: bool = False) -> ValidationError:
    """pydantic's errors as one Django ValidationError keyed by field (the model's top-level
    field; a whole-model error under `NON_FIELD`); with `form`, in a Django form's codes."""
    errors: dict[str, list[ValidationError]] = {}
    for error in exc.errors(include_url=False):
        loc = error.get("loc") or ()
        field = str(loc[0]) if loc else NON_FIELD
        code, message = describe(error)
        if form and code in (CoreErrorCode.REQUIRED, CoreErrorCode.TOO_LONG, CoreErrorCode.INVALID):
            code = _FORM_CODES.get(str(error["type"]), "invalid")
        errors.setdefault(field, []).append(ValidationError(message, code=code))
    return ValidationError(errors)


def parse_input(model: type[M], data: Mapping[str, Any], *, form: bool = False) -> M:
    """Validate a mapping into `model`; refused values raise one ValidationError by field
    (with `form`, in a Django form's codes: see `errors_by_field`)."""
    try:
        return model.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        raise errors_by_field(exc, form=form) from None


@dataclass(frozen=True)
class _Shape:
    """How a page sends a field: a checkbox, repeated keys (a list) or one box; and whether
    its value (a list's items) is a whole number, which a page sends as text."""

    kind: str  # "bool", "list" or "one"
    number: bool = False
    nullable: bool = False


def _is_int(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_int(typing.get_args(annotation)[0])
    return annotation is int


def _shape(annotation: Any) -> _Shape:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _shape(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        shapes = {_shape(a) for a in args if a is not type(None)}
        shape = shapes.pop() if len(shapes) == 1 else _Shape("one")
        return _Shape(shape.kind, shape.number, nullable=type(None) in args)
    if annotation is bool:
        return _Shape("bool")
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        return _Shape("list", number=bool(args) and _is_int(args[0]))
    return _Shape("one", number=_is_int(annotation))


_WHOLE = re.compile(r"\s*[+-]?\d{1,19}\s*")


def _value(text: Any, number: bool) -> Any:
    """A box's text as the model reads it: a whole number as an int (a page sends text; the
    API's models may refuse a JSON string where a number belongs), anything else as sent."""
    if number and isinstance(text, str) and _WHOLE.fullmatch(text):
        return int(text)
    return text


def _comma_list(text: str) -> list[str]:
    """One box holding a list: "1, 2，3" (the Chinese comma too), blanks dropped."""
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def form_data(
    model: type[pydantic.BaseModel],
    post: QueryDict | Mapping[str, Any],
    *,
    fields: Iterable[str] | None = None,
    comma: Iterable[str] = (),
) -> dict[str, Any]:
    """What a page sent, shaped for `model`: a checkbox that is absent is False, a repeated key
    a list, a blank box None where the field takes None (so an optional field is cleared, not
    set to "") and "" where it does not (the model, or the service, says what a blank means),
    a whole number an int. A list named in `comma` is typed in one box, comma-separated."""
    wanted = list(fields) if fields is not None else list(model.model_fields)
    in_one_box = set(comma)
    data: dict[str, Any] = {}
    for name in wanted:
        shape = _shape(model.model_fields[name].annotation)
        if shape.kind == "bool":
            data[name] = str(post.get(name, "")).lower() in ("on", "true", "1", "yes")
        elif name not in post:
            continue
        elif shape.kind == "list":
            if name in in_one_box:
                values: list[Any] = _comma_list(str(post.get(name, "")))
            else:
                values = list(post.getlist(name) if isinstance(post, QueryDict) else post[name])
            data[name] = [_value(v, shape.number) for v in values if str(v).strip()]
        else:
            value = post.get(name, "")
            if str(value).strip() == "":
                data[name] = None if shape.nullable else ""
            else:
                data[name] = _value(value, shape.number)
    return data


def parse_form(
    model: type[M],
    post: QueryDict | Mapping[str, Any],
    *,
    fields: Iterable[str] | None = None,
    comma: Iterable[str] = (),
) -> M:
    """The typed input a page's POST carries (only `fields`, if given: the fields the page
    shows and lets the user change; `comma`: lists typed in one box); refused values raise one
    ValidationError by field, with the codes a Django form would give."""
    return parse_input(model, form_data(model, post, fields=fields, comma=comma), form=True)


def parse_post(
    model: type[M],
    post: QueryDict | Mapping[str, Any],
    *,
    fields: Iterable[str] | None = None,
    comma: Iterable[str] = (),
) -> M:
    """`parse_form` for a page that shows one message for a refusal (the error middleware's
    message and redirect, or the page's own error line): refused values raise `refused(...)`."""
    try:
        return parse_form(model, post, fields=fields, comma=comma)
    except ValidationError as exc:
        raise refused(exc) from None


def parse_filters(model: type[M], query: QueryDict | Mapping[str, Any]) -> M:
    """A list page's filters from its query string: a filter that does not parse is left out
    (its default applies), as a page has always treated a hand-edited address."""
    data = form_data(model, query, fields=[n for n in model.model_fields if n in query])
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors(include_url=False) if e.get("loc")}
        return model.model_validate({k: v for k, v in data.items() if k not in bad})


def refused(exc: ValidationError) -> ServiceError:
    """A refused input as the ServiceError a page's error middleware answers (its message and
    a redirect back) and the API's error shape carries: the first code and message, every
    field's messages."""
    fields = {f: [str(m) for m in e.messages] for f, e in _by_field(exc).items()}
    first = next(iter(_by_field(exc).values()), exc)
    code = next((e.code for e in first.error_list if e.code), None) or CoreErrorCode.INVALID
    message = next(iter(first.messages), _("Enter a valid value."))
    return ServiceError(str(code), str(message), fields=fields)


def _by_field(exc: ValidationError) -> dict[str, ValidationError]:
    if hasattr(exc, "error_dict"):
        return {f: ValidationError(errs) for f, errs in exc.error_dict.items()}
    return {NON_FIELD: exc}


#: A time of day (opening hours) as ISO text in a body, read as such although bodies are strict;
#: an offset is dropped (hours are in the branch's own time zone).
ClockTime = Annotated[dt.time, Strict(False), AfterValidator(lambda t: t.replace(tzinfo=None))]

#: A time of day in an answer: "09:30", the wall clock of the branch. (JSON Schema's "time"
#: format means an RFC 3339 time with an offset, which a branch's opening hour is not.)
ClockTimeOut = Annotated[
    dt.time,
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "09:30"}),
]
