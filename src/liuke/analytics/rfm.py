"""RFM scores and segments, and the loyalty rating: plain, documented arithmetic on the summary.

RFM: recency (days since the last visit), frequency (visits) and monetary (sales) each scored 1–5
by quintile within the business (5 = best; ties share a score). The segment is read from the
recency × frequency grid below, the usual RFM grid (docs/analytics.md).

Loyalty (0–100) rates behaviour, not satisfaction: a weighted sum of five parts in [0, 1], and
the customer's latest "would you recommend us" answer (0–10) where there is one.

Satisfaction (0–100) is what the customer told us in the surveys after visits: their mean
"how satisfied were you" (1–5) mapped onto 0–100; none without an answer.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

Array = np.ndarray

#: (recency score, frequency score) → segment.
GRID: dict[tuple[int, int], str] = {}
for _r in range(1, 6):
    for _f in range(1, 6):
        if _r <= 2:
            _seg = "hibernating" if _f <= 2 else "at_risk" if _f <= 4 else "cant_lose"
        elif _r == 3:
            _seg = "about_to_sleep" if _f <= 2 else "need_attention" if _f == 3 else "loyal"
        elif _r == 4:
            _seg = "promising" if _f == 1 else "potential" if _f <= 3 else "loyal"
        else:
            _seg = "new" if _f == 1 else "potential" if _f <= 3 else "champions"
        GRID[(_r, _f)] = _seg

#: The share of the loyalty rating taken by the latest 0–10 recommend answer, when there is one
#: (behaviour keeps the rest: what people do weighs more than what they say).
RECOMMEND_WEIGHT = 0.20

#: Loyalty weights: repeat buying, tenure, still coming (rhythm), prepaid commitment, referrals.
LOYALTY_WEIGHTS = {
    "repeat": 0.30,
    "tenure": 0.15,
    "rhythm": 0.30,
    "prepaid": 0.15,
    "referrals": 0.10,
}


def scores(values: Array, *, higher_is_better: bool = True) -> Array:
    """1–5 by quintile of the average rank (ties share a score)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    ranked: Array = stats.rankdata(values if higher_is_better else -values, method="average")
    return np.clip(np.ceil(5 * ranked / len(values)), 1, 5).astype(np.int64)


def segments(recency_score: Array, frequency_score: Array) -> list[str]:
    table = np.empty((6, 6), dtype=object)
    for (r, f), name in GRID.items():
        table[r, f] = name
    return list(table[np.asarray(recency_score), np.asarray(frequency_score)])


def loyalty(
    *,
    repeat_visits: Array,
    tenure_days: Array,
    recency_days: Array,
    probability_alive: Array,
    prepaid: Array,
    referrals: Array,
    recommend: Array | None = None,
) -> Array:
    """0–100. Behaviour, from parts in [0, 1]:

    - repeat: 1 − 1/(1 + repeat visits) — 0 after one visit, ½ after two, ¾ after four;
    - tenure: the span from the first visit to the last, a year or more counting fully;
    - rhythm: the model's probability that the customer is still active; where the model is not
      trusted, 1 − days since the last visit / 365 (not below 0);
    - prepaid: 1 when the customer holds stored value or package sessions, else 0;
    - referrals: customers the customer brought, two or more counting fully;

    and where the customer has answered "would you recommend us" (`recommend`, 0–10; NaN where
    not): (1 − RECOMMEND_WEIGHT) × behaviour + RECOMMEND_WEIGHT × latest answer / 10.
    """
    repeat = 1.0 - 1.0 / (1.0 + np.asarray(repeat_visits, dtype=float))
    tenure = np.clip(np.asarray(tenure_days, dtype=float) / 365.0, 0.0, 1.0)
    fallback = np.clip(1.0 - np.asarray(recency_days, dtype=float) / 365.0, 0.0, 1.0)
    alive = np.asarray(probability_alive, dtype=float)
    rhythm = np.where(np.isfinite(alive), alive, fallback)
    held = (np.asarray(prepaid, dtype=float) > 0).astype(float)
    brought = np.clip(np.asarray(referrals, dtype=float) / 2.0, 0.0, 1.0)
    w = LOYALTY_WEIGHTS
    total = (
        w["repeat"] * repeat
        + w["tenure"] * tenure
        + w["rhythm"] * rhythm
        + w["prepaid"] * held
        + w["referrals"] * brought
    )
    if recommend is not None:
        said = np.asarray(recommend, dtype=float)
        answered = np.isfinite(said)
        blended = (1 - RECOMMEND_WEIGHT) * total + RECOMMEND_WEIGHT * np.clip(said, 0, 10) / 10
        total = np.where(answered, blended, total)
    return np.rint(100 * total).astype(np.int64)


def satisfaction(mean_satisfaction: Array) -> Array:
    """0–100 from the mean 1–5 satisfaction answer (1 → 0, 3 → 50, 5 → 100); NaN where the
    customer has not answered."""
    mean = np.asarray(mean_satisfaction, dtype=float)
    score: Array = np.rint(100 * (np.clip(mean, 1, 5) - 1) / 4)
    return score
