"""Distinct rows of a few numeric columns, fast: the models compute once per distinct row."""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def unique_rows(*columns: Array) -> tuple[Array, Array]:
    """(first, inverse): `first` indexes one row of each distinct combination of the columns,
    `inverse` maps every row to its combination. Whole-number columns (times in days, counts)
    become one exact integer key: marked in a dense table when its range is small (no sort at
    all), else one sort of int64; other values fall back to a lexicographic sort.
    """
    n = len(columns[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    found = _integer_key(columns)
    if found is not None:
        key, span = found
        if span <= max(4 * n, 1 << 16):
            present = np.zeros(span, dtype=bool)
            present[key] = True
            position = np.cumsum(present) - 1
            inverse = position[key]
        else:
            _, inverse = np.unique(key, return_inverse=True)
            inverse = inverse.reshape(-1)
        first = np.empty(int(inverse.max()) + 1, dtype=np.int64)
        first[inverse] = np.arange(n)  # any row of a group will do: they are identical
        return first, inverse
    order = np.lexsort(columns[::-1])
    new = np.empty(n, dtype=bool)
    new[0] = True
    new[1:] = False
    for column in columns:
        sorted_column = column[order]
        new[1:] |= sorted_column[1:] != sorted_column[:-1]
    group = np.cumsum(new) - 1
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = group
    return order[new], inverse


def table_index(values: Array) -> tuple[Array, Array]:
    """(table, index) with table[index] == values: for whole numbers in a small range the table
    is every number of the range (no sort), else the distinct values."""
    values = np.asarray(values, dtype=float)
    if len(values) and np.array_equal(values, np.round(values)):
        low, high = float(values.min()), float(values.max())
        if high - low < max(4 * len(values), 1 << 16):
            table = np.arange(low, high + 1.0)
            return table, (values - low).astype(np.intp)
    table, index = np.unique(values, return_inverse=True)
    return table, index.reshape(-1)


def _integer_key(columns: tuple[Array, ...]) -> tuple[Array, int] | None:
    span = 1.0
    lows = []
    for column in columns:
        if not np.array_equal(column, np.round(column)):
            return None
        low, high = float(column.min()), float(column.max())
        lows.append(low)
        span *= high - low + 1
    if span >= 2**62:
        return None
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, low in zip(columns, lows, strict=True):
        width = int(column.max() - low) + 1
        key = key * width + (column - low).astype(np.int64)
    return key, int(span)


def dot(a: Array, b: Array) -> float:
    """Σ a·b without BLAS: OpenBLAS's threaded dot is many times slower on a busy 2-core machine,
    and einsum's own loop is as fast as a single-threaded BLAS."""
    return float(np.einsum("i,i->", a, b))
