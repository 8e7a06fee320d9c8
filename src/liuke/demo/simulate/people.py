"""Who the demo customers are: names, birthdays, phones, duplicates, health, relations, tags."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from liuke.accounts.choices import Role
from liuke.core.pinyin import name_keys
from liuke.customers.choices import Gender, HairType, SkinType
from liuke.demo import data
from liuke.demo.simulate.columns import DAY, SHANGHAI, Customers, truthy


@dataclass
class Identity:
    """Per customer, in id order."""

    names: list[str]
    gender_code: np.ndarray  # index into GENDERS
    gender: list[str]
    male: np.ndarray
    birthday: np.ndarray  # datetime64[D], NaT for none
    age: np.ndarray  # years
    mobile: list[str]
    branch: np.ndarray
    duplicates: np.ndarray  # customers entered a second time
    name_pinyin: list[str]
    name_initials: list[str]


@dataclass
class Health:
    skin_type: list[str]
    hair_type: list[str]
    allergies: list[str]
    contraindications: list[str]
    pregnant: np.ndarray
    preferences: list[str]
    notes: list[str]


@dataclass
class Relations:
    referrer: np.ndarray  # customer index, -1 for none
    owner: np.ndarray  # staff index, -1 for none
    card_no: list[str | None]
    wechat_id: list[str]


GENDERS = [Gender.FEMALE.value, Gender.MALE.value, Gender.OTHER.value, Gender.UNKNOWN.value]


def identities(rng: np.random.Generator, n: int, end: int) -> Identity:
    gender_code = rng.choice(len(GENDERS), size=n, p=[0.895, 0.09, 0.003, 0.012])
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
    gender = [GENDERS[g] for g in gender_code.tolist()]

    keys = {nm: name_keys(nm) for nm in set(names)}
    name_pinyin = [keys[nm][0] for nm in names]
    name_initials = [keys[nm][1] for nm in names]
    return Identity(
        names=names,
        gender_code=gender_code,
        gender=gender,
        male=male,
        birthday=birthday,
        age=age,
        mobile=mobile,
        branch=branch,
        duplicates=dup,
        name_pinyin=name_pinyin,
        name_initials=name_initials,
    )


def relationships(
    rng: np.random.Generator,
    who: Identity,
    *,
    visit_count: np.ndarray,
    source_code: np.ndarray,
    favourite: np.ndarray,
    has_card: np.ndarray,
) -> Relations:
    """Who referred whom, who is responsible for each customer, card numbers, WeChat ids."""
    n, branch = len(who.names), who.branch
    front = [np.array(staff_by_branch()[b][Role.FRONT_DESK]) for b in range(len(data.BRANCHES))]
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
    for j in who.duplicates.tolist():
        card_no[j] = None  # the second registration never got a card

    wechat_id = _wechat_ids(rng, who.name_pinyin, who.birthday)
    return Relations(referrer=referrer, owner=owner, card_no=card_no, wechat_id=wechat_id)


def health(rng: np.random.Generator, who: Identity) -> Health:
    """Skin, hair, allergies and contraindications, preferences, notes."""
    n, male, gender_code, age = len(who.names), who.male, who.gender_code, who.age
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
    return Health(
        skin_type=skin_type,
        hair_type=hair_type,
        allergies=allergies,
        contraindications=contraindications,
        pregnant=pregnant,
        preferences=preferences,
        notes=notes,
    )


def staff_by_branch() -> list[dict[str, list[int]]]:
    """Per branch, role → indexes into data.STAFF."""
    codes = [code for code, *_rest in data.BRANCHES]
    out: list[dict[str, list[int]]] = [{} for _ in codes]
    for k, (_u, _name, role, branches) in enumerate(data.STAFF):
        for code in branches:
            out[codes.index(code)].setdefault(role, []).append(k)
    return out


def _zipf(k: int) -> np.ndarray:
    """Weights for a list in rough order of popularity: the first names are the commonest."""
    w = 1.0 / (np.arange(k) + 8.0) ** 0.9
    weights: np.ndarray = w / w.sum()
    return weights


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


def tags(
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
    sensitive = (np.array(c.skin_type, dtype=object) == SkinType.SENSITIVE) | truthy(c.allergies)
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
