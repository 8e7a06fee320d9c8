"""Reads of sales data, scoped by `accounts.policy` like every customer read, and audited when
they show one customer's money."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound
from liuke.customers.models import Customer
from liuke.customers.profile import CustomerProfile
from liuke.customers.selectors import has_full_file
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import MONEY_METHODS, CardStatus, PaymentMethod, PaymentPurpose
from liuke.sales.commission_selectors import CommissionDay, day_commissions
from liuke.sales.models import (
    CardEntry,
    CardTier,
    Package,
    PackageEntry,
    PackageTemplate,
    Payment,
    Product,
    Refund,
    Service,
    StaffSkill,
    StoredValueCard,
    Visit,
    VisitLine,
)

_QS = TypeVar("_QS", bound=QuerySet[Any])


def _scoped(actor: User, qs: _QS, prefix: str = "customer") -> _QS:
    if not policy.can(actor, SalesCap.SALES_VIEW):
        return qs.none()
    return policy.scope_customers(actor, qs, prefix=prefix)


def _audit(actor: User, customer_id: int, what: str) -> None:
    audit_record(actor=actor, action="view", customer_ids=[customer_id], fields=[what])


# --- one customer -------------------------------------------------------------------------------


@dataclass
class CardView:
    card: StoredValueCard
    paid_fen: int
    bonus_fen: int

    @property
    def balance_fen(self) -> int:
        return self.paid_fen + self.bonus_fen


@dataclass
class PackageView:
    package: Package
    remaining: int
    #: whether the viewer sees the customer's file details (`FieldClass.FILE`): a package's
    #: name says what a key account is treated for, so without them it goes by its number
    details: bool = True

    @property
    def label(self) -> str:
        if self.details:
            return self.package.name
        return _("Package #%(id)d") % {"id": self.package.pk}

    @property
    def expired(self) -> bool:
        return bool(self.package.expires_on and self.package.expires_on < timezone.localdate())


@dataclass
class SalesSummary:
    visits: int
    spend_fen: int
    spend_12m_fen: int
    last_visit: dt.datetime | None
    next_visit: dt.datetime | None
    cards: list[CardView]
    packages: list[PackageView]

    @property
    def stored_value_fen(self) -> int:
        return sum(c.balance_fen for c in self.cards if c.card.status == CardStatus.ACTIVE)


def customer_sales_summary(*, actor: User, customer: Customer) -> SalesSummary | None:
    """Visits, spend (net of refunds), balances and packages of a customer the actor may see
    (None for roles that may not see financial figures: `finance.view`)."""
    if not policy.customer_visible(actor, customer):
        return None
    return _sales_summary(actor, customer, details=has_full_file(actor, customer))


def profile_sales_summary(*, profile: CustomerProfile) -> SalesSummary | None:
    """`customer_sales_summary` of a profile fetched once: already scoped and decided, so the
    customer is neither read nor checked again."""
    return _sales_summary(profile.actor, profile.customer, details=profile.full)


def _sales_summary(actor: User, customer: Customer, *, details: bool) -> SalesSummary | None:
    if not policy.sees_money(actor):
        return None
    visits = Visit.objects.filter(customer=customer)
    year_ago = timezone.now() - dt.timedelta(days=365)
    agg = visits.aggregate(
        n=Count("id"),
        total=Coalesce(Sum("total_fen"), 0),
        total_12m=Coalesce(Sum("total_fen", filter=Q(visited_at__gte=year_ago)), 0),
        last=Max("visited_at"),
    )
    refunds = Refund.objects.filter(visit__customer=customer).aggregate(
        total=Coalesce(Sum("amount_fen"), 0),
        total_12m=Coalesce(Sum("amount_fen", filter=Q(visit__visited_at__gte=year_ago)), 0),
    )
    upcoming = (
        visits.filter(next_visit_at__gt=timezone.now())
        .order_by("next_visit_at")
        .values_list("next_visit_at", flat=True)
        .first()
    )
    # Balances from each account's last ledger entry, in one query per kind of account (not one
    # per card or package: the profile's query count does not grow with the customer's cards).
    last_card = CardEntry.objects.filter(card=OuterRef("pk")).order_by("-seq")
    cards = [
        CardView(card, card.paid_now, card.bonus_now)
        for card in StoredValueCard.objects.filter(customer=customer)
        .select_related("tier")
        .annotate(
            paid_now=Coalesce(Subquery(last_card.values("paid_after_fen")[:1]), Value(0)),
            bonus_now=Coalesce(Subquery(last_card.values("bonus_after_fen")[:1]), Value(0)),
        )
        .order_by("id")
    ]
    last_pkg = PackageEntry.objects.filter(package=OuterRef("pk")).order_by("-seq")
    packages = [
        PackageView(p, p.remaining_now, details)
        for p in Package.objects.filter(customer=customer)
        .prefetch_related("services")
        .annotate(
            remaining_now=Coalesce(
                Subquery(last_pkg.values("sessions_after")[:1]),
                Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("id")
    ]
    _audit(actor, customer.pk, "sales_summary")
    return SalesSummary(
        visits=agg["n"],
        spend_fen=agg["total"] - refunds["total"],
        spend_12m_fen=agg["total_12m"] - refunds["total_12m"],
        last_visit=agg["last"],
        next_visit=upcoming,
        cards=cards,
        packages=packages,
    )


def visit_get(*, actor: User, visit_id: int) -> Visit:
    visit = (
        _scoped(actor, Visit.objects.all())
        .select_related("customer", "branch", "served_by", "created_by")
        .prefetch_related(
            "lines__service", "lines__product", "lines__staff", "payments__card", "refunds"
        )
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise NotFound()
    _audit(actor, visit.customer_id, f"visit:{visit.pk}")
    return visit


def customer_visits(*, actor: User, customer: Customer, limit: int = 50) -> list[Visit]:
    rows = list(
        _scoped(actor, Visit.objects.filter(customer=customer))
        .select_related("branch", "served_by")
        .order_by("-visited_at")[:limit]
    )
    if rows:
        _audit(actor, customer.pk, "visits")
    return rows


def card_get(*, actor: User, card_id: int) -> tuple[CardView, list[CardEntry]]:
    """A card with its latest entries: nothing on it but money (`FieldClass.MONEY`), so only
    for those who see money."""
    policy.require(actor, policy.Cap.FINANCE_VIEW)
    card = (
        _scoped(actor, StoredValueCard.objects.all())
        .select_related("customer", "tier", "branch")
        .filter(pk=card_id)
        .first()
    )
    if card is None:
        raise NotFound()
    entries = list(card.entries.select_related("staff").order_by("-seq")[:200])
    last = entries[0] if entries else None
    view = CardView(card, last.paid_after_fen if last else 0, last.bonus_after_fen if last else 0)
    _audit(actor, card.customer_id, f"card:{card.pk}")
    return view, entries


def package_get(*, actor: User, package_id: int) -> tuple[PackageView, list[PackageEntry]]:
    package = (
        _scoped(actor, Package.objects.all())
        .select_related("customer", "branch")
        .prefetch_related("services")
        .filter(pk=package_id)
        .first()
    )
    if package is None:
        raise NotFound()
    entries = list(package.entries.select_related("staff", "line").order_by("-seq")[:200])
    _audit(actor, package.customer_id, f"package:{package.pk}")
    remaining = entries[0].sessions_after if entries else 0
    return PackageView(package, remaining, has_full_file(actor, package.customer)), entries


# --- catalogue ----------------------------------------------------------------------------------


def services_for(*, actor: User, branch: Branch | None = None) -> list[Service]:
    """Active services with the branch's price in `price_fen` when it has its own."""
    if not policy.is_staff_member(actor):
        return []
    rows = list(Service.objects.filter(business_id=policy.business_of(actor), is_active=True))
    if branch is not None:
        own = dict(
            branch.prices.filter(service__isnull=False).values_list("service_id", "price_fen")
        )
        for s in rows:
            s.price_fen = own.get(s.pk, s.price_fen)
    return rows


