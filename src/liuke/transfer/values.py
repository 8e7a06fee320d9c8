"""Values as salons write them in their spreadsheets, read into what the archive stores.

Pure functions, no database: each takes what a reader gives for one cell (text, a number, a
date the spreadsheet already knew) and returns the stored value, or raises `BadValue` with a
message in the user's language. The kinds (`transfer.kinds`) call them per column.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.utils.translation import gettext as _

from liuke.core.money import MAX_FEN

#: Excel's day 0 in the 1900 date system (the 1900 leap-year bug folded in: day 60 is a ghost
#: 29 February, so serials from 61 on count from here; no salon dates fall before March 1900).
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Serials outside this range are not days a salon writes (1900 to 2100).
_SERIAL_MIN, _SERIAL_MAX = 61, 73415


class BadValue(ValueError):
    """A cell that cannot be read as what its column holds; `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def text_of(value: Any) -> str:
    """A cell as text: full-width letters and digits folded to ASCII (NFKC), trimmed; a number
    the spreadsheet stored as 13800138000.0 read back without its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


# --- dates --------------------------------------------------------------------------------------

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class MonthDay:
    """A birthday written without its year (1月5日): kept, but it is no date."""

    month: int
    day: int

    def __str__(self) -> str:
        return f"{self.month}月{self.day}日"


def _day(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValue(_("This is not a day of the calendar.")) from None


def excel_serial(serial: float) -> dt.date:
    """An Excel serial day number (45296 → 2024-01-05), the 1900 date system."""
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise BadValue(_("This number is not a date."))
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value: Any, *, year_optional: bool = False) -> dt.date | MonthDay | None:
    """A day as salons write it: a date cell, an Excel serial number, 2024/1/5, 2024-01-05,
    2024.1.5, 2024年1月5日, 20240105; with `year_optional`, 1月5日 or 1-5 too (a birthday
    without its year, returned as a `MonthDay`). Blank is None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise BadValue(_("Enter a date such as 2024-01-05."))
    if isinstance(value, int | float):
        return excel_serial(value)
    text = text_of(value)
    if not text:
        return None
    if match := _YMD.match(text) or _COMPACT.match(text):
        year, month, day = (int(g) for g in match.groups()[:3])
        if not 1900 <= year <= 2100:
            raise BadValue(_("Enter a year from 1900 to 2100."))
        return _day(year, month, day)
    if year_optional and (match := _MD.match(text)):
        month, day = int(match.group(1)), int(match.group(2))
        _day(2000, month, day)  # a leap year: 2月29日 is a birthday too
        return MonthDay(month, day)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return excel_serial(float(text))
    raise BadValue(_("Enter a date such as 2024-01-05."))


# --- phones -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    """A phone number read from a cell: `mobile` is the 11-digit CN mobile the archive reaches
    the customer on; anything else that is a number (a landline, a number abroad) is kept as
    `other`, in international form, with what it is in `kind`."""

    mobile: str = ""
    other: str = ""
    kind: str = ""  # "", "landline", "foreign"


_PHONE_JUNK = re.compile(r"[\s\-()（）.]")


def parse_phone(value: Any) -> Phone:
    """A phone as salons write it: +86 138 0013 8000, 86-13800138000, 138-0013-8000, full-width
    digits, a number stored as a float. A CN mobile becomes its 11 digits; a valid landline or a
    valid number abroad is kept and marked; anything else is refused. Blank is an empty Phone."""
    text = _PHONE_JUNK.sub("", text_of(value))
    if not text:
        return Phone()
    if len(text) > 32 or not re.fullmatch(r"\+?\d+", text):
        raise BadValue(_("This is not a phone number."))
    if text.startswith("0086"):
        text = "+86" + text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise BadValue(_("This is not a phone number.")) from None
    if not phonenumbers.is_valid_number(number):
        raise BadValue(_("This is not a phone number."))
    kind = phonenumbers.number_type(number)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.country_code != 86:
        return Phone(other=international, kind="foreign")
    if kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return Phone(mobile=str(number.national_number))
    return Phone(other=international, kind="landline")


# --- money, genders, yes/no, tags ---------------------------------------------------------------

_MONEY_JUNK = str.maketrans("", "", ",，¥￥元 \u00a0RMBrmb")


def parse_fen(value: Any, *, allow_negative: bool = False) -> int | None:
    """An amount in yuan as salons write it (¥1,280.50, 1280元, ￥１２８０, 1280.5 from a number
    cell) → integer fen, exactly (Decimal; a float cell is read through its shortest text, so
    0.1 + 0.2 never leaks in). Blank is None."""
    if isinstance(value, bool):
        raise BadValue(_("Enter an amount in yuan, such as 128 or 128.50."))
    raw = repr(value) if isinstance(value, float) else text_of(value)
    raw = raw.translate(_MONEY_JUNK)
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise BadValue(_("Enter an amount in yuan, such as 128 or 128.50.")) from None
    if not amount.is_finite():
        raise BadValue(_("Enter an amount in yuan, such as 128 or 128.50."))
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise BadValue(_("An amount has at most two decimals (fen)."))
    if fen < 0 and not allow_negative:
        raise BadValue(_("The amount must not be negative."))
    if abs(fen) > MAX_FEN:
        raise BadValue(_("The amount is too large."))
    return int(fen)


_GENDERS = {
    "女": "F", "f": "F", "female": "F", "w": "F", "女士": "F", "女性": "F",
    "男": "M", "m": "M", "male": "M", "男士": "M", "男性": "M", "先生": "M",
    "其他": "O", "other": "O", "o": "O",
}  # fmt: skip


def parse_gender(value: Any) -> str:
    """男/女/M/F/male/female/先生/女士 → M or F (O for other); blank or 未知 → ""."""
    text = text_of(value).lower()
    if text in ("", "未知", "unknown", "-", "保密"):
        return ""
    if text in _GENDERS:
        return _GENDERS[text]
    raise BadValue(_("Enter 男 or 女 (M or F)."))


_YES = {"是", "y", "yes", "true", "1", "同意", "已同意", "√", "✓", "有"}
_NO = {"否", "n", "no", "false", "0", "不同意", "未同意", "×", "✗", "无", ""}


def parse_yes_no(value: Any) -> bool:
    """是/否, Y/N, yes/no, true/false, 1/0, 同意/不同意, ✓/×; blank is no."""
    if isinstance(value, bool):
        return value
    text = text_of(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise BadValue(_("Enter 是 or 否 (yes or no)."))


_TAG_SEPARATORS = re.compile(r"[,，、;；|/\n]+")


def split_tags(value: Any) -> list[str]:
    """Several tags in one cell, separated by commas (either width), 、, semicolons, slashes,
    bars or line breaks; each trimmed, blanks and repeats dropped, order kept."""
    out: list[str] = []
    for part in _TAG_SEPARATORS.split(text_of(value)):
        tag = part.strip()
        if tag and tag not in out:
            out.append(tag)
    return out


_COUNT = re.compile(r"^(\d{1,6})\s*(?:次|个|回|sessions?|x)?$", re.IGNORECASE)


def parse_count(value: Any) -> int | None:
    """A number of sessions as salons write it (10, 10次, １０, 10.0 from a number cell) → int;
    blank is None."""
    if isinstance(value, bool):
        raise BadValue(_("Enter a whole number, such as 10."))
    text = text_of(value)
    if not text:
        return None
    found = _COUNT.match(text)
    if found is None:
        raise BadValue(_("Enter a whole number, such as 10."))
    return int(found.group(1))


_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?\s*$")


def parse_datetime(value: Any) -> dt.datetime:
    """A time as salons write it: a date-and-time cell, or a day in any form `parse_date` reads
    followed by its time of day (2024-01-05 14:30); noon when the file gives only the day.
    Naive: on the clock of the branch it happened at."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, float) and not value.is_integer():
        # an Excel serial number: the fraction is the time of day
        minutes = round((value - int(value)) * 24 * 60)
        return dt.datetime.combine(excel_serial(value), dt.time()) + dt.timedelta(minutes=minutes)
    day = parse_date(value)
    if day is None or isinstance(day, MonthDay):
        raise BadValue(_("Enter the day, such as 2024-01-05 14:30."))
    found = _TIME.search(text_of(value))
    hour, minute = (int(found.group(1)), int(found.group(2))) if found else (12, 0)
    if hour > 23 or minute > 59:
        raise BadValue(_("This is not a time of day."))
    return dt.datetime.combine(day, dt.time(hour, minute))
