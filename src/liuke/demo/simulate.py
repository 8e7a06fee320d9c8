"""The demo salon's customers and two years of visits, as NumPy columns (no database here).

The repeat-buying process is the one the analytics app fits (BG/NBD with Gamma-Gamma spend):

* customers are acquired throughout the two years, a little faster as the salon grows; a
  customer's record is created at the first visit;
* while active, a customer visits as a Poisson process with rate λ ~ Gamma (about one visit every
  five weeks on average, very different from one customer to the next);
* after each visit a customer drops out for good with probability p ~ Beta (mean ≈ 0.15);
* each customer has a spending level ν ~ Gamma (mean 1): it tilts the choice within a category
  towards the pricier services; members pay their card's discount; online and event customers
  pay the 新客体验价 (half price) on the first visit.

Everything is drawn from one `numpy.random.Generator(PCG64(seed))` in a fixed order, so one seed
gives the same salon. Times are integer seconds since the epoch (UTC); visits fall inside the
opening hours in Asia/Shanghai (UTC+8 all year, no daylight saving) with afternoon and after-work
peaks and busier weekends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from liuke.accounts.choices import Role
from liuke.core.money import FEN_PER_YUAN, fen_from_yuan
from liuke.core.pinyin import name_keys
from liuke.customers.choices import FieldGroup, Gender, HairType, SkinType, Source
from liuke.demo import data
from liuke.sales.models import ServiceCategory

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


def simulate(*, customers: int, seed: int, now: dt.datetime) -> Salon:
    rng = np.random.Generator(np.random.PCG64(seed))
    n = int(customers)
    start, end = history_window(now)
    start_weekday = dt.datetime.fromtimestamp(start, SHANGHAI).weekday()

    # --- acquisition and the repeat-buying process ----------------------------------------------
    # density ∝ 1 + g·t/H on [0, H): a salon that grows; inverse of the quadratic CDF.
    growth, horizon = 1.0, float(HISTORY_DAYS)
    t0 = np.sort(
        (np.sqrt(1 + 2 * growth * rng.random(n) * (1 + growth / 2)) - 1) * horizon / growth
    )
    first = _visit_seconds(rng, t0, start, start_weekday)
    order = np.argsort(first, kind="stable")
    t0, first = t0[order], first[order]

    rate = rng.gamma(2.0, (1 / 35) / 2.0, n)  # visits per day while active
    dropout = rng.beta(1.3, 7.5, n)
    alive_for = rng.geometric(dropout) - 1  # repeat visits before dropping out
    window = horizon - t0
    arrivals = rng.poisson(rate * window)
    repeats = np.minimum(arrivals, alive_for)

    owner_of = np.repeat(np.arange(n), arrivals)
    days = t0[owner_of] + rng.random(len(owner_of)) * window[owner_of]
    # Sort within each customer: owner_of is sorted, so one sort of (owner, day) keys does it.
    days = np.sort(owner_of * 1024.0 + days) - owner_of * 1024.0
    starts = np.cumsum(arrivals) - arrivals
    rank = np.arange(len(owner_of)) - starts[owner_of]
    keep = rank < repeats[owner_of]
    rep_customer, rep_days = owner_of[keep], days[keep]
    rep_at = _visit_seconds(rng, rep_days, start, start_weekday)

    v_customer = np.concatenate([np.arange(n), rep_customer])
    v_at = np.concatenate([first, rep_at])
    v_first = np.concatenate([np.ones(n, bool), np.zeros(len(rep_at), bool)])
    by_customer = np.argsort(v_customer * (1 << 32) + (v_at - start), kind="stable")
    v_customer, v_at, v_first = v_customer[by_customer], v_at[by_customer], v_first[by_customer]
    # Never before the first visit (a weekend shift can move the first visit later), and one
    # visit per customer per day: drop the rare clashes.
    day_of = (v_at - start) // DAY
    first_day = (first - start) // DAY
    ok = v_first | ((v_at > first[v_customer]) & (day_of != first_day[v_customer]))
    v_customer, v_at, v_first, day_of = v_customer[ok], v_at[ok], v_first[ok], day_of[ok]
    same_day = np.zeros(len(v_at), bool)
    same_day[1:] = (v_customer[1:] == v_customer[:-1]) & (day_of[1:] == day_of[:-1])
    v_customer, v_at, v_first = v_customer[~same_day], v_at[~same_day], v_first[~same_day]
    visit_count = np.bincount(v_customer, minlength=n)
    last_visit = np.full(n, NO_TIME, np.int64)
    np.maximum.at(last_visit, v_customer, v_at)

    # --- who they are ----------------------------------------------------------------------------
    genders = [Gender.FEMALE.value, Gender.MALE.value, Gender.OTHER.value, Gender.UNKNOWN.value]
    gender_code = rng.choice(len(genders), size=n, p=[0.895, 0.09, 0.003, 0.012])
    surnames = [s for s, _w in data.SURNAMES]
    s_weights = np.array([w for _s, w in data.SURNAMES])
    surname = rng.choice(len(surnames), size=n, p=s_weights / s_weights.sum())
    given_f = rng.choice(len(data.GIVEN_F), size=n, p=_zipf(len(data.GIVEN_F)))
    given_m = rng.choice(len(data.GIVEN_M), size=n, p=_zipf(len(data.GIVEN_M)))
    names = [
        surnames[s] + (data.GIVEN_M[gm] if is_m else data.GIVEN_F[gf])
        for s, gf, gm, is_m in zip(
            surname.tolist(),
            given_f.tolist(),
            given_m.tolist(),
            (gender_code == 1).tolist(),
            strict=True,
        )
    ]

    today = np.datetime64(dt.datetime.fromtimestamp(end, SHANGHAI).date(), "D")
    age_days = (18 + 47 * rng.beta(2.2, 3.0, n)) * 365.25
    birthday = today - age_days.astype(np.int64).astype("timedelta64[D]")
    age = age_days / 365.25
    birthday[rng.random(n) < 0.08] = np.datetime64("NaT")

    mobile_numbers = _unique_mobiles(rng, n)
    mobile = [str(m) for m in mobile_numbers.tolist()]
    for i in np.flatnonzero(rng.random(n) < 0.01).tolist():
        mobile[i] = ""

    branch = (rng.random(n) >= data.BRANCH_SHARE[0]).astype(np.int8)

    # --- deliberate duplicates: the same person entered twice ------------------------------------
    n_dup = max(2, round(0.003 * n)) if n >= 20 else 0
    dup = np.sort(rng.choice(np.arange(n // 10, n), size=n_dup, replace=False))
    original = (rng.random(n_dup) * dup).astype(np.int64)
    same_mobile = rng.random(n_dup) < 0.55
    keep_birthday = rng.random(n_dup) < 0.5
    new_mobile = rng.random(n_dup) < 0.7
    for k, (j, i) in enumerate(zip(dup.tolist(), original.tolist(), strict=True)):
        names[j], gender_code[j] = names[i], gender_code[i]
        if same_mobile[k] and mobile[i]:
            mobile[j] = mobile[i]
            birthday[j] = birthday[i] if keep_birthday[k] else np.datetime64("NaT")
        else:
            if np.isnat(birthday[i]):
                birthday[i] = today - np.timedelta64(int(age_days[j]), "D")
            birthday[j] = birthday[i]
            if not new_mobile[k]:
                mobile[j] = ""
    male = gender_code == 1
    gender = [genders[g] for g in gender_code.tolist()]

    keys = {nm: name_keys(nm) for nm in set(names)}
    name_pinyin = [keys[nm][0] for nm in names]
    name_initials = [keys[nm][1] for nm in names]

    # --- visit lines: what they bought, from whom, for how much ----------------------------------
    staff_branch = _staff_by_branch()
    beauticians = [np.array(staff_branch[b][Role.BEAUTICIAN]) for b in range(len(data.BRANCHES))]
    front = [np.array(staff_branch[b][Role.FRONT_DESK]) for b in range(len(data.BRANCHES))]
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
    sources = [
        Source.WALK_IN.value,
        Source.REFERRAL.value,
        Source.ONLINE.value,
        Source.SOCIAL.value,
        Source.EVENT.value,
        Source.PARTNER.value,
        Source.OTHER.value,
    ]
    source_code = rng.choice(len(sources), size=n, p=[0.28, 0.20, 0.26, 0.12, 0.08, 0.03, 0.03])
    if n and source_code[0] == 1:
        source_code[0] = 0  # the first customer had nobody to be referred by
    trial_price = (source_code == 2) | (source_code == 4)

    visits = _lines(
        rng,
        v_customer=v_customer,
        v_at=v_at,
        v_first=v_first,
        home=branch,
        male=male,
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

    # --- relationship -----------------------------------------------------------------------------
    referral = np.flatnonzero((source_code == 1) & (rng.random(n) < 0.92))
    referral = referral[referral > 0]
    propensity = rng.gamma(0.4, 2.5, n) * (1 + np.minimum(visit_count, 20) / 4)
    cum = np.cumsum(propensity)
    referrer = np.full(n, -1, np.int64)
    pick = rng.random(len(referral)) * cum[referral - 1]
    referrer[referral] = np.minimum(np.searchsorted(cum, pick, side="right"), referral - 1)

    owner = np.full(n, -1, np.int64)
    owned = rng.random(n) < 0.86
    by_front = rng.random(n) < 0.22
    for b in range(len(data.BRANCHES)):
        here = owned & (branch == b)
        owner[here & ~by_front] = favourite[here & ~by_front]
        desk = here & by_front
        owner[desk] = front[b][rng.integers(0, len(front[b]), desk.sum())]

    card_numbers = rng.choice(90_000_000, size=int(has_card.sum()), replace=False) + 10_000_000
    card_no: list[str | None] = [None] * n
    for i, number in zip(np.flatnonzero(has_card).tolist(), card_numbers.tolist(), strict=True):
        card_no[i] = f"LY{number:08d}"
    for j in dup.tolist():
        card_no[j] = None  # the second registration never got a card

    wechat_id = _wechat_ids(rng, name_pinyin, birthday)

    # --- skin, hair, health, preferences ---------------------------------------------------------
    skin_type = _choose(
        rng, n, [SkinType.NORMAL, SkinType.DRY, SkinType.OILY, SkinType.COMBINATION,
                 SkinType.SENSITIVE], [0.2, 0.25, 0.15, 0.3, 0.1],
        present=rng.random(n) < np.where(male, 0.5, 0.82),
    )  # fmt: skip
    hair_type = _choose(
        rng, n, [HairType.NORMAL, HairType.DRY, HairType.OILY, HairType.FINE, HairType.THICK,
                 HairType.CURLY], [0.35, 0.25, 0.15, 0.1, 0.08, 0.07],
        present=rng.random(n) < 0.55,
    )  # fmt: skip
    allergies = _texts(rng, n, data.ALLERGIES, share=0.08, max_items=2, sep="；")
    pregnant = (gender_code == 0) & (age >= 23) & (age <= 40) & (rng.random(n) < 0.02)
    contraindications = _texts(rng, n, data.CONTRAINDICATIONS, share=0.02, max_items=1, sep="；")
    for i in np.flatnonzero(pregnant).tolist():
        contraindications[i] = data.CONTRAINDICATIONS_PREGNANT
    preferences = _texts(rng, n, data.PREFERENCES, share=0.6, max_items=3, sep="，")
    notes = _texts(rng, n, data.NOTES, share=0.1, max_items=1, sep="")

    # --- consent and verification ----------------------------------------------------------------
    later_visit = _random_visit(rng, v_customer, v_at, visit_count, n)
    marketing = rng.random(n) < 0.62
    marketing_at = np.where(marketing, first, NO_TIME)
    late = marketing & (rng.random(n) < 0.1) & (later_visit != NO_TIME)
    marketing_at[late] = later_visit[late]
    withdrawn = ~marketing & (rng.random(n) < 0.06) & (later_visit != NO_TIME)
    marketing_at[withdrawn] = later_visit[withdrawn]
    photo = rng.random(n) < 0.35
    photo_at = np.where(photo, first, NO_TIME)

    verified = {g: first.copy() for g in GROUPS}
    # Records imported from the old Excel list when the salon started: health, preferences
    # and consent were never confirmed with the customer.
    imported = (t0 < 45) & (rng.random(n) < 0.45)
    for never in (FieldGroup.HEALTH, FieldGroup.PREFERENCES, FieldGroup.CONSENT):
        verified[never][imported] = NO_TIME
    # At a later visit the front desk either confirms everything (the "to confirm" queue) or
    # staff confirm the one group they just talked about.
    returning = visit_count > 1
    full = returning & (rng.random(n) < 0.45)
    for g, share in zip(GROUPS, (0.25, 0.45, 0.5, 0.35, 0.3), strict=True):
        some = returning & ~full & (rng.random(n) < share)
        stamp = _random_visit(rng, v_customer, v_at, visit_count, n)
        verified[g][some] = np.maximum(verified[g][some], stamp[some])
        verified[g][full] = last_visit[full]
    changed = late | withdrawn
    verified[FieldGroup.CONSENT][changed] = np.maximum(
        verified[FieldGroup.CONSENT][changed], marketing_at[changed]
    )
    stamps = np.stack([verified[g] for g in GROUPS])
    verified_at = np.where((stamps == NO_TIME).any(axis=0), NO_TIME, stamps.min(axis=0))
    updated = np.maximum.reduce([first, stamps.max(axis=0), marketing_at, photo_at])

    cust = Customers(
        created=first,
        updated=updated,
        branch=branch,
        owner=owner,
        name=names,
        name_pinyin=name_pinyin,
        name_initials=name_initials,
        gender=gender,
        birthday=birthday,
        mobile=mobile,
        wechat_id=wechat_id,
        card_no=card_no,
        is_key_account=key_account,
        source=[sources[k] for k in source_code.tolist()],
        referrer=referrer,
        skin_type=skin_type,
        hair_type=hair_type,
        allergies=allergies,
        contraindications=contraindications,
        preferences=preferences,
        notes=notes,
        marketing_consent=marketing,
        marketing_consent_at=marketing_at,
        photo_consent=photo,
        photo_consent_at=photo_at,
        verified=verified,
        verified_at=verified_at,
        completeness=np.zeros(n, np.int64),
        tag_customer=np.zeros(0, np.int64),
        tag_index=np.zeros(0, np.int64),
        duplicates=dup,
    )
    cust.completeness = completeness_vector(cust)
    _tags(
        rng, cust, age=age, visit_count=visit_count, last_visit=last_visit, end=end,
        pregnant=pregnant, has_card=has_card,
    )  # fmt: skip
    return Salon(customers=cust, visits=visits, start=start, end=end)


def completeness_vector(c: Customers) -> np.ndarray:
    """`customers.services.completeness_of` for every customer at once (same weights table)."""
    from liuke.customers.services import COMPLETENESS_WEIGHTS

    n = c.count
    score = np.zeros(n, np.int64)
    for name, weight in COMPLETENESS_WEIGHTS.items():
        if name == "consent":
            filled = c.verified[FieldGroup.CONSENT] != NO_TIME
        elif name == "allergies":
            filled = _truthy(c.allergies) | (c.verified[FieldGroup.HEALTH] != NO_TIME)
        elif name == "owner_id":
            filled = c.owner >= 0
        elif name == "birthday":
            filled = ~np.isnat(c.birthday)
        else:
            filled = _truthy(getattr(c, name))
        score += np.where(filled, weight, 0)
    return score


def _truthy(values: Sequence[object] | np.ndarray) -> np.ndarray:
    return np.fromiter(map(bool, values), dtype=bool, count=len(values))


def _zipf(k: int) -> np.ndarray:
    """Weights for a list in rough order of popularity: the first names are the commonest."""
    w = 1.0 / (np.arange(k) + 8.0) ** 0.9
    weights: np.ndarray = w / w.sum()
    return weights


def _visit_seconds(
    rng: np.random.Generator, days: np.ndarray, start: int, start_weekday: int
) -> np.ndarray:
    """Epoch seconds for visits on (fractional) day offsets, inside the opening hours."""
    m = len(days)
    day = np.floor(days).astype(np.int64)
    weekday = (start_weekday + day) % 7
    # Weekends are busier: some Monday–Thursday visits move to the Saturday or Sunday.
    weekend = 5 - weekday + (rng.random(m) < 0.45)
    shift = np.where((weekday <= 3) & (rng.random(m) < 0.3), weekend, 0)
    day = np.where(day + shift < HISTORY_DAYS, day + shift, day)
    kind = rng.random(m)
    minutes = np.where(
        kind < 0.45,
        rng.normal(15 * 60, 90, m),
        np.where(kind < 0.8, rng.normal(19 * 60, 50, m), rng.uniform(600, 1230, m)),
    )
    minutes = np.clip(minutes, 600, 1230).astype(np.int64)  # 10:00–20:30 local
    moments: np.ndarray = start + day * DAY + minutes * 60 + rng.integers(0, 60, m)
    return moments


def _unique_mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    prefixes = np.array([int(p) for p, _w in data.MOBILE_PREFIXES], np.int64)
    weights = np.array([w for _p, w in data.MOBILE_PREFIXES], float)
    numbers = np.zeros(0, np.int64)
    while len(numbers) < n:
        need = n - len(numbers)
        fresh = prefixes[rng.choice(len(prefixes), need, p=weights / weights.sum())] * 10**8
        fresh += rng.integers(0, 10**8, need)
        merged = np.concatenate([numbers, fresh])
        _u, first_at = np.unique(merged, return_index=True)
        numbers = merged[np.sort(first_at)]
    return numbers


def _wechat_ids(rng: np.random.Generator, pinyin: list[str], birthday: np.ndarray) -> list[str]:
    n = len(pinyin)
    has = rng.random(n) < 0.45
    style = rng.random(n)
    digits = rng.integers(0, 10_000, n)
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789"))
    random_part = alphabet[rng.integers(0, len(alphabet), (n, 12))]
    mmdd = np.char.replace(np.datetime_as_string(birthday, unit="D"), "-", "")
    out = [""] * n
    for i in np.flatnonzero(has).tolist():
        if style[i] < 0.4:
            out[i] = "wxid_" + "".join(random_part[i])
        elif style[i] < 0.7 and not np.isnat(birthday[i]):
            out[i] = f"{pinyin[i]}{mmdd[i][4:]}"
        else:
            out[i] = f"{pinyin[i]}_{digits[i]}"
    return [w[:40] for w in out]


def _choose(
    rng: np.random.Generator, n: int, values: list[str], p: list[float], present: np.ndarray
) -> list[str]:
    picked = rng.choice(np.array(values, dtype=object), size=n, p=p)
    picked[~present] = ""
    chosen: list[str] = picked.tolist()
    return chosen


def _texts(
    rng: np.random.Generator,
    n: int,
    options: tuple[str, ...],
    *,
    share: float,
    max_items: int,
    sep: str,
) -> list[str]:
    has = rng.random(n) < share
    count = rng.integers(1, max_items + 1, n)
    picks = rng.integers(0, len(options), (n, max_items))
    out = [""] * n
    for i in np.flatnonzero(has).tolist():
        chosen = dict.fromkeys(options[k] for k in picks[i, : count[i]].tolist())
        out[i] = sep.join(chosen)
    return out


def _random_visit(
    rng: np.random.Generator, v_customer: np.ndarray, v_at: np.ndarray, count: np.ndarray, n: int
) -> np.ndarray:
    """For each customer, the time of one of their repeat visits (NO_TIME if none).

    Visits are sorted by customer, then time."""
    out = np.full(n, NO_TIME, np.int64)
    starts = np.cumsum(count) - count
    repeat = count > 1
    offset = 1 + (rng.random(n) * np.maximum(count - 1, 1)).astype(np.int64)
    out[repeat] = v_at[(starts + offset)[repeat]]
    return out


def _staff_by_branch() -> list[dict[str, list[int]]]:
    codes = [code for code, *_rest in data.BRANCHES]
    out: list[dict[str, list[int]]] = [{} for _ in codes]
    for k, (_u, _name, role, branches) in enumerate(data.STAFF):
        for code in branches:
            out[codes.index(code)].setdefault(role, []).append(k)
    return out


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

    # The menu sorted by category, then price: a category is a contiguous slice.
    menu = sorted(
        range(len(data.SERVICES)),
        key=lambda k: (categories.index(data.SERVICES[k][0]), data.SERVICES[k][3]),
    )
    menu_arr = np.array(menu)
    price = np.array([fen_from_yuan(data.SERVICES[k][3]) for k in menu], np.int64)
    cat_of = np.array([categories.index(data.SERVICES[k][0]) for k in menu])
    size = np.bincount(cat_of, minlength=len(categories))
    offset = np.cumsum(size) - size

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

    # Chronological ids, lines grouped by visit.
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


def _tags(
    rng: np.random.Generator,
    c: Customers,
    *,
    age: np.ndarray,
    visit_count: np.ndarray,
    last_visit: np.ndarray,
    end: int,
    pregnant: np.ndarray,
    has_card: np.ndarray,
) -> None:
    n = c.count
    r = rng.random((len(data.TAGS), n))
    sensitive = (np.array(c.skin_type, dtype=object) == SkinType.SENSITIVE) | _truthy(c.allergies)
    since_last = (end - last_visit) / DAY
    age_of_record = (end - c.created) / DAY
    rules = {
        "VIP": c.is_key_account,
        "敏感肌": sensitive & (r[1] < 0.7),
        "学生": (age <= 22) & (r[2] < 0.7),
        "孕期": pregnant,
        "新客": age_of_record <= 30,
        "老客": (age_of_record > 540) & (since_last <= 90),
        "储值会员": has_card & (visit_count >= 3) & (r[6] < 0.5),
        "需回访": (visit_count >= 3) & (since_last > 90) & (since_last <= 240) & (r[7] < 0.6),
    }
    customers, tags = [], []
    for k, name in enumerate(data.TAGS):
        members = np.flatnonzero(rules[name])
        customers.append(members)
        tags.append(np.full(len(members), k, np.int64))
    pairs_c, pairs_t = np.concatenate(customers), np.concatenate(tags)
    order = np.lexsort((pairs_t, pairs_c))
    c.tag_customer, c.tag_index = pairs_c[order], pairs_t[order]
