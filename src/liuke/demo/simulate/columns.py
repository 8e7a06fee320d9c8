"""The demo salon as NumPy columns: what `simulate` returns and the generator writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from liuke.customers.choices import FieldGroup

DAY = 86_400
HISTORY_DAYS = 730
SHANGHAI = ZoneInfo("Asia/Shanghai")
GROUPS: tuple[str, ...] = tuple(FieldGroup.values)
NO_TIME = -1  # "NULL" in the int64 time columns


@dataclass
class Customers:
    """One entry per customer, in id order (= order of the first visit)."""

    created: np.ndarray  # int64 seconds
    updated: np.ndarray
    branch: np.ndarray  # index into data.BRANCHES
    owner: np.ndarray  # index into data.STAFF, -1 for none
    name: list[str]
    name_pinyin: list[str]
    name_initials: list[str]
    gender: list[str]
    birthday: np.ndarray  # datetime64[D], NaT for none
    mobile: list[str]
    wechat_id: list[str]
    card_no: list[str | None]
    is_key_account: np.ndarray
    source: list[str]
    referrer: np.ndarray  # customer index, -1 for none
    skin_type: list[str]
    hair_type: list[str]
    allergies: list[str]
    contraindications: list[str]
    preferences: list[str]
    notes: list[str]
    marketing_consent: np.ndarray
    marketing_consent_at: np.ndarray  # int64 seconds, NO_TIME for none
    photo_consent: np.ndarray
    photo_consent_at: np.ndarray
    verified: dict[str, np.ndarray]  # group → int64 seconds, NO_TIME for never
    verified_at: np.ndarray
    completeness: np.ndarray
    tag_customer: np.ndarray  # (customer index, tag index) pairs
    tag_index: np.ndarray
    duplicates: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def count(self) -> int:
        return len(self.name)


@dataclass
class Visits:
    """One entry per visit, in id order (chronological); lines in id order, grouped by visit."""

    customer: np.ndarray
    at: np.ndarray  # int64 seconds
    branch: np.ndarray
    served_by: np.ndarray  # index into data.STAFF
    total_fen: np.ndarray
    line_visit: np.ndarray  # index into the visits above
    line_service: np.ndarray  # index into data.SERVICES
    line_staff: np.ndarray
    line_amount_fen: np.ndarray

    @property
    def count(self) -> int:
        return len(self.at)


@dataclass
class Salon:
    customers: Customers
    visits: Visits
    start: int  # seconds: local midnight two years ago
    end: int  # seconds: local midnight today; every visit is before it


def history_window(now: dt.datetime) -> tuple[int, int]:
    """(start, end) in epoch seconds: the two years of local days that end before today."""
    today = now.astimezone(SHANGHAI).date()
    end = int(dt.datetime.combine(today, dt.time(0), tzinfo=SHANGHAI).timestamp())
    return end - HISTORY_DAYS * DAY, end


def completeness_vector(c: Customers) -> np.ndarray:
    """`customers.services.completeness_of` for every customer at once (same weights table)."""
    from liuke.customers.services import COMPLETENESS_WEIGHTS

    n = c.count
    score = np.zeros(n, np.int64)
    for name, weight in COMPLETENESS_WEIGHTS.items():
        if name == "consent":
            filled = c.verified[FieldGroup.CONSENT] != NO_TIME
        elif name == "allergies":
            filled = truthy(c.allergies) | (c.verified[FieldGroup.HEALTH] != NO_TIME)
        elif name == "owner_id":
            filled = c.owner >= 0
        elif name == "birthday":
            filled = ~np.isnat(c.birthday)
        else:
            filled = truthy(getattr(c, name))
        score += np.where(filled, weight, 0)
    return score


def truthy(values: Sequence[object] | np.ndarray) -> np.ndarray:
    return np.fromiter(map(bool, values), dtype=bool, count=len(values))
