"""Money in one place: amounts are integer fen (¥1 = 100 fen) from the form or API to the
database; this module turns yuan text into fen, fen into yuan text, and checks an amount.

- `parse_yuan("1,280.50")` → 128050: exact (Decimal, never float), at most two decimals.
- `format_yuan(-150)` → "-1.50": one sign rule, the minus directly before the digits, so the
  pages' "¥{{ x|yuan }}" reads "¥-1.50"; thousands separators unless `grouping=False`.
- `validate_fen(value, field=...)` → the value, or `MoneyError` (code `invalid_amount`).
- `MAX_FEN`: no single amount in a salon is larger (¥1,000,000).

Every refusal is one error, `MoneyError` (stable code `invalid_amount`): a `ServiceError` and a
Django `ValidationError` at once, so the API, the pages and forms show it like any other refusal.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field

from liuke.core.errors import CoreErrorCode, ServiceError

FEN_PER_YUAN = 100
MAX_FEN = 100_000_000  # ¥1,000,000: no single amount in a salon is larger

#: What a person may type around the digits: thousands separators (ASCII and full-width) and the
#: yuan sign (half- and full-width).
_IGNORED = str.maketrans("", "", ",，¥￥ ")


# The two bases type `code` and `message` differently (str vs str | None and lazy text);
# this class always sets both to plain str, which satisfies each.
class MoneyError(ServiceError, ValidationError):  # type: ignore[misc]
    """An amount refused: not a number of yuan/fen, too many decimals, not positive, too large.

    One error for every caller: a `ServiceError` (code `invalid_amount`) for the API and the
    pages that show service refusals, and a Django `ValidationError` (bound to `field` when
    given) for forms and for callers that collect field errors."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        text = str(message)
        code = CoreErrorCode.INVALID_AMOUNT
        if field:
            ValidationError.__init__(self, {field: [ValidationError(text, code=code)]})
        else:
            ValidationError.__init__(self, text, code=code)
        self.code = code
        self.message = text
        self.fields = {field: [text]} if field else {}


def _checked(fen: int, *, field: str | None, allow_zero: bool, signed: bool) -> int:
    if abs(fen) > MAX_FEN:
        raise MoneyError(_("The amount is too large."), field=field)
    if (fen < 0 and not signed) or (fen == 0 and not allow_zero):
        raise MoneyError(_("The amount must be positive."), field=field)
    return fen


def parse_yuan(
    text: str | None,
    *,
    allow_zero: bool = False,
    signed: bool = False,
    field: str | None = None,
) -> int:
    """Yuan as typed ('1,280.5', '¥128') → integer fen (128050, 12800). Decimal, never float;
    more than two decimals, exponents, NaN and nonsense are refused, and so is a minus sign
    unless `signed` (a person types an amount; the sign comes from what they do with it)."""
    raw = (text or "").strip().translate(_IGNORED)
    if not raw:
        raise MoneyError(_("Enter an amount."), field=field)
    negative = signed and raw[:1] == "-"
    digits = raw[1:] if negative else raw
    if not digits or digits == "." or digits.count(".") > 1:
        raise MoneyError(_("Enter an amount in yuan, such as 128 or 128.50."), field=field)
    if not all(ch in "0123456789." for ch in digits):
        raise MoneyError(_("Enter an amount in yuan, such as 128 or 128.50."), field=field)
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the characters were checked above
        raise MoneyError(
            _("Enter an amount in yuan, such as 128 or 128.50."), field=field
        ) from None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise MoneyError(_("At most two decimals (fen)."), field=field)
    if value > Decimal(MAX_FEN) / FEN_PER_YUAN:
        raise MoneyError(_("The amount is too large."), field=field)
    fen = int(value * FEN_PER_YUAN)
    return _checked(-fen if negative else fen, field=field, allow_zero=allow_zero, signed=signed)


def format_yuan(fen: int | None, *, grouping: bool = True, symbol: bool = False) -> str:
    """Integer fen as yuan with two decimals: 128000 → '1,280.00', -150 → '-1.50' (with
    `symbol`: '¥-1.50'); None → '—'. Thousands separators unless `grouping=False`."""
    if fen is None:
        return "—"
    fen = int(fen)
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    number = f"{whole:,}" if grouping else str(whole)
    return f"{'¥' if symbol else ''}{'-' if fen < 0 else ''}{number}.{cents:02d}"


def yuan_decimal(fen: int) -> Decimal:
    """Exact yuan as a Decimal with two places (a spreadsheet cell, a chart's value)."""
    return Decimal(int(fen)).scaleb(-2)


def whole_yuan(fen: int) -> int:
    """Whole yuan, rounded toward zero (a chart's axis or bubble size; no float on money)."""
    whole = abs(int(fen)) // FEN_PER_YUAN
    return -whole if fen < 0 else whole


def fen_from_yuan(yuan: int) -> int:
    """A whole number of yuan (a price list, a band edge) in fen."""
    return int(yuan) * FEN_PER_YUAN


def validate_fen(
    value: Any, *, field: str | None = None, allow_zero: bool = False, signed: bool = False
) -> int:
    """An amount in fen from a caller (API body, service argument): a true integer (never a
    bool, float or text), positive (or zero with `allow_zero`), at most `MAX_FEN`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError(_("Enter a whole number of fen."), field=field)
    return _checked(value, field=field, allow_zero=allow_zero, signed=signed)


def _whole_fen(value: Any) -> Any:
    """Amounts are JSON numbers of whole fen: a string or a boolean is refused, and so is a
    fraction (pydantic refuses 1.5 for an int; 1000.0 is the integer 1000, as JSON Schema says)."""
    if isinstance(value, str | bool):
        raise ValueError("Enter a whole number of fen.")
    return value


#: API input types: a positive amount, and one that may be zero.
Fen = Annotated[int, Field(ge=1, le=MAX_FEN), BeforeValidator(_whole_fen)]
FenOrZero = Annotated[int, Field(ge=0, le=MAX_FEN), BeforeValidator(_whole_fen)]
#: A money figure about a customer in an API answer: fen, or null for staff who may not see
#: money (`accounts.policy.without_money` nulls every `*_fen` key for them).
MoneyOut = Annotated[
    int | None, Field(description="fen; null for staff who do not see money (finance.view)")
]
