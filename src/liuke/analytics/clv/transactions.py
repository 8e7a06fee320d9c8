"""`liuke analytics clv`: the models on any transaction file, not only Liuke's own data.

A CSV file with a header; three named columns: the customer (any text), the date (ISO
`YYYY-MM-DD`, optionally followed by a time, which is ignored; `YYYY/MM/DD` too) and the amount
(a number; negative for refunds). Rows with an empty customer or date are skipped and counted; a
row whose date or amount cannot be read stops the command with its line number.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import IO

import numpy as np

from liuke.analytics.clv import analysis as clv
from liuke.analytics.clv.summary import Summary, summarise

Array = np.ndarray


class TransactionFileError(ValueError):
    """The file cannot be read as transactions; the message says where and why."""


@dataclasses.dataclass
class Transactions:
    ids: list[str]
    customer: Array
    day: Array  # proleptic Gregorian ordinal
    amount: Array
    skipped: int


def read_transactions(
    path: Path, *, customer_col: str, date_col: str, amount_col: str
) -> Transactions:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return _read(handle, customer_col, date_col, amount_col)


def _read(handle: IO[str], customer_col: str, date_col: str, amount_col: str) -> Transactions:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise TransactionFileError("the file is empty") from None
    columns = {name.strip(): i for i, name in enumerate(header)}
    missing = [c for c in (customer_col, date_col, amount_col) if c not in columns]
    if missing:
        raise TransactionFileError(
            f"no column {', '.join(missing)} in the header ({', '.join(columns)})"
        )
    ci, di, ai = columns[customer_col], columns[date_col], columns[amount_col]
    width = max(ci, di, ai) + 1
    codes: dict[str, int] = {}
    days: dict[str, int] = {}
    customer: list[int] = []
    day: list[int] = []
    amount: list[float] = []
    skipped = 0
    for line, row in enumerate(reader, start=2):
        if len(row) < width:
            if not any(cell.strip() for cell in row):
                continue
            raise TransactionFileError(f"line {line}: {len(row)} columns, expected {width}")
        who, when, much = row[ci].strip(), row[di].strip(), row[ai].strip()
        if not who or not when:
            skipped += 1
            continue
        ordinal = days.get(when[:10])
        if ordinal is None:
            ordinal = parse_day(when, line)
            days[when[:10]] = ordinal
        try:
            value = float(much.replace(",", "")) if much else 0.0
        except ValueError:
            raise TransactionFileError(f"line {line}: amount {much!r} is not a number") from None
        if not math.isfinite(value):
            raise TransactionFileError(f"line {line}: amount {much!r} is not a number")
        code = codes.setdefault(who, len(codes))
        customer.append(code)
        day.append(ordinal)
        amount.append(value)
    return Transactions(
        ids=list(codes),
        customer=np.array(customer, dtype=np.int64),
        day=np.array(day, dtype=np.int64),
        amount=np.array(amount, dtype=float),
        skipped=skipped,
    )


def parse_day(text: str, line: int | None = None) -> int:
    """The day of an ISO date or date-time (its date part), as a proleptic ordinal."""
    part = text.strip()[:10].replace("/", "-")
    try:
        return dt.date.fromisoformat(part).toordinal()
    except ValueError:
        where = f"line {line}: " if line else ""
        raise TransactionFileError(f"{where}{text!r} is not a date (YYYY-MM-DD)") from None


def analyse_file(
    transactions: Transactions,
    *,
    observation_end: int | None,
    options: clv.Options,
) -> clv.Analysis:
    if len(transactions.day) == 0:
        raise TransactionFileError("no transactions in the file")
    end = int(transactions.day.max()) if observation_end is None else observation_end
    summary = summarise(
        transactions.customer, transactions.day, transactions.amount, observation_end=end
    )
    return clv.analyse(summary, options)


PREDICTION_COLUMNS = (
    "customer",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "probability_alive",
    "expected_visits",
    "expected_spend",
    "value",
    "value_20x_annual",
)


def write_predictions(path: Path, ids: list[str], analysis: clv.Analysis) -> int:
    """One row per customer; empty cells where no model applies. Returns rows written."""
    s: Summary = analysis.summary
    x, t_x, T = s.in_units(analysis.options.unit_days)
    columns = [
        x,
        t_x,
        T,
        s.spend_mean,
        analysis.probability_alive,
        analysis.expected_visits,
        analysis.expected_spend,
        analysis.value,
        analysis.rule_value,
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(PREDICTION_COLUMNS)
        cells = [[_cell(v) for v in column.tolist()] for column in columns]
        for i, code in enumerate(s.customer.tolist()):
            writer.writerow([ids[code], *(column[i] for column in cells)])
    return len(s)


def _cell(value: float) -> str:
    if not math.isfinite(value):
        return ""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}" if abs(value) < 1e-3 else f"{value:.6f}".rstrip("0").rstrip(".")
