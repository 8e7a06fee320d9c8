"""What the demo customers bought: cards, spending levels, and every visit's lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from liuke.accounts.choices import Role
from liuke.core.money import FEN_PER_YUAN, fen_from_yuan
from liuke.customers.choices import Source
from liuke.demo import data
from liuke.demo.simulate.columns import Visits
from liuke.demo.simulate.people import Identity, staff_by_branch
from liuke.demo.simulate.timeline import Timeline
from liuke.sales.models import ServiceCategory


@dataclass
class Purchases:
    visits: Visits
    favourite: np.ndarray  # each customer's usual beautician (staff index)
    has_card: np.ndarray
    source_code: np.ndarray  # index into SOURCES
    key_account: np.ndarray


SOURCES = [
    Source.WALK_IN.value,
    Source.REFERRAL.value,
    Source.ONLINE.value,
    Source.SOCIAL.value,
    Source.EVENT.value,
    Source.PARTNER.value,
    Source.OTHER.value,
]


def purchases(rng: np.random.Generator, t: Timeline, who: Identity) -> Purchases:
    n, branch, visit_count = len(who.names), who.branch, t.visit_count
    staff_branch = staff_by_branch()
    beauticians = [np.array(staff_branch[b][Role.BEAUTICIAN]) for b in range(len(data.BRANCHES))]
    favourite = np.empty(n, np.int64)
    for b, members in enumerate(beauticians):
        here = branch == b
        favourite[here] = members[rng.integers(0, len(members), here.sum())]

    has_card = rng.random(n) < np.where(visit_count > 1, 0.66, 0.3)
    discount = np.where(
        has_card,
        rng.choice(
            [0.95, 0.9, 0.88, 0.85, 0.8, 0.75], size=n, p=[0.15, 0.3, 0.2, 0.15, 0.12, 0.08]
        ),
        1.0,
    )
    level = rng.gamma(2.5, 1 / 2.5, n)
    source_code = rng.choice(len(SOURCES), size=n, p=[0.28, 0.20, 0.26, 0.12, 0.08, 0.03, 0.03])
    if n and source_code[0] == 1:
        source_code[0] = 0  # the first customer had nobody to be referred by
    trial_price = (source_code == 2) | (source_code == 4)

    visits = _lines(
        rng,
        v_customer=t.v_customer,
        v_at=t.v_at,
        v_first=t.v_first,
        home=branch,
        male=who.male,
        favourite=favourite,
        beauticians=beauticians,
        discount=discount,
        level=level,
        trial_price=trial_price,
    )
    spend = np.bincount(visits.customer, weights=visits.total_fen, minlength=n)
    key_account = np.zeros(n, bool)
    if n:
        key_account[np.argsort(-spend, kind="stable")[: max(1, round(0.03 * n))]] = True
    return Purchases(visits, favourite, has_card, source_code, key_account)


def _lines(
    rng: np.random.Generator,
    *,
    v_customer: np.ndarray,
    v_at: np.ndarray,
    v_first: np.ndarray,
    home: np.ndarray,
    male: np.ndarray,
    favourite: np.ndarray,
    beauticians: list[np.ndarray],
    discount: np.ndarray,
    level: np.ndarray,
    trial_price: np.ndarray,
) -> Visits:
    n_visits = len(v_at)
    categories = list(data.CATEGORY_WEIGHTS_F)
    w_f = np.array([data.CATEGORY_WEIGHTS_F[c] for c in categories])
    w_m = np.array([data.CATEGORY_WEIGHTS_M[c] for c in categories])
    cdf_f, cdf_m = np.cumsum(w_f) / w_f.sum(), np.cumsum(w_m) / w_m.sum()

    def category(is_male: np.ndarray) -> np.ndarray:
        u = rng.random(len(is_male))
        picked = np.where(
            is_male, np.searchsorted(cdf_m, u, "right"), np.searchsorted(cdf_f, u, "right")
        )
        return np.minimum(picked, len(categories) - 1)

    main = category(male)
    menu_arr, price, size, offset = _menu(categories)

    other_branch = rng.random(n_visits) < 0.05
    v_branch = np.where(other_branch, 1 - home[v_customer], home[v_customer]).astype(np.int8)
    two = rng.random(n_visits) < 0.35
    line_visit = np.concatenate([np.arange(n_visits), np.flatnonzero(two)])
    second = np.concatenate([np.zeros(n_visits, bool), np.ones(int(two.sum()), bool)])
    m = len(line_visit)
    cust = v_customer[line_visit]

    random_cat = category(male[cust])
    cat = np.where(~second & (rng.random(m) < 0.7), main[cust], random_cat)
    # Spenders lean to the pricier end of a category: u^(1/ν) moves towards 1 as ν grows.
    tilt = rng.random(m) ** (1 / level[cust])
    local = np.minimum((tilt * size[cat]).astype(np.int64), size[cat] - 1)
    pos = offset[cat] + local
    # Never the same service twice in one visit.
    first_pos = np.empty(n_visits, np.int64)
    first_pos[line_visit[~second]] = pos[~second]
    clash = second & (pos == first_pos[line_visit])
    pos[clash] = offset[cat[clash]] + (local[clash] + 1) % size[cat[clash]]
    spa = categories.index(ServiceCategory.SPA)
    still = second & (pos == first_pos[line_visit])
    pos[still] = offset[spa] + rng.integers(0, size[spa], int(still.sum()))
    service = menu_arr[pos]

    noise = np.where(rng.random(m) < 0.25, np.clip(rng.gamma(12, 1 / 12, m), 0.6, 1.8), 1.0)
    factor = discount[cust] * noise
    factor = np.where(v_first[line_visit] & trial_price[cust], 0.5, factor)
    # Whole yuan, as a salon prices after a discount.
    amount = (np.rint(price[pos] * factor / FEN_PER_YUAN) * FEN_PER_YUAN).astype(np.int64)

    b = v_branch[line_visit]
    staff = np.empty(m, np.int64)
    for br, members in enumerate(beauticians):
        here = b == br
        staff[here] = members[rng.integers(0, len(members), here.sum())]
    loyal = (b == home[cust]) & (rng.random(m) < 0.7)
    staff[loyal] = favourite[cust][loyal]

    return _chronological(
        v_customer, v_at, v_branch, line_visit, second, service=service, staff=staff, amount=amount
    )


def _menu(categories: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The menu sorted by category, then price: a category is a contiguous slice.

    Returns the services (indexes into data.SERVICES) in that order, their prices, and each
    category's size and first position."""
    menu = sorted(
        range(len(data.SERVICES)),
        key=lambda k: (categories.index(data.SERVICES[k][0]), data.SERVICES[k][3]),
    )
    price = np.array([fen_from_yuan(data.SERVICES[k][3]) for k in menu], np.int64)
    cat_of = np.array([categories.index(data.SERVICES[k][0]) for k in menu])
    size = np.bincount(cat_of, minlength=len(categories))
    return np.array(menu), price, size, np.cumsum(size) - size


def _chronological(
    v_customer: np.ndarray,
    v_at: np.ndarray,
    v_branch: np.ndarray,
    line_visit: np.ndarray,
    second: np.ndarray,
    *,
    service: np.ndarray,
    staff: np.ndarray,
    amount: np.ndarray,
) -> Visits:
    """Chronological ids, lines grouped by visit."""
    n_visits = len(v_at)
    order = np.argsort(v_at, kind="stable")
    rank = np.empty(n_visits, np.int64)
    rank[order] = np.arange(n_visits)
    line_order = np.argsort(rank[line_visit] * 2 + second, kind="stable")
    line_visit = rank[line_visit][line_order]
    service, staff, amount = service[line_order], staff[line_order], amount[line_order]
    total = np.bincount(line_visit, weights=amount, minlength=n_visits).astype(np.int64)
    served_by = staff[np.flatnonzero(np.r_[True, line_visit[1:] != line_visit[:-1]])]
    return Visits(
        customer=v_customer[order],
        at=v_at[order],
        branch=v_branch[order],
        served_by=served_by,
        total_fen=total,
        line_visit=line_visit,
        line_service=service,
        line_staff=staff,
        line_amount_fen=amount,
    )
