"""Typed inputs of the customer archive, shared by the API (request bodies) and the pages
(`liuke.core.inputs.parse_form`), with the limits of the field catalogue (`customers.fields`).

The model checks the shape (types, lengths, choices): a refused shape is the API's 422. What a
value means (a name that is only spaces, a landline, a birthday in the future) is checked by
`CustomerPatch.normalised`, and what needs the database (a free card number, a branch of the
actor's, a visible referrer) by the services; both answer 400 with a code per field, all fields
at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Self

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import BeforeValidator, field_validator

from liuke.core.api import JsonObjectIn
from liuke.core.errors import CoreErrorCode
from liuke.core.inputs import Choice, Day, field_error, parse_input
from liuke.core.phone import normalise_mobile
from liuke.core.text import clean_text
from liuke.customers.choices import FieldGroup, Gender, HairType, SkinType, Source
from liuke.customers.errors import CustomersErrorCode
from liuke.customers.fields import EDITABLE_FIELDS, FIELDS, MAX_TAGS, TAG_MAX_LENGTH, Kind, limit
from liuke.customers.models import Customer

#: A row id typed in: positive and within a 63-bit column.
Id = Annotated[int, Field(ge=1, le=2**62)]


def _limit(name: str) -> Any:
    """The field catalogue's length limit as a pydantic constraint."""
    return Field(max_length=limit(name))


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def _split_tags(value: Any) -> Any:
    """Tags typed in one box ("VIP, 学生"; the Chinese comma too) arrive as one string."""
    if isinstance(value, str):
        return value.replace("，", ",").split(",")
    return value


#: A blank box (or "") is no value.
BlankIsNone = BeforeValidator(_blank_is_none)
TagName = Annotated[str, Field(max_length=TAG_MAX_LENGTH)]


