"""core.money: the one place that parses, formats and checks amounts, and a scan that keeps it
the only place."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.money import (
    MAX_FEN,
    MoneyError,
    format_yuan,
    parse_yuan,
    validate_fen,
    whole_yuan,
    yuan_decimal,
)
from liuke.web.templatetags.liuke_format import yuan

SRC = Path(__file__).resolve().parents[2] / "src" / "liuke"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


fen = st.integers(min_value=-MAX_FEN, max_value=MAX_FEN)
positive_fen = st.integers(min_value=1, max_value=MAX_FEN)


# --- round trips over the whole range ----------------------------------------------------------


@given(fen, st.booleans(), st.booleans())
def test_parse_reads_back_what_format_wrote(amount: int, grouping: bool, symbol: bool) -> None:
    text = format_yuan(amount, grouping=grouping, symbol=symbol)
    assert parse_yuan(text, signed=True, allow_zero=True) == amount


@given(positive_fen)
def test_a_positive_amount_round_trips_without_a_sign(amount: int) -> None:
    assert parse_yuan(format_yuan(amount)) == amount


@given(fen)
def test_the_decimal_and_whole_yuan_agree_with_the_text(amount: int) -> None:
    assert yuan_decimal(amount) == Decimal(format_yuan(amount, grouping=False))
    assert whole_yuan(amount) == int(yuan_decimal(amount))  # toward zero, like int()


# --- one sign rule -----------------------------------------------------------------------------


@given(positive_fen)
def test_a_negative_amount_is_its_positive_with_a_minus_before_the_digits(amount: int) -> None:
    assert format_yuan(-amount) == "-" + format_yuan(amount)
    assert format_yuan(-amount, symbol=True) == "¥-" + format_yuan(amount)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (-150, "-1.50"),  # not "-2.50": floor division of a negative amount is no formatter
        (-1, "-0.01"),
        (0, "0.00"),
        (5, "0.05"),
        (128000, "1,280.00"),
        (MAX_FEN, "1,000,000.00"),
    ],
)
def test_format_examples(amount: int, text: str) -> None:
    assert format_yuan(amount) == text


def test_the_template_filter_is_the_same_formatter() -> None:
    assert yuan(-150) == format_yuan(-150) == "-1.50"
    assert yuan(None) == "—"


def test_a_card_expiry_message_shows_a_negative_balance_with_the_one_sign_rule() -> None:
    assert format_yuan(-150, symbol=True) == "¥-1.50"


# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("128", 12800),
        ("128.5", 12850),
        ("128.05", 12805),
        ("1,280.00", 128000),
        ("0.01", 1),
        ("¥ 1，280", 128000),
        ("￥88.8", 8880),
    ],
)
def test_yuan_to_fen_is_exact(text: str, amount: int) -> None:
    assert parse_yuan(text) == amount


@pytest.mark.parametrize("text", ["12.345", "-1", "abc", "1e3", "NaN", "", "0", ".", "1.2.3"])
def test_yuan_to_fen_refuses(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_yuan(text)


@pytest.mark.parametrize("text", ["1e3", "0x10", "1_000", "+5", "--1", "-", "Infinity"])
def test_parse_refuses_what_is_not_plain_yuan(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text, signed=True)


def test_a_trailing_dot_is_whole_yuan() -> None:
    assert parse_yuan("1.") == 100  # "1." is one yuan, as people type it
    assert parse_yuan("1.", signed=True) == 100


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_never_amounts(value: float) -> None:
    with pytest.raises(MoneyError):
        validate_fen(value, field="amount_fen")


@given(positive_fen, st.integers(min_value=1, max_value=9))
def test_more_than_two_decimals_is_refused(amount: int, digit: int) -> None:
    text = format_yuan(amount, grouping=False) + str(digit)
    with pytest.raises(MoneyError, match="two decimals"):
        parse_yuan(text)


@given(st.integers(min_value=MAX_FEN + 1, max_value=MAX_FEN * 1000))
def test_over_the_limit_is_refused_as_text_and_as_fen(amount: int) -> None:
    with pytest.raises(MoneyError, match="too large"):
        parse_yuan(format_yuan(amount))
    with pytest.raises(MoneyError, match="too large"):
        validate_fen(amount)
    with pytest.raises(MoneyError, match="too large"):
        validate_fen(-amount, signed=True)


@given(st.integers(min_value=-MAX_FEN, max_value=-1))
def test_a_sign_only_where_the_caller_allows_it(amount: int) -> None:
    text = format_yuan(amount)
    with pytest.raises(MoneyError):
        parse_yuan(text)
    with pytest.raises(MoneyError):
        validate_fen(amount, allow_zero=True)
    assert parse_yuan(text, signed=True) == amount
    assert validate_fen(amount, signed=True) == amount


def test_zero_only_where_the_caller_allows_it() -> None:
    with pytest.raises(MoneyError, match="positive"):
        validate_fen(0)
    with pytest.raises(MoneyError, match="positive"):
        parse_yuan("0.00")
    assert validate_fen(0, allow_zero=True) == 0
    assert parse_yuan("0", allow_zero=True) == 0


@pytest.mark.parametrize("value", [True, False, "100", None, 1.0, Decimal("1")])
def test_validate_takes_true_integers_only(value: object) -> None:
    with pytest.raises(MoneyError):
        validate_fen(value)


# --- one error ---------------------------------------------------------------------------------


def test_one_error_for_every_caller() -> None:
    # given an amount refused for a named field
    with pytest.raises(MoneyError) as caught:
        validate_fen(-5, field="amount_fen")
    error = caught.value
    # then services and the API see a ServiceError with the stable code and the field
    assert isinstance(error, ServiceError)
    assert error.code == CoreErrorCode.INVALID_AMOUNT
    assert str(error.code) == "invalid_amount"
    assert error.fields == {"amount_fen": [error.message]}
    # and forms see a Django ValidationError bound to that field
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"amount_fen": [error.message]}
    assert error.error_dict["amount_fen"][0].code == "invalid_amount"


def test_without_a_field_the_error_is_a_plain_form_error() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_yuan("abc")
    assert caught.value.code == "invalid_amount"
    assert caught.value.messages == ["Enter an amount in yuan, such as 128 or 128.50."]
    assert not hasattr(caught.value, "error_dict")


# --- nobody else formats money -----------------------------------------------------------------

#: Divisions by 100 that are not money (percentages, leap years).
NOT_MONEY = ("pct", "year")
#: Money arithmetic that is no formatter: the demo rounds simulated prices (NumPy arrays, in fen)
#: to whole yuan.
VECTORISED = ("price[pos] * factor / FEN_PER_YUAN",)
#: The helpers core.money replaced (a function of that name, or with "yuan" in it, is a new one).
REPLACED = {"_money", "_fen", "_whole_fen", "fen_to_yuan", "yuan_to_fen", "yuan_cell"}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts and path.name != "money.py"
    ]


def _hundred(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and node.value in (100, 100.0)) or (
        isinstance(node, ast.Name) and node.id == "FEN_PER_YUAN"
    )


def test_no_module_but_core_money_turns_fen_into_yuan() -> None:
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            text = ""
            if (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod)
                and _hundred(node.right)
            ) or (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "divmod"
                and len(node.args) == 2
                and _hundred(node.args[1])
            ):
                text = ast.unparse(node)
            elif isinstance(node, ast.JoinedStr) and ":02d}" in ast.unparse(node):
                text = ast.unparse(node)  # the hand-written "{whole}.{cents:02d}"
            if text and not any(word in text for word in NOT_MONEY) and text not in VECTORISED:
                found.append(f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}: {text}")
    assert not found, "use liuke.core.money instead:\n" + "\n".join(found)


def test_the_limit_and_the_helpers_are_defined_once() -> None:
    names = {"MAX_FEN", "MAX_YUAN"}
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            defined = [t.id for t in targets if isinstance(t, ast.Name) and t.id in names]
            # The template filter `yuan` is the one thin wrapper pages use.
            if (
                isinstance(node, ast.FunctionDef)
                and ("yuan" in node.name or node.name in REPLACED)
                and not (path.name == "liuke_format.py" and node.name == "yuan")
            ):
                defined.append(node.name)
            where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"
            found += [f"{where}: {name}" for name in defined]
    assert not found, "money helpers belong in liuke.core.money:\n" + "\n".join(found)
