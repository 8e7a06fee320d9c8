"""When the demo customers consented, and when each group of their data was last confirmed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from liuke.customers.choices import FieldGroup
from liuke.demo.simulate.columns import GROUPS, NO_TIME
from liuke.demo.simulate.timeline import Timeline, random_visit


@dataclass
class Consent:
    marketing: np.ndarray
    marketing_at: np.ndarray  # seconds, NO_TIME for none
    photo: np.ndarray
    photo_at: np.ndarray
    verified: dict[str, np.ndarray]  # group → seconds, NO_TIME for never
    verified_at: np.ndarray
    updated: np.ndarray


def consent(rng: np.random.Generator, t: Timeline, n: int) -> Consent:
    first, visit_count, last_visit, t0 = t.first, t.visit_count, t.last_visit, t.t0
    later_visit = random_visit(rng, t, n)
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
        stamp = random_visit(rng, t, n)
        verified[g][some] = np.maximum(verified[g][some], stamp[some])
        verified[g][full] = last_visit[full]
    changed = late | withdrawn
    verified[FieldGroup.CONSENT][changed] = np.maximum(
        verified[FieldGroup.CONSENT][changed], marketing_at[changed]
    )
    stamps = np.stack([verified[g] for g in GROUPS])
    verified_at = np.where((stamps == NO_TIME).any(axis=0), NO_TIME, stamps.min(axis=0))
    updated = np.maximum.reduce([first, stamps.max(axis=0), marketing_at, photo_at])
    return Consent(marketing, marketing_at, photo, photo_at, verified, verified_at, updated)