def products_for(*, actor: User, branch: Branch | None = None) -> list[Product]:
    """Active products; with a branch, each carries `stock` (on hand there) and its price."""
    if not policy.is_staff_member(actor):
        return []
    qs = Product.objects.filter(business_id=policy.business_of(actor), is_active=True)
    rows = list(qs)
    if branch is not None:
        own = dict(
            branch.prices.filter(product__isnull=False).values_list("product_id", "price_fen")
        )
        for p in rows:
            p.price_fen = own.get(p.pk, p.price_fen)
            p.stock = ledger.stock_on_hand(p, branch)  # type: ignore[attr-defined]
    return rows


def eligible_performers(service: Service, branch: Branch) -> QuerySet[User]:
    """Who may perform `service` at `branch`: active staff of the service's business whose role
    performs it, who work at the branch (an owner works at every one) and, when the service
    lists skills (`StaffSkill`), who have it. Never an auditor: the role only reads. The
    checkout refuses anyone else, and the till offers only these."""
    qs = branch_sellers(branch).filter(
        business_id=service.business_id, role__in=list(service.performer_roles)
    )
    skills = StaffSkill.objects.filter(service=service)
    if skills.exists():
        qs = qs.filter(pk__in=skills.values("staff_id"))
    return qs.order_by("username")


