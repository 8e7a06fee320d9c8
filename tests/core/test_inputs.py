"""core.inputs: a page's POST parsed into the same pydantic model the API takes, and pydantic's
errors as per-field messages in the user's language."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import translation
from pydantic import BaseModel, Field, field_validator

from liuke.core.inputs import (
    field_error,
    form_data,
    parse_filters,
    parse_form,
    parse_input,
    refused,
)


class Visit(BaseModel):
    name: Annotated[str, Field(max_length=5)]
    day: dt.date | None = None
    count: Annotated[int, Field(ge=1, le=9)] | None = None
    paid: bool = False
    line_ids: list[int] = []
    note: str | None = None

    @field_validator("note")
    @classmethod
    def _no_shouting(cls, value: str | None) -> str | None:
        if value is not None and value.isupper():
            raise field_error("shouting", "Do not shout {here}.")
        return value


def post(text: str) -> QueryDict:
    return QueryDict(text)


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str | None]]:
    return {f: [e.code for e in errs] for f, errs in exc.value.error_dict.items()}


def test_a_post_becomes_the_typed_input() -> None:
    # given a page's POST: a ticked checkbox, a repeated key, a blank box
    data = post("name=Li&day=2024-05-01&count=3&paid=on&line_ids=4&line_ids=7&note=")
    # when it is parsed
    visit = parse_form(Visit, data)
    # then each field has its type; the blank box is no value
    assert visit == Visit(
        name="Li", day=dt.date(2024, 5, 1), count=3, paid=True, line_ids=[4, 7], note=None
    )


def test_an_absent_checkbox_is_false_and_only_the_named_fields_are_read() -> None:
    data = form_data(Visit, post("name=Li&paid=&count=2"), fields=["name", "paid"])
    assert data == {"name": "Li", "paid": False}


def test_refused_values_come_back_by_field_with_django_form_codes() -> None:
    data = post("name=Lilian&day=2024-02-30&count=0&line_ids=x")
    with pytest.raises(ValidationError) as refused:
        parse_form(Visit, data)
    assert codes(refused) == {
        "name": ["max_length"],
        "day": ["invalid"],
        "count": ["min_value"],
        "line_ids": ["invalid"],
    }


def test_a_missing_field_is_required() -> None:
    with pytest.raises(ValidationError) as refused:
        parse_form(Visit, post(""))
    assert codes(refused) == {"name": ["required"]}
    with pytest.raises(ValidationError) as refused:
        parse_input(Visit, {})
    assert codes(refused) == {"name": ["required"]}


def test_a_mapping_gets_the_kernels_codes() -> None:
    with pytest.raises(ValidationError) as refused:
        parse_input(Visit, {"name": "Lilian", "paid": "maybe", "count": "x"})
    assert codes(refused) == {"name": ["too_long"], "paid": ["invalid"], "count": ["invalid"]}


def test_a_validators_own_code_and_message_pass_through() -> None:
    with pytest.raises(ValidationError) as refused:
        parse_form(Visit, post("name=Li&note=HEY"))
    [error] = refused.value.error_dict["note"]
    assert (error.code, error.messages) == ("shouting", ["Do not shout {here}."])


def test_messages_are_in_the_users_language_and_django_forms_wording() -> None:
    data = post("name=Lilian&count=10")
    with translation.override("en"), pytest.raises(ValidationError) as english:
        parse_form(Visit, data)
    assert english.value.message_dict == {
        "name": ["Ensure this value has at most 5 characters (it has 6)."],
        "count": ["Ensure this value is less than or equal to 9."],
    }
    with translation.override("zh-hans"), pytest.raises(ValidationError) as chinese:
        parse_form(Visit, data)
    assert chinese.value.message_dict["name"] != english.value.message_dict["name"]
    assert "5" in chinese.value.message_dict["name"][0]


class Notice(BaseModel):
    ids: list[Annotated[int, Field(ge=1)]] = []
    branch: int | None = None


def test_a_list_typed_in_one_box_and_numbers_sent_as_text() -> None:
    # the page's box holds "3, 4，5" (the Chinese comma too); the model may take only numbers
    notice = parse_form(Notice, post("ids=3,+4%EF%BC%8C5,&branch=12"), comma=["ids"])
    assert notice == Notice(ids=[3, 4, 5], branch=12)


def test_a_filter_that_does_not_parse_is_left_out() -> None:
    assert parse_filters(Notice, post("branch=abc")) == Notice()
    assert parse_filters(Notice, post("branch=7&other=1")) == Notice(branch=7)


def test_a_refused_input_becomes_the_service_error_pages_and_the_api_answer() -> None:
    with pytest.raises(ValidationError) as refused_input:
        parse_input(Visit, {"name": "Lilian", "count": 0})
    error = refused(refused_input.value)
    assert error.code == "too_long"
    assert set(error.fields) == {"name", "count"}
    assert error.message == error.fields["name"][0]
