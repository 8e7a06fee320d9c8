"""The tables of customers' worth: value bands, the RFM grid, key and potential key accounts,
referrals, the totals per branch, and the call list's value lost."""

from __future__ import annotations

from typing import Any

import numpy as np

from liuke.analytics.aggregates.rows import (
    KEY_ACCOUNTS_SQL,
    REFERRALS_SQL,
    Array,
    counted,
    distinct,
    fetch,
)
from liuke.analytics.aggregates.rules import POTENTIAL_QUANTILE, VALUE_BANDS_YUAN
from liuke.core.money import FEN_PER_YUAN


def band_edges_fen() -> Array:
    return np.array(VALUE_BANDS_YUAN, dtype=np.int64) * FEN_PER_YUAN


def buckets(branch: Array, value_fen: Array, rule_value_fen: Array) -> list[dict[str, Any]]:
    edges = band_edges_fen()
    out = []
    for measure, values in (("model", value_fen), ("rule", rule_value_fen)):
        known = np.isfinite(values)
        if not known.any():
            continue
        band = np.searchsorted(edges, np.maximum(values[known], 0), side="right") - 1
        pair = (branch[known].astype(np.int64) << 8) | band
        uniq, n = counted(pair)
        out += [
            {"branch_id": int(u >> 8), "measure": measure, "bucket": int(u & 0xFF), "customers": k}
            for u, k in zip(uniq.tolist(), n.tolist(), strict=True)
        ]
    return out


def rfm(branch: Array, worth: Array, recency: Array, frequency: Array) -> list[dict[str, Any]]:
    if not len(branch):
        return []
    cell = (branch.astype(np.int64) << 8) | (np.asarray(recency) << 4) | np.asarray(frequency)
    cells, n = counted(cell)
    total = np.zeros(len(cells), dtype=np.int64)
    np.add.at(total, np.searchsorted(cells, cell), worth)
    return [
        {
            "branch_id": int(c >> 8),
            "recency": int((c >> 4) & 0xF),
            "frequency": int(c & 0xF),
            "customers": int(k),
            "worth_fen": int(w),
        }
        for c, k, w in zip(cells.tolist(), n.tolist(), total.tolist(), strict=True)
    ]


def value_lost(
    *,
    segment: list[str],
    visits: Array,
    age_days: Array,
    total_spend_fen: Array,
    recency_days: Array,
    probability_alive: Array,
    slipping: tuple[str, ...],
    model_value_fen: Array | None = None,
) -> Array:
    """The call list's value lost (fen) per customer, 0 off the list, on the same scale as the
    key accounts' worth: where the model is trusted, the customer's 12-month model value had
    they stayed (the model value / P(alive), P(alive) at least 1 %) × the probability they no
    longer come (1 − P(alive)). Where it is not, the rule of thumb: 20 × sales per year of tenure
    × (days since the last visit / 365, at most 1). Inputs as stored (rounded)."""
    on_list = np.isin(np.asarray(segment), slipping) & (visits >= 2)
    years = np.maximum(age_days, 365) / 365.0
    rate = total_spend_fen / years
    fallback = np.clip(recency_days / 365.0, 0.0, 1.0)
    alive = np.asarray(probability_alive, dtype=float)
    gone = np.where(np.isfinite(alive), 1.0 - alive, fallback)
    lost = np.rint(20 * rate * gone)
    if model_value_fen is not None:
        model = np.asarray(model_value_fen, dtype=float)
        trusted = np.isfinite(model) & np.isfinite(alive)
        with np.errstate(invalid="ignore", divide="ignore"):
            by_model = np.rint(model / np.maximum(alive, 0.01) * (1.0 - alive))
        lost = np.where(trusted, by_model, lost)
    return np.where(on_list & np.isfinite(lost), lost, 0).astype(np.int64)


def key_accounts(business_id: int, customer_id: Array) -> tuple[Array, Array]:
    """(is a key account, has a responsible staff member) per customer."""
    key = np.zeros(len(customer_id), dtype=bool)
    owned = np.zeros(len(customer_id), dtype=bool)
    found = fetch(KEY_ACCOUNTS_SQL, [business_id], 2)
    if len(found) and len(customer_id):
        at = np.minimum(np.searchsorted(customer_id, found[:, 0]), len(customer_id) - 1)
        hit = customer_id[at] == found[:, 0]
        key[at[hit]] = True
        owned[at[hit]] = found[hit, 1] > 0
    return key, owned


def referrals(business_id: int, customer_id: Array, worth: Array) -> tuple[Array, Array, Array]:
    """Per customer: customers brought, their worth, and whether the customer was referred."""
    count = np.zeros(len(customer_id), dtype=np.int64)
    brought_worth = np.zeros(len(customer_id), dtype=np.int64)
    referred = np.zeros(len(customer_id), dtype=bool)
    edges = fetch(REFERRALS_SQL, [business_id], 2)
    if not len(edges) or not len(customer_id):
        return count, brought_worth, referred
    last = len(customer_id) - 1
    who = np.minimum(np.searchsorted(customer_id, edges[:, 0]), last)
    who_known = customer_id[who] == edges[:, 0]
    referred[who[who_known]] = True
    by = np.minimum(np.searchsorted(customer_id, edges[:, 1]), last)
    by_known = customer_id[by] == edges[:, 1]
    np.add.at(count, by[by_known], 1)
    both = by_known & who_known
    np.add.at(brought_worth, by[both], worth[who[both]])
    return count, brought_worth, referred


def _threshold(worth: Array) -> int:
    positive = worth[worth > 0]
    return int(np.ceil(np.quantile(positive, POTENTIAL_QUANTILE))) if len(positive) else 0


def potential(worth: Array, key: Array) -> Array:
    """Not a key account, worth at least the business's POTENTIAL_QUANTILE and above zero."""
    return ~key & (worth >= _threshold(worth)) & (worth > 0)


def totals(
    branch: Array,
    worth: Array,
    key: Array,
    owned: Array,
    referred: Array,
    referred_count: Array,
    referred_worth: Array,
    potential: Array,
) -> list[dict[str, Any]]:
    if not len(branch):
        return []
    threshold = _threshold(worth)
    out = []
    for b in distinct(branch).tolist():
        here = branch == b
        out.append(
            {
                "branch_id": int(b),
                "customers": int(here.sum()),
                "worth_fen": int(worth[here].sum()),
                "key_accounts": int((key & here).sum()),
                "key_accounts_unowned": int((key & ~owned & here).sum()),
                "key_worth_fen": int(worth[key & here].sum()),
                "potential_key_accounts": int((potential & here).sum()),
                "potential_threshold_fen": threshold,
                "referred_customers": int((referred & here).sum()),
                "referred_worth_fen": int(worth[referred & here].sum()),
                "referrers": int(((referred_count > 0) & here).sum()),
            }
        )
    return out
