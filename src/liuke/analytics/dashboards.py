"""Reads for the dashboards: sums of the stored per-branch tables, and short lists walked along an
index of the stored figures. No request aggregates visits or the figures of every customer.

Aggregates (counts, sums) are not personal data: they need `analytics.view` and are limited to
the branches the user works in. Lists that name customers (key accounts, referrers and the
customers they brought) go through `policy.scope_customers` and are audited as lists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet, Sum

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.analytics.aggregates.rules import VALUE_BANDS_YUAN
from liuke.analytics.capabilities import AnalyticsCap
from liuke.analytics.models import (
    BranchTotals,
    CohortCell,
    CustomerFigures,
    RateDimension,
    RepeatRate,
    RevenueMonth,
    ValueBucket,
)
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.money import whole_yuan
from liuke.customers.models import Customer
from liuke.sales.models import Service

#: How many customers a ranked list shows, and how many referrers the network picture draws.
LIST_LIMIT = 50
NETWORK_REFERRERS = 30
NETWORK_NODES = 200


@dataclasses.dataclass(frozen=True)
class Scope:
    """The branches a dashboard adds up: one chosen branch, or all the user's."""

    branches: list[Branch]
    branch_id: int | None  # the chosen one, None for all the user's branches
    branch_ids: list[int]


def scope(actor: User, raw_branch: str | int | None) -> Scope:
    policy.require(actor, AnalyticsCap.ANALYTICS_VIEW)
    branches = list(policy.scope_branches(actor, Branch.objects.order_by("name")))
    try:
        chosen = int(raw_branch or 0) or None
    except (TypeError, ValueError):
        chosen = None
    ids = [b.pk for b in branches]
    if chosen not in ids:
        chosen = None
    return Scope(branches=branches, branch_id=chosen, branch_ids=[chosen] if chosen else ids)


def _rows(model: Any, where: Scope) -> QuerySet[Any]:
    rows: QuerySet[Any] = model.objects.filter(branch_id__in=where.branch_ids)
    return rows


# --- revenue ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Month:
    month: dt.date
    sales_fen: int
    refunds_fen: int
    visits: int

    @property
    def net_fen(self) -> int:
        return self.sales_fen - self.refunds_fen


def revenue(where: Scope) -> list[Month]:
    """Month by month, oldest first: sales, refunds, sales less refunds (fen)."""
    rows = (
        _rows(RevenueMonth, where)
        .values("month")
        .annotate(s=Sum("sales_fen"), r=Sum("refunds_fen"), v=Sum("visits"))
        .order_by("month")
    )
    return [Month(r["month"], int(r["s"]), int(r["r"]), int(r["v"])) for r in rows]


# --- repeat purchase and rebooking -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Rate:
    key_id: int
    label: str
    customers: int
    repeat_customers: int
    visits: int
    rebooked: int

    @property
    def repeat_pct(self) -> float | None:
        return round(100 * self.repeat_customers / self.customers, 1) if self.customers else None

    @property
    def rebooking_pct(self) -> float | None:
        return round(100 * self.rebooked / self.visits, 1) if self.visits else None


def rates(where: Scope) -> dict[str, list[Rate]]:
    """Per dimension (branch, staff, service), the groups with the most customers first. Rows
    of several branches are added up (a customer of two branches counts in each)."""
    sums: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in _rows(RepeatRate, where).values_list(
        "dimension", "key_id", "customers", "repeat_customers", "visits", "rebooked"
    ):
        total = sums[(r[0], r[1])]
        for i in range(4):
            total[i] += r[2 + i]
    labels = _labels(where, {key for _dim, key in sums}, sums)
    out: dict[str, list[Rate]] = {d: [] for d in RateDimension.values}
    for (dimension, key), (c, rc, v, rb) in sums.items():
        label = labels.get((dimension, key), f"#{key}")
        out[dimension].append(Rate(key, label, c, rc, v, rb))
    for rows in out.values():
        rows.sort(key=lambda r: (-r.customers, r.label))
    return out