class CustomerPatch(JsonObjectIn):
    """A change to a customer: only the fields present are changed (`model_fields_set`)."""

    name: Annotated[str, _limit("name")] | None = None
    gender: Annotated[Choice[Gender] | None, BlankIsNone] = None
    birthday: Annotated[Day | None, BlankIsNone] = None
    address_as: Annotated[str, _limit("address_as")] | None = None
    mobile: Annotated[str, _limit("mobile")] | None = None
    wechat_id: Annotated[str, _limit("wechat_id")] | None = None
    card_no: Annotated[str, _limit("card_no")] | None = None
    branch_id: Annotated[Id | None, BlankIsNone] = None
    owner_id: Annotated[Id | None, BlankIsNone] = None
    is_key_account: bool | None = None
    source: Annotated[Choice[Source] | None, BlankIsNone] = None
    referrer_id: Annotated[Id | None, BlankIsNone] = None
    tags: (
        Annotated[
            list[TagName],
            BeforeValidator(_split_tags),
            Field(json_schema_extra={"maxItems": MAX_TAGS}),
        ]
        | None
    ) = None
    skin_type: Annotated[Choice[SkinType] | None, BlankIsNone] = None
    hair_type: Annotated[Choice[HairType] | None, BlankIsNone] = None
    allergies: Annotated[str, _limit("allergies")] | None = None
    contraindications: Annotated[str, _limit("contraindications")] | None = None
    preferences: Annotated[str, _limit("preferences")] | None = None
    notes: Annotated[str, _limit("notes")] | None = None
    confidential_notes: Annotated[str, _limit("confidential_notes")] | None = None
    marketing_consent: bool | None = None
    photo_consent: bool | None = None
    service_notices: bool | None = None

    @field_validator("tags")
    @classmethod
    def _at_most_tags(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(value) > MAX_TAGS:
            raise field_error(CustomersErrorCode.TOO_MANY_TAGS, _("At most 30 tags."))
        return value

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """The input a caller gives as a plain mapping (tests, imports, the demo); a key that
        is no field of the catalogue is refused, with the values' own errors."""
        unknown = {
            field: [ValidationError(_("Unknown field."), code=CustomersErrorCode.UNKNOWN_FIELD)]
            for field in sorted(set(data) - set(EDITABLE_FIELDS))
        }
        try:
            parsed = parse_input(cls, data)
        except ValidationError as exc:
            raise ValidationError({**unknown, **exc.error_dict}) from None
        if unknown:
            raise ValidationError(unknown)
        return parsed

    def given(self) -> dict[str, Any]:
        """The fields present, as given."""
        return {name: getattr(self, name) for name in self.model_fields_set}

    def normalised(self) -> tuple[dict[str, Any], dict[str, list[ValidationError]]]:
        """The fields present, cleaned as the archive stores them, and what is wrong with them
        (by field) that needs no database: text hygiene, the mobile's form, the birthday's
        range, tag names."""
        cleaned: dict[str, Any] = {}
        errors: dict[str, list[ValidationError]] = {}
        for name, field in FIELDS.items():
            if name in self.model_fields_set:
                try:
                    cleaned[name] = _CLEANERS[field.kind](name, getattr(self, name))
                except ValidationError as exc:
                    errors[name] = exc.error_list
        return cleaned, errors


# --- what a value means, by kind of field (each raises ValidationError) -------------------------


def _text(name: str, value: str | None) -> str | None:
    field = FIELDS[name]
    label = str(getattr(Customer._meta.get_field(name), "verbose_name", name))
    text = clean_text(
        value or "", max_length=field.max_length, multiline=field.multiline, field=label
    )
    if name == "name" and not text:
        raise ValidationError(_("Enter the customer's name."), code=CoreErrorCode.REQUIRED)
    if name == "card_no":
        # one card, however it is typed: "a 1001" is A1001; none is NULL (the unique column)
        return text.upper().replace(" ", "") or None
    return text


def _choice(name: str, value: str | None) -> str:
    return value or (Source.WALK_IN if name == "source" else "")


def _bool(name: str, value: bool | None) -> bool:
    if value is None:
        raise ValidationError(_("Enter true or false."), code=CoreErrorCode.INVALID)
    return value


def _mobile(name: str, value: str | None) -> str:
    return normalise_mobile(value or "")


def _date(name: str, value: dt.date | None) -> dt.date | None:
    if value is None:
        return None
    if value > timezone.localdate():
        raise ValidationError(
            _("The birthday cannot be in the future."),
            code=CustomersErrorCode.BIRTHDAY_IN_FUTURE,
        )
    if value.year < 1900:
        raise ValidationError(
            _("Enter a birthday after 1900."), code=CustomersErrorCode.BIRTHDAY_TOO_OLD
        )
    return value


def _ref(name: str, value: int | None) -> int | None:
    return value  # whether the row exists and may be used is the service's (the database's)


def _tags(name: str, value: list[str] | None) -> list[str]:
    names: list[str] = []
    errors: list[ValidationError] = []
    for raw in value or []:
        try:
            tag = clean_text(raw, max_length=TAG_MAX_LENGTH, field=_("Tag"))
        except ValidationError as exc:
            errors.extend(exc.error_list)
            continue
        if tag and tag not in names:
            names.append(tag)
    if len(names) > MAX_TAGS:
        errors.append(ValidationError(_("At most 30 tags."), code=CustomersErrorCode.TOO_MANY_TAGS))
    if errors:
        raise ValidationError(errors)
    return names


_CLEANERS: dict[Kind, Callable[[str, Any], Any]] = {
    Kind.TEXT: _text,
    Kind.CHOICE: _choice,
    Kind.BOOL: _bool,
    Kind.MOBILE: _mobile,
    Kind.DATE: _date,
    Kind.REF: _ref,
    Kind.TAGS: _tags,
}


class CustomerInput(CustomerPatch):
    """A new customer: a name and a branch are required."""

    name: Annotated[str, _limit("name")]
    branch_id: Id


# --- the other customer writes: confirming, merging, borrowed access, handover, data rights ----
# (request bodies of the API and the forms of the pages, read with `liuke.core.inputs.parse_post`)


class ConfirmIn(JsonObjectIn):
    groups: Annotated[list[Choice[FieldGroup]], Field(max_length=10)] | None = None


class MergeIn(JsonObjectIn):
    duplicate_id: Id


class AccessRequestIn(JsonObjectIn):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class DecisionIn(JsonObjectIn):
    note: Annotated[str, Field(max_length=500)] = ""


class HandoverIn(JsonObjectIn):
    to_user_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    customer_ids: Annotated[list[Id], Field(max_length=10000)] | None = None
    from_user_id: Id | None = None


class DataRightsReasonIn(JsonObjectIn):
    reason: Annotated[str, Field(min_length=1, max_length=500)]
