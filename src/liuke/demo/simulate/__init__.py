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

import numpy as np

from liuke.demo.simulate.columns import Customers, Salon, completeness_vector, history_window
from liuke.demo.simulate.consent import consent
from liuke.demo.simulate.people import health, identities, relationships, tags
from liuke.demo.simulate.purchases import SOURCES, purchases
from liuke.demo.simulate.timeline import timeline


def simulate(*, customers: int, seed: int, now: dt.datetime) -> Salon:
    """The salon for `seed`: the steps draw from one generator, in this order."""
    rng = np.random.Generator(np.random.PCG64(seed))
    n = int(customers)
    start, end = history_window(now)
    t = timeline(rng, n, start)
    who = identities(rng, n, end)
    buy = purchases(rng, t, who)
    rel = relationships(
        rng,
        who,
        visit_count=t.visit_count,
        source_code=buy.source_code,
        favourite=buy.favourite,
        has_card=buy.has_card,
    )
    body = health(rng, who)
    agreed = consent(rng, t, n)
    cust = Customers(
        created=t.first,
        updated=agreed.updated,
        branch=who.branch,
        owner=rel.owner,
        name=who.names,
        name_pinyin=who.name_pinyin,
        name_initials=who.name_initials,
        gender=who.gender,
        birthday=who.birthday,
        mobile=who.mobile,
        wechat_id=rel.wechat_id,
        card_no=rel.card_no,
        is_key_account=buy.key_account,
        source=[SOURCES[k] for k in buy.source_code.tolist()],
        referrer=rel.referrer,
        skin_type=body.skin_type,
        hair_type=body.hair_type,
        allergies=body.allergies,
        contraindications=body.contraindications,
        preferences=body.preferences,
        notes=body.notes,
        marketing_consent=agreed.marketing,
        marketing_consent_at=agreed.marketing_at,
        photo_consent=agreed.photo,
        photo_consent_at=agreed.photo_at,
        verified=agreed.verified,
        verified_at=agreed.verified_at,
        completeness=np.zeros(n, np.int64),
        tag_customer=np.zeros(0, np.int64),
        tag_index=np.zeros(0, np.int64),
        duplicates=who.duplicates,
    )
    cust.completeness = completeness_vector(cust)
    tags(
        rng, cust, age=who.age, visit_count=t.visit_count, last_visit=t.last_visit, end=end,
        pregnant=body.pregnant, has_card=buy.has_card,
    )  # fmt: skip
    return Salon(customers=cust, visits=buy.visits, start=start, end=end)