def _labels(
    where: Scope, _keys: Iterable[int], sums: dict[tuple[str, int], Any]
) -> dict[tuple[str, int], str]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for dimension, key in sums:
        wanted[dimension].add(key)
    labels: dict[tuple[str, int], str] = {}
    for b in where.branches:
        labels[("branch", b.pk)] = b.name
    for user in User.objects.filter(pk__in=wanted["staff"]):
        labels[("staff", user.pk)] = str(user)
    for service in Service.objects.filter(pk__in=wanted["service"]).only("name"):
        labels[("service", service.pk)] = service.name
    return labels


# --- cohorts ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Cohorts:
    months: list[dt.date]  # the cohorts, oldest first
    sizes: list[int]  # customers first seen in each
    cells: list[list[float]]  # [offset, cohort index, percent retained, customers]
    offsets: int


def cohorts(where: Scope, months: int = 12) -> Cohorts:
    """The last `months` monthly cohorts: the share of each that came back k months later."""
    counts: dict[tuple[dt.date, int], int] = defaultdict(int)
    for cohort, offset, n in (
        _rows(CohortCell, where)
        .values("cohort", "offset")
        .annotate(n=Sum("customers"))
        .values_list("cohort", "offset", "n")
    ):
        counts[(cohort, offset)] += int(n)
    found = sorted({c for c, _ in counts})[-months:]
    cells: list[list[float]] = []
    sizes = []
    for i, month in enumerate(found):
        size = counts.get((month, 0), 0)
        sizes.append(size)
        for offset in range(1, months):
            n = counts.get((month, offset), 0)
            if (month, offset) in counts or _in_past(month, offset, found):
                cells.append([offset, i, round(100 * n / size, 1) if size else 0.0, n])
    return Cohorts(months=found, sizes=sizes, cells=cells, offsets=months)


def _in_past(month: dt.date, offset: int, found: list[dt.date]) -> bool:
    """Whether month + offset is not after the newest cohort month (an observed zero)."""
    if not found:
        return False
    last = found[-1]
    return (month.year * 12 + month.month + offset) <= (last.year * 12 + last.month)


# --- value distribution ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Bands:
    labels: list[str]  # "¥0–100", …, "¥100,000+"
    model: list[int]
    rule: list[int]


def value_bands(where: Scope) -> Bands:
    edges = VALUE_BANDS_YUAN
    labels = [f"¥{lo:,}–{hi:,}" for lo, hi in itertools.pairwise(edges)] + [f"¥{edges[-1]:,}+"]
    model = [0] * len(edges)
    rule = [0] * len(edges)
    for measure, bucket, n in (
        _rows(ValueBucket, where)
        .values("measure", "bucket")
        .annotate(n=Sum("customers"))
        .values_list("measure", "bucket", "n")
    ):
        (model if measure == "model" else rule)[bucket] += int(n)
    return Bands(labels=labels, model=model, rule=rule)


# --- totals ----------------------------------------------------------------------------------


def totals(where: Scope) -> dict[str, int]:
    fields = [
        f.name
        for f in BranchTotals._meta.concrete_fields
        if f.name not in ("id", "business", "branch", "potential_threshold_fen")
    ]
    found = _rows(BranchTotals, where).aggregate(**{f: Sum(f) for f in fields})
    out = {f: int(found[f] or 0) for f in fields}
    threshold = _rows(BranchTotals, where).values_list("potential_threshold_fen", flat=True)
    out["potential_threshold_fen"] = max(threshold, default=0)
    return out


# --- lists that name customers (scoped and audited) ------------------------------------------


