"""Distinct rows of a few numeric columns, fast: the models compute once per distinct row."""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def unique_rows(*columns: Array) -> tuple[Array, Array]:
    """(first, inverse): `first` indexes one row of each distinct combination of the columns,
    `inverse` maps every row to its combination. Whole-number columns (times in days, counts)
    become one exact int64 key and a single sort; other values fall back to a lexicographic sort.
    """
    n = len(columns[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    key = _integer_key(columns)
    if key is not None:
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return first, inverse.reshape(-1)
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


def _integer_key(columns: tuple[Array, ...]) -> Array | None:
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
    return key


def dot(a: Array, b: Array) -> float:
    """Σ a·b without BLAS: OpenBLAS's threaded dot is many times slower on a busy 2-core machine,
    and einsum's own loop is as fast as a single-threaded BLAS."""
    return float(np.einsum("i,i->", a, b))
