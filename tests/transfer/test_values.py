"""Values as salons write them: dates, phones, amounts, genders, yes/no, tags."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liuke.transfer import values as v


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        (45296, dt.date(2024, 1, 5)),
        (45296.0, dt.date(2024, 1, 5)),
        ("45296", dt.date(2024, 1, 5)),
        ("2024/1/5", dt.date(2024, 1, 5)),
        ("2024-01-05", dt.date(2024, 1, 5)),
        ("2024.1.5", dt.date(2024, 1, 5)),
        ("2024年1月5日", dt.date(2024, 1, 5)),
        ("２０２４年１月５日", dt.date(2024, 1, 5)),
        ("20240105", dt.date(2024, 1, 5)),
        ("2024/1/5 00:00:00", dt.date(2024, 1, 5)),
        (dt.datetime(2024, 1, 5, 10, 30), dt.date(2024, 1, 5)),
        (dt.date(2024, 1, 5), dt.date(2024, 1, 5)),
        ("", None),
        (None, None),
    ],
)
def test_dates_as_salons_write_them(cell: object, day: dt.date | None) -> None:
    assert v.parse_date(cell) == day


def test_a_birthday_without_its_year_is_a_month_and_day() -> None:
    assert v.parse_date("1月5日", year_optional=True) == v.MonthDay(1, 5)
    assert v.parse_date("2月29日", year_optional=True) == v.MonthDay(2, 29)
    assert str(v.MonthDay(1, 5)) == "1月5日"


@pytest.mark.parametrize(
    "cell", ["1月5日", "2023-02-30", "2024/13/1", "昨天", "1800-01-01", 5, True]
)
def test_what_is_no_date_is_refused(cell: object) -> None:
    with pytest.raises(v.BadValue):
        v.parse_date(cell)


@pytest.mark.parametrize(
    "cell",
    ["13800138000", "+86 138 0013 8000", "86-13800138000", "138-0013-8000", "0086 13800138000",
     "１３８００１３８０００", 13800138000, 13800138000.0, "(138) 0013 8000"],
)  # fmt: skip
def test_mobiles_in_every_form_become_their_11_digits(cell: object) -> None:
    assert v.parse_phone(cell) == v.Phone(mobile="13800138000")


def test_landlines_and_numbers_abroad_are_kept_and_marked() -> None:
    assert v.parse_phone("021-6234 5678") == v.Phone(other="+862162345678", kind="landline")
    assert v.parse_phone("+852 9123 4567") == v.Phone(other="+85291234567", kind="foreign")
    assert v.parse_phone("") == v.Phone()


@pytest.mark.parametrize(
    "cell", ["12345", "abc", "138001380001234567890123456789012345", "+86 100"]
)
def test_what_is_no_phone_is_refused(cell: str) -> None:
    with pytest.raises(v.BadValue):
        v.parse_phone(cell)


@pytest.mark.parametrize(
    ("cell", "fen"),
    [("¥1,280.50", 128050), ("1280元", 128000), ("￥１，２８０", 128000), (1280.5, 128050),
     (0.1, 10), ("RMB 99", 9900), (128, 12800), ("", None), (None, None)],
)  # fmt: skip
def test_amounts_become_exact_fen(cell: object, fen: int | None) -> None:
    assert v.parse_fen(cell) == fen


@pytest.mark.parametrize("cell", ["1.234", "-5", "abc", "1e3x", "NaN", True, "99999999"])
def test_what_is_no_amount_is_refused(cell: object) -> None:
    with pytest.raises(v.BadValue):
        v.parse_fen(cell)


def test_a_negative_amount_where_one_is_allowed() -> None:
    assert v.parse_fen("-5", allow_negative=True) == -500


@pytest.mark.parametrize(
    ("cell", "count"), [("10", 10), ("10次", 10), ("１０", 10), (6.0, 6), (" 3 次 ", 3), ("", None)]
)
def test_session_counts_as_salons_write_them(cell: object, count: int | None) -> None:
    assert v.parse_count(cell) == count


@pytest.mark.parametrize(
    ("cell", "when"),
    [
        ("2024-01-05 14:30", dt.datetime(2024, 1, 5, 14, 30)),
        ("2024/1/5 9:05:00", dt.datetime(2024, 1, 5, 9, 5)),
        ("2024年1月5日", dt.datetime(2024, 1, 5, 12, 0)),
        (45296.6041666667, dt.datetime(2024, 1, 5, 14, 30)),
        (dt.datetime(2024, 1, 5, 8, 0), dt.datetime(2024, 1, 5, 8, 0)),
    ],
)
def test_times_as_salons_write_them(cell: object, when: dt.datetime) -> None:
    assert v.parse_datetime(cell) == when


@pytest.mark.parametrize("cell", ["", "1月5日", "2024-01-05 25:00", "明天"])
def test_what_is_no_time_is_refused(cell: object) -> None:
    with pytest.raises(v.BadValue):
        v.parse_datetime(cell)


@pytest.mark.parametrize("cell", ["五次", "2.5", "-1", True])
def test_what_is_no_session_count_is_refused(cell: object) -> None:
    with pytest.raises(v.BadValue):
        v.parse_count(cell)


@pytest.mark.parametrize(
    ("cell", "gender"),
    [("女", "F"), ("男", "M"), ("M", "M"), ("f", "F"), ("Female", "F"), ("先生", "M"),
     ("", ""), ("未知", "")],
)  # fmt: skip
def test_genders(cell: str, gender: str) -> None:
    assert v.parse_gender(cell) == gender


def test_an_unknown_gender_is_refused() -> None:
    with pytest.raises(v.BadValue):
        v.parse_gender("猫")


def test_yes_and_no() -> None:
    assert [v.parse_yes_no(x) for x in ("是", "Y", "1", "同意", "否", "", "no", 0)] == [
        True, True, True, True, False, False, False, False,
    ]  # fmt: skip
    with pytest.raises(v.BadValue):
        v.parse_yes_no("也许")


def test_several_tags_in_one_cell() -> None:
    assert v.split_tags("VIP、敏感肌, 学生；VIP / 老客") == ["VIP", "敏感肌", "学生", "老客"]
    assert v.split_tags(None) == []


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_every_day_reads_back_in_every_written_form(day: dt.date) -> None:
    serial = (day - v.EXCEL_EPOCH).days
    forms = [
        serial,
        f"{day.year}/{day.month}/{day.day}",
        day.isoformat(),
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
    ]
    assert {v.parse_date(f) for f in forms} == {day}


@given(st.integers(min_value=0, max_value=100_000_000))
def test_every_amount_reads_back_in_every_written_form(fen: int) -> None:
    yuan, cents = divmod(fen, 100)
    forms = [f"¥{yuan:,}.{cents:02d}", f"{yuan}.{cents:02d}元", f"￥{yuan:,}.{cents:02d}"]
    assert {v.parse_fen(f) for f in forms} == {fen}


@given(st.text(max_size=40))
def test_any_text_is_a_value_or_a_clear_refusal(text: str) -> None:
    refusals = []
    for parse in (v.parse_date, v.parse_phone, v.parse_fen, v.parse_gender, v.parse_yes_no):
        try:
            parse(text)
        except v.BadValue as exc:
            refusals.append(exc.message)
    assert all(refusals)