def _figures(actor: User, where: Scope) -> QuerySet[CustomerFigures]:
    """The actor's customers' figures. The business (and branch) conditions on the figures
    themselves let the database walk the figures' ranking indexes; the customer's scope is
    checked on each row found (written so that no customer index is preferred to them)."""
    rows = policy.scope_customers(
        actor,
        CustomerFigures.objects.select_related("customer", "customer__owner"),
        "customer",
        for_search=True,
    ).filter(business_id=policy.business_of(actor))
    return rows.filter(branch_id=where.branch_id) if where.branch_id else rows


def _audit(actor: User, ids: Iterable[int], what: str) -> None:
    ids = list(ids)
    if ids:
        audit_record(actor=actor, action=Action.LIST, customer_ids=ids, fields=[what])


@dataclasses.dataclass(frozen=True)
class KeyAccounts:
    key: list[CustomerFigures]  # key accounts, most worth first
    unowned: list[CustomerFigures]  # key accounts nobody looks after
    potential: list[CustomerFigures]  # high worth, not (yet) key accounts
    threshold_fen: int


def key_accounts(actor: User, where: Scope, limit: int = LIST_LIMIT) -> KeyAccounts:
    """Key accounts (at the last refresh) ranked by worth, those without a responsible staff
    member, and the potential ones; the current status and owner are shown (audited)."""
    threshold = totals(where)["potential_threshold_fen"]
    rows = _figures(actor, where).order_by("-worth_fen", "customer_id")
    # Each list walks a small partial index of the figures (key accounts; potential ones).
    key = list(rows.filter(key_account=True)[:limit])
    unowned = list(rows.filter(key_account=True, customer__owner__isnull=True)[:limit])
    potential = list(
        rows.filter(potential_key_account=True, customer__is_key_account=False)[:limit]
    )
    _audit(actor, (f.customer_id for f in [*key, *unowned, *potential]), "key_accounts")
    return KeyAccounts(key=key, unowned=unowned, potential=potential, threshold_fen=threshold)


@dataclasses.dataclass(frozen=True)
class Referrals:
    top: list[CustomerFigures]  # who brought the most customers
    nodes: list[dict[str, Any]]  # the network picture (ECharts graph)
    links: list[dict[str, Any]]


def referrals(actor: User, where: Scope, limit: int = 20) -> Referrals:
    """The top referrers, and who brought whom among the customers the user may see: the
    NETWORK_REFERRERS biggest referrers and the customers they brought, at most NETWORK_NODES
    customers in the picture (audited)."""
    ranked = _figures(actor, where).filter(referred_count__gt=0)
    ranked = ranked.order_by("-referred_count", "-referred_worth_fen", "customer_id")
    top = list(ranked[: max(limit, NETWORK_REFERRERS)])
    hubs = top[:NETWORK_REFERRERS]
    brought = list(
        policy.scope_customers(actor, Customer.objects.all())
        .filter(referrer_id__in=[f.customer_id for f in hubs])
        .order_by("referrer_id", "pk")
        .values_list("pk", "name", "referrer_id")[: NETWORK_NODES - len(hubs)]
    )
    worth = dict(
        CustomerFigures.objects.filter(customer_id__in=[b[0] for b in brought]).values_list(
            "customer_id", "worth_fen"
        )
    )
    nodes: dict[int, dict[str, Any]] = {}
    for f in hubs:
        nodes[f.customer_id] = {
            "id": str(f.customer_id),
            "name": f.customer.name,
            "category": 0,
            "value": whole_yuan(f.worth_fen),
            "referred": f.referred_count,
        }
    links = []
    for pk, name, referrer in brought:
        nodes.setdefault(
            pk,
            {
                "id": str(pk),
                "name": name,
                "category": 1,
                "value": whole_yuan(worth.get(pk, 0)),
                "referred": 0,
            },
        )
        links.append({"source": str(referrer), "target": str(pk)})
    top = top[:limit]
    _audit(actor, {*nodes, *(f.customer_id for f in top)}, "referrals")
    return Referrals(top=top, nodes=list(nodes.values()), links=links)