def branch_sellers(branch: Branch) -> QuerySet[User]:
    """Active staff (never an auditor) who work at `branch`: who may sell a product there."""
    at_branch = User.branches.through.objects.filter(branch_id=branch.pk).values("user_id")
    return (
        User.objects.filter(business_id=branch.business_id, is_active=True)
        .exclude(role=Role.AUDITOR)
        .filter(Q(role__in=policy.ALL_BRANCH_ROLES) | Q(pk__in=at_branch))
        .order_by("username")
    )


def performers_for(*, actor: User, branch_id: int, service_id: int) -> list[User]:
    """The staff the till offers for a line of `service_id` at `branch_id` (one of the actor's
    branches; a service of the actor's business, retired ones too: packages still use them)."""
    policy.require(actor, SalesCap.SALE_CHECKOUT)
    business_id = policy.business_of(actor)
    branch = Branch.objects.filter(pk=branch_id, business_id=business_id).first()
    if branch is None or not policy.may_use_branch(actor, branch):
        raise NotFound(_("No such branch."))
    service = Service.objects.filter(pk=service_id, business_id=business_id).first()
    if service is None:
        raise NotFound(_("No such service."))
    return list(eligible_performers(service, branch))


# --- the daily close ----------------------------------------------------------------------------


@dataclass
class DailyClose:
    branch: Branch
    day: dt.date
    money_by_method: dict[str, int]
    money_by_purpose: dict[str, int]
    money_total_fen: int
    stored_value_used_fen: int
    package_sessions_used: int
    package_value_used_fen: int
    revenue_by_staff: list[tuple[str, int]]
    visits: int
    discounts_fen: int
    refunds: int
    refunds_fen: int
    refunds_by_reason: dict[str, int]
    stored_value_paid_liability_fen: int
    stored_value_bonus_outstanding_fen: int
    package_liability_fen: int
    package_sessions_outstanding: int
    commissions: CommissionDay | None = None  # by staff; the month's statements add up to these
    notes: list[str] = field(default_factory=list)


