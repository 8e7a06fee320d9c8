"""The customer brief (001 灵活运用: put the archive in front-line hands): for each customer
expected today, one screen with what the staff member who serves them must know first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import PermissionDenied
from liuke.core.registry import BriefCases, import_dotted, registry
from liuke.customers.models import Customer
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.choices import FollowUpStatus, Outcome, TaskStatus
from liuke.engagement.models import FollowUp, Task
from liuke.sales import selectors as sales_selectors
from liuke.sales.models import Visit

#: Spend over the last twelve months (fen) from which a customer is in tier A or B.
TIER_A_FEN = 1_000_000
TIER_B_FEN = 300_000
BIRTHDAY_SOON_DAYS = 14


@dataclass
class Expected:
    customer: Customer
    at: dt.datetime
    why: str  # "visited" or "booked"
    #: the visit that booked them or that they came in for
    visit: Visit | None = None


def expected_today(*, actor: User, branch: Branch, day: dt.date | None = None) -> list[Expected]:
    """The customers of `branch` expected on `day` (`expected_in` for one branch)."""
    if not policy.can(actor, EngagementCap.ENGAGEMENT_VIEW) or not policy.may_use_branch(
        actor, branch
    ):
        raise PermissionDenied()
    return expected_in(actor=actor, branches=[branch], day=day)


def expected_in(
    *,
    actor: User,
    branches: Sequence[Branch],
    day: dt.date | None = None,
    mine: bool = False,
    what: str = "brief_today",
) -> list[Expected]:
    """The customers of `branches` (in the actor's scope) expected on `day`, earliest first: the
    ones booked for it at an earlier checkout, and the ones who have come in already. The one
    seam the appointments app fills when it exists. `mine`: only those the actor looks after,
    served or performed a service for on that visit (a beautician's own day). Two queries,
    whatever the number of branches; audited as a list (`what`)."""
    if not policy.can(actor, EngagementCap.ENGAGEMENT_VIEW) or not branches:
        return []
    tz = ZoneInfo(branches[0].time_zone)
    day = day or timezone.localdate(timezone.now(), tz)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    visits = (
        policy.scope_customers(actor, Visit.objects.all(), prefix="customer")
        .filter(branch__in=branches)
        .select_related("customer")
        .order_by("visited_at", "id")
    )
    if mine:
        visits = visits.filter(
            Q(customer__owner=actor) | Q(served_by=actor) | Q(lines__staff=actor)
        ).distinct()
    found: dict[int, Expected] = {}
    for v in visits.filter(next_visit_at__gte=start, next_visit_at__lt=end).filter(
        visited_at__gte=start - dt.timedelta(days=180)
    ):
        assert v.next_visit_at is not None
        found.setdefault(v.customer_id, Expected(v.customer, v.next_visit_at, "booked", v))
    for v in visits.filter(visited_at__gte=start, visited_at__lt=end):
        found.setdefault(v.customer_id, Expected(v.customer, v.visited_at, "visited", v))
    rows = sorted(found.values(), key=lambda e: e.at)
    if rows:
        audit_record(
            actor=actor,
            action=Action.LIST,
            customer_ids=[e.customer.pk for e in rows],
            fields=[what],
        )
    return rows


@dataclass
class Brief:
    customer: Customer
    visits: list[Visit]
    followups: list[FollowUp]
    tasks: list[Task]
    complaints: list[Task]
    sales: Any
    tier: str
    birthday_in_days: int | None
    actions: list[str] = field(default_factory=list)
    #: the field groups to confirm with the customer while they are here (data quality)
    stale: list[str] = field(default_factory=list)
    #: Open matters other apps contribute (liuke.core.registry.BriefCases: the complaints app's
    #: unresolved cases), each with its items, for those who hold the capability.
    cases: list[tuple[BriefCases, list[Any]]] = field(default_factory=list)

    @property
    def has_cases(self) -> bool:
        return any(items for _kind, items in self.cases)


def _days_to_birthday(birthday: dt.date | None, today: dt.date) -> int | None:
    if birthday is None:
        return None
    for year in (today.year, today.year + 1):
        try:
            next_day = birthday.replace(year=year)
        except ValueError:  # 29 February in a common year: celebrated on the 28th
            next_day = dt.date(year, 2, 28)
        if next_day >= today:
            return (next_day - today).days
    return None


def customer_brief(*, actor: User, customer_id: Any) -> Brief:
    """One customer's brief, audited as a read of the profile ("brief")."""
    policy.require(actor, EngagementCap.ENGAGEMENT_VIEW)
    from liuke.customers import selectors as customer_selectors

    # Scoped, audited ("brief", or "brief:card"), and with the field rules applied: on a key
    # account seen without a grant, only the card (and a serving beautician's allergies) shows.
    file = customer_selectors.customer_file(actor=actor, customer_id=customer_id, purpose="brief")
    customer = file.masked()
    visits = list(
        Visit.objects.filter(customer=customer)
        .select_related("served_by", "branch")
        .prefetch_related("lines__service", "lines__staff")
        .order_by("-visited_at")[:3]
    )
    followups = list(
        FollowUp.objects.filter(customer=customer, status=FollowUpStatus.OPEN)
        .select_related("rule", "assignee")
        .order_by("due_on")
    )
    for f in followups:
        f.customer = customer  # the same row: no query per follow-up
    open_tasks = list(
        Task.objects.filter(customer=customer, status=TaskStatus.OPEN)
        .select_related("contact__reason", "assignee")
        .order_by("due_at")
    )
    complaints = [
        t for t in open_tasks if t.contact is not None and t.contact.outcome == Outcome.COMPLAINT
    ]
    if not file.full:  # a contact's notes are file details (policy.FieldClass.FILE)
        for t in complaints:
            if t.contact is not None:
                t.contact.notes = ""
    sales = sales_selectors.customer_sales_summary(actor=actor, customer=customer)
    spend = sales.spend_12m_fen if sales is not None else 0
    tier = "A" if spend >= TIER_A_FEN else "B" if spend >= TIER_B_FEN else "C"
    today = timezone.localdate()
    birthday_in = _days_to_birthday(customer.birthday, today)
    brief = Brief(
        customer=customer,
        visits=visits,
        followups=followups,
        tasks=[t for t in open_tasks if t not in complaints],
        complaints=complaints,
        sales=sales,
        tier=tier,
        birthday_in_days=birthday_in if birthday_in is not None and birthday_in <= 14 else None,
    )
    if file.full:  # a key account's card: no cases
        brief.cases = [
            (kind, import_dotted(kind.fetch)(actor=actor, customer=customer))
            for kind in registry.items("brief_cases")
            if policy.can(actor, kind.capability)
        ]
    if file.full:
        brief.stale = customer_selectors.stale_labels(file.customer, actor.business)
    brief.actions = suggested_actions(brief, today)
    return brief


def suggested_actions(brief: Brief, today: dt.date) -> list[str]:
    """What to do while the customer is here, most important first (P4: win the next order at
    every contact; P12: start with yes)."""
    out: list[str] = []
    if brief.complaints:
        out.append(
            _("Resolve the open complaint first: ask how things are now and what would help.")
        )
    for kind, items in brief.cases:
        if items and str(kind.action) not in out:
            out.append(str(kind.action))
    if brief.customer.allergies or brief.customer.contraindications:
        out.append(_("Check the allergies and contraindications before choosing products."))
    if brief.birthday_in_days is not None:
        out.append(
            _("Birthday in %(n)d days: offer the birthday treat.") % {"n": brief.birthday_in_days}
            if brief.birthday_in_days
            else _("Birthday today: wish a happy birthday and offer the birthday treat.")
        )
    if brief.followups:
        out.append(_("Ask how the last treatment went (a follow-up is open) and note the answer."))
    sales = brief.sales
    if sales is not None:
        for view in sales.packages:
            expires = view.package.expires_on
            if view.remaining and expires and (expires - today).days <= 30 and expires >= today:
                out.append(
                    _("%(name)s: %(n)d sessions left, expires %(date)s: book them in.")
                    % {"name": view.label, "n": view.remaining, "date": expires}
                )
        if not sales.next_visit:
            out.append(_("Book the next visit before the customer leaves."))
    if not out:
        out.append(_("Book the next visit before the customer leaves."))
    return out
