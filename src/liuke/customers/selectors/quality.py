"""Data quality: likely duplicates, referrals, the stale queue and each branch's completeness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Max, Q

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.customers.models import Customer
from liuke.customers.selectors.access import _audit_read, visible_customers
from liuke.customers.selectors.search import Page, stale_cutoff, stale_q


def likely_duplicates(*, actor: User, customer: Customer, limit: int = 10) -> list[Customer]:
    """Customers that may be the same person: same mobile, same name and birthday, or a name
    that sounds the same (same pinyin) with the same birthday or phone suffix."""
    cond = Q()
    if customer.mobile:
        cond |= Q(mobile=customer.mobile)
    if customer.birthday:
        cond |= Q(name=customer.name, birthday=customer.birthday)
        if customer.name_pinyin:
            cond |= Q(name_pinyin=customer.name_pinyin, birthday=customer.birthday)
    if customer.mobile_last4 and customer.name_pinyin:
        cond |= Q(name_pinyin=customer.name_pinyin, mobile_last4=customer.mobile_last4)
    if not cond:
        return []
    found = list(
        visible_customers(actor)
        .filter(cond)
        .exclude(pk=customer.pk)
        .select_related("branch")[:limit]
    )
    _audit_read(actor, Action.LIST, found, "duplicates")
    return found


def customer_referrals(*, actor: User, customer: Customer, limit: int = 20) -> list[Customer]:
    """The customers this one brought in (that the actor may see)."""
    found = list(visible_customers(actor).filter(referrer=customer).order_by("-created_at")[:limit])
    _audit_read(actor, Action.LIST, found, "referrals")
    return found


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str  # "mobile" | "name_birthday"
    key: str
    customers: list[Customer]


def duplicate_groups(*, actor: User, limit: int = 50) -> list[DuplicateGroup]:
    """Groups of likely duplicates across the archive, for the merge page."""
    base = visible_customers(actor)
    groups: list[DuplicateGroup] = []
    by_mobile = (
        base.exclude(mobile="")
        .values("mobile")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("mobile")[:limit]
    )
    for row in by_mobile:
        members = list(base.filter(mobile=row["mobile"]).select_related("branch").order_by("id"))
        groups.append(DuplicateGroup("mobile", row["mobile"], members))
    by_name = (
        base.exclude(birthday=None)
        .values("name", "birthday")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("name")[:limit]
    )
    seen = {c.pk for g in groups for c in g.customers}
    for row in by_name:
        members = list(
            base.filter(name=row["name"], birthday=row["birthday"])
            .select_related("branch")
            .order_by("id")
        )
        if {c.pk for c in members} <= seen:
            continue
        groups.append(DuplicateGroup("name_birthday", f"{row['name']} {row['birthday']}", members))
    _audit_read(actor, Action.LIST, [c for g in groups for c in g.customers], "duplicates")
    return groups


def stale_queue(*, actor: User, page: int = 1, page_size: int = 25) -> Page:
    if actor.business is None:
        return Page([], page, False)
    qs = (
        visible_customers(actor)
        .filter(stale_q(actor.business))
        .select_related("branch", "owner")
        .order_by("verified_at", "id")
    )
    start = (page - 1) * page_size
    rows = list(qs[start : start + page_size + 1])
    _audit_read(actor, Action.LIST, rows[:page_size], "to_confirm")
    return Page(items=rows[:page_size], number=page, has_next=len(rows) > page_size)


@dataclass(frozen=True)
class BranchQuality:
    branch: Branch
    customers: int
    completeness: float
    stale: int
    stale_share: float


def branch_quality(*, actor: User) -> list[BranchQuality]:
    """Completeness and freshness per branch: how current each shop keeps its archive."""
    if actor.business is None or not policy.can(actor, policy.Cap.BRANCH_STATS_VIEW):
        return []
    branches = {b.pk: b for b in policy.scope_branches(actor, Branch.objects.all())}
    base = visible_customers(actor).filter(branch_id__in=list(branches))
    cutoff = stale_cutoff(actor.business)
    rows = base.values("branch_id").annotate(
        n=Count("id"),
        avg=Avg("completeness"),
        stale=Count("id", filter=Q(verified_at__isnull=True) | Q(verified_at__lt=cutoff)),
        last=Max("updated_at"),
    )
    out = []
    for row in rows:
        n = row["n"]
        out.append(
            BranchQuality(
                branch=branches[row["branch_id"]],
                customers=n,
                completeness=round(float(row["avg"] or 0), 1),
                stale=row["stale"],
                stale_share=round(100.0 * row["stale"] / n, 1) if n else 0.0,
            )
        )
    return sorted(out, key=lambda q: q.branch.code)


def quality_trend(*, actor: User, days: int = 30) -> list[Any]:
    """The nightly data-quality snapshots of the user's branches, newest first."""
    from liuke.customers.models import DataQualitySnapshot

    if not policy.can(actor, policy.Cap.BRANCH_STATS_VIEW):
        return []
    branches = policy.scope_branches(actor, Branch.objects.all())
    return list(
        DataQualitySnapshot.objects.filter(branch__in=branches)
        .select_related("branch")
        .order_by("-day", "branch__code")[: days * max(1, branches.count())]
    )