def day_window(branch: Branch, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The branch's local day as a UTC interval [start, end)."""
    tz = zoneinfo.ZoneInfo(branch.time_zone)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def daily_close(*, actor: User, branch_id: int, day: dt.date) -> DailyClose:
    """Money received by method and purpose, revenue by staff, stored value and package sessions
    used, refunds, and what is owed to customers at the end of the day (liabilities): the paid
    part of stored value not yet spent, and the unearned part of packages."""
    policy.require(actor, SalesCap.DAILY_CLOSE_VIEW)
    branch = policy.scope_branches(actor, Branch.objects.all()).filter(pk=branch_id).first()
    if branch is None:
        raise NotFound()
    start, end = day_window(branch, day)

    payments = Payment.objects.filter(branch=branch, created_at__gte=start, created_at__lt=end)
    by_method = {
        row["method"]: row["total"]
        for row in payments.filter(method__in=MONEY_METHODS)
        .values("method")
        .annotate(total=Sum("amount_fen"))
    }
    by_purpose = {
        row["purpose"]: row["total"]
        for row in payments.filter(method__in=MONEY_METHODS)
        .values("purpose")
        .annotate(total=Sum("amount_fen"))
    }
    # Stored-value payments of visits are positive, their refunds negative: the sum is what
    # was used, net of what went back onto the cards.
    sv_used = payments.filter(
        method=PaymentMethod.STORED_VALUE,
        purpose__in=[PaymentPurpose.VISIT, PaymentPurpose.REFUND],
    ).aggregate(t=Coalesce(Sum("amount_fen"), 0))["t"]
    visits = Visit.objects.filter(branch=branch, visited_at__gte=start, visited_at__lt=end)
    visit_agg = visits.aggregate(n=Count("id"), discounts=Coalesce(Sum("discount_fen"), 0))
    lines = VisitLine.objects.filter(visit__in=visits)
    pkg = lines.filter(package__isnull=False).aggregate(
        n=Coalesce(Sum(F("quantity") - F("refunded_quantity")), 0),
        value=Coalesce(Sum("package_value_fen", filter=Q(refunded_quantity=0)), 0),
    )
    revenue_by_staff = _revenue_by_staff(lines)
    refunds = Refund.objects.filter(
        business_id=branch.business_id,
        visit__branch=branch,
        created_at__gte=start,
        created_at__lt=end,
    )
    refund_agg = refunds.aggregate(n=Count("id"), total=Coalesce(Sum("amount_fen"), 0))
    by_reason = {
        r["reason"]: r["total"] for r in refunds.values("reason").annotate(total=Sum("amount_fen"))
    }

    # Liabilities at the end of the day, from each account's last ledger entry before `end`.
    card_agg = _card_liabilities(branch, end)
    pkg_liability, pkg_sessions = _package_liabilities(branch, end)
    return DailyClose(
        branch=branch,
        day=day,
        money_by_method={m: by_method.get(m, 0) for m in MONEY_METHODS},
        money_by_purpose=by_purpose,
        money_total_fen=sum(by_method.values()),
        stored_value_used_fen=sv_used,
        package_sessions_used=pkg["n"],
        package_value_used_fen=pkg["value"],
        revenue_by_staff=revenue_by_staff,
        visits=visit_agg["n"],
        discounts_fen=visit_agg["discounts"],
        refunds=refund_agg["n"],
        refunds_fen=refund_agg["total"],
        refunds_by_reason=by_reason,
        stored_value_paid_liability_fen=card_agg["paid"],
        stored_value_bonus_outstanding_fen=card_agg["bonus"],
        package_liability_fen=pkg_liability,
        package_sessions_outstanding=pkg_sessions,
        commissions=day_commissions(actor=actor, branch=branch, start=start, end=end),
    )


def _revenue_by_staff(lines: QuerySet[VisitLine]) -> list[tuple[str, int]]:
    """(staff member's name, money and package value of their lines), largest first."""
    staff_rows = (
        lines.values("staff_id", "staff__display_name", "staff__username")
        .annotate(
            money=Coalesce(Sum(F("amount_fen") - F("refunded_fen")), 0),
            sessions=Coalesce(Sum("package_value_fen", filter=Q(refunded_quantity=0)), 0),
        )
        .order_by("staff_id")
    )
    revenue_by_staff = sorted(
        (
            (r["staff__display_name"] or r["staff__username"] or "—", r["money"] + r["sessions"])
            for r in staff_rows
        ),
        key=lambda pair: -pair[1],
    )
    return revenue_by_staff


def _card_liabilities(branch: Branch, end: dt.datetime) -> dict[str, int]:
    """The paid and bonus parts left on the branch's stored-value cards at `end`."""
    last_card = CardEntry.objects.filter(card=OuterRef("pk"), created_at__lt=end).order_by("-seq")
    cards = StoredValueCard.objects.filter(branch=branch).annotate(
        paid=Coalesce(Subquery(last_card.values("paid_after_fen")[:1]), Value(0)),
        bonus=Coalesce(Subquery(last_card.values("bonus_after_fen")[:1]), Value(0)),
    )
    card_agg = {"paid": 0, "bonus": 0}
    for paid, bonus in cards.values_list("paid", "bonus").iterator(chunk_size=5000):
        card_agg["paid"] += paid
        card_agg["bonus"] += bonus
    return card_agg


def _package_liabilities(branch: Branch, end: dt.datetime) -> tuple[int, int]:
    """The unearned value (fen) and the sessions left of the branch's packages at `end`."""
    last_pkg = PackageEntry.objects.filter(package=OuterRef("pk"), created_at__lt=end).order_by(
        "-seq"
    )
    packages = Package.objects.filter(branch=branch, created_at__lt=end).annotate(
        remaining=Coalesce(
            Subquery(last_pkg.values("sessions_after")[:1]), Value(0), output_field=IntegerField()
        )
    )
    pkg_liability = 0
    pkg_sessions = 0
    for price, total, remaining in packages.values_list("price_fen", "sessions_total", "remaining"):
        used = total - remaining
        pkg_liability += price - price * used // total
        pkg_sessions += remaining
    return pkg_liability, pkg_sessions


# --- the first-run checklist's steps (liuke.sales.contrib) ---------------------------------------


def menu_exists(*, business_id: int) -> bool:
    """The business has a service on its menu."""
    return Service.objects.filter(business_id=business_id, is_active=True).exists()


def tiers_exist(*, business_id: int) -> bool:
    """The business has a card tier."""
    return CardTier.objects.filter(business_id=business_id).exists()


def templates_exist(*, business_id: int) -> bool:
    """The business has a package template to sell from."""
    return PackageTemplate.objects.filter(business_id=business_id, is_active=True).exists()
