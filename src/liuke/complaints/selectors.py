"""Every read of the complaints app. Each selector takes the acting user, goes through
`accounts.policy` (complaints are scoped by their customer) and audits the customers whose
complaints it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.complaints import defaults
from liuke.complaints.capabilities import ComplaintCap
from liuke.complaints.choices import UNRESOLVED, ResolutionStatus, Severity, Status
from liuke.complaints.figures import Row, TargetRow, group_counts, target_row
from liuke.complaints.models import (
    Complaint,
    ComplaintCause,
    ComplaintResolution,
    ComplaintSettings,
)
from liuke.core.bulksql import count_of
from liuke.core.errors import KeyAccountRestricted, NotFound
from liuke.customers import selectors as customer_selectors
from liuke.customers.models import Customer

LIST_LIMIT = 200


def settings_of(business_id: int) -> ComplaintSettings:
    """A business's complaint settings. A pure read: the row is written when the business is
    created; should it be missing, the defaults stand in (unsaved)."""
    found = ComplaintSettings.objects.filter(business_id=business_id).first()
    if found is None:
        found = ComplaintSettings(business_id=business_id, **defaults.targets())
    return found


_Code = Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9_-]*$")]
_Id = Annotated[int, Field(ge=1, le=2**62)]
_Days = Annotated[int, Field(ge=1, le=3660)]
StatusFilter = Literal["unresolved", "open", "waiting", "resolved", "closed", "all"]


class ComplaintFilters(BaseModel):
    """The one filter definition of the complaint list, shared by the page and the API."""

    model_config = ConfigDict(extra="ignore")

    status: StatusFilter = "unresolved"
    severity: Literal["low", "medium", "high", "critical"] | None = None
    cause: _Code | None = None
    branch: _Id | None = None
    handler: _Id | None = None
    customer: _Id | None = None
    escalated: bool = False
    breached: bool = False
    days: _Days | None = None


def scoped(actor: User) -> QuerySet[Complaint]:
    if not policy.can(actor, ComplaintCap.COMPLAINT_VIEW):
        return Complaint.objects.none()
    return policy.scope_customers(actor, Complaint.objects.all(), prefix="customer")


def _audit(actor: User, customer_ids: set[int], action: str, what: str) -> None:
    if customer_ids:
        audit_record(actor=actor, action=action, customer_ids=customer_ids, fields=[what])


def complaint_list(*, actor: User, filters: ComplaintFilters | None = None) -> list[Complaint]:
    """Complaints in the actor's scope, newest first (at most `LIST_LIMIT`); audited."""
    policy.require(actor, ComplaintCap.COMPLAINT_VIEW)
    f = filters or ComplaintFilters()
    qs = scoped(actor).select_related("customer", "cause", "handler", "branch", "escalated_to")
    if f.status == "unresolved":
        qs = qs.filter(status__in=UNRESOLVED)
    elif f.status != "all":
        qs = qs.filter(status=f.status)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.cause:
        qs = qs.filter(cause__code=f.cause)
    if f.branch:
        qs = qs.filter(branch_id=f.branch)
    if f.handler:
        qs = qs.filter(handler_id=f.handler)
    if f.customer:
        qs = qs.filter(customer_id=f.customer)
    if f.escalated:
        qs = qs.filter(escalated_at__isnull=False)
    if f.breached:
        qs = qs.filter(
            Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
        )
    if f.days:
        qs = qs.filter(opened_at__gte=timezone.now() - dt.timedelta(days=f.days))
    rows = list(qs.order_by("-opened_at", "-id")[:LIST_LIMIT])
    _audit(actor, {c.customer_id for c in rows}, Action.LIST, "complaints")
    return rows


def complaint_get(*, actor: User, complaint_id: Any) -> Complaint:
    """One complaint with its steps, actions and resolutions; audited as a read."""
    policy.require(actor, ComplaintCap.COMPLAINT_VIEW)
    try:
        pk = int(complaint_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = (
        scoped(actor)
        .select_related(
            "customer", "cause", "handler", "branch", "visit", "service", "staff", "escalated_to"
        )
        .prefetch_related("steps__done_by", "actions__owner", "resolutions__decided_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    if not customer_selectors.has_full_file(actor, found.customer):
        # A key account's complaint is part of its file: its owner, managers, owners and grant
        # holders read it; the others see the case listed on the card, not what was said.
        raise KeyAccountRestricted()
    _audit(actor, {found.customer_id}, Action.VIEW, "complaint")
    return found


def causes(*, actor: User, include_inactive: bool = False) -> list[ComplaintCause]:
    if not policy.is_staff_member(actor):
        return []
    qs = ComplaintCause.objects.filter(business_id=policy.business_of(actor))
    return list(qs if include_inactive else qs.filter(is_active=True))


def approvals(*, actor: User) -> list[ComplaintResolution]:
    """Compensations waiting for a decision, oldest first (approvers only); audited."""
    policy.require(actor, ComplaintCap.COMPLAINT_APPROVE)
    rows = list(
        policy.scope_customers(actor, ComplaintResolution.objects.all(), prefix="customer")
        .filter(status=ResolutionStatus.PENDING)
        .select_related("complaint", "customer", "requested_by", "visit", "card")
        .order_by("created_at", "id")[:LIST_LIMIT]
    )
    _audit(actor, {r.customer_id for r in rows}, Action.LIST, "complaint_approvals")
    return rows


# --- timers and word of mouth ------------------------------------------------------------------


@dataclass
class Timer:
    label: str
    due_at: dt.datetime
    met_at: dt.datetime | None
    breached: bool
    paused: bool
    minutes_left: int | None  # None once met

    @property
    def until(self) -> dt.datetime | None:
        """The moment the time left runs out (pauses counted), for `timeuntil` on the page."""
        if self.minutes_left is None:
            return None
        return timezone.now() + dt.timedelta(minutes=self.minutes_left)

    @property
    def state(self) -> str:
        if self.met_at is not None:
            return "late" if self.met_at > self.due_at else "met"
        if self.paused:
            return "paused"
        return "breached" if self.breached or (self.minutes_left or 0) < 0 else "running"


def timers(complaint: Complaint, now: dt.datetime | None = None) -> list[Timer]:
    """The two timers of a case, as they stand now (a wait in progress does not count)."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    clock = complaint.paused_at or now
    out = []
    for label, due, met, breached in (
        (
            _("First response"),
            complaint.response_due_at,
            complaint.first_response_at,
            complaint.response_breached_at,
        ),
        (
            _("Resolution"),
            complaint.resolution_due_at,
            complaint.resolved_at,
            complaint.resolution_breached_at,
        ),
    ):
        left = None if met else int((due - clock).total_seconds() // 60)
        out.append(
            Timer(
                label=label,
                due_at=due,
                met_at=met,
                breached=breached is not None,
                paused=complaint.paused_at is not None,
                minutes_left=left,
            )
        )
    return out


def reach(complaint: Complaint, settings: ComplaintSettings) -> int:
    """How many people this complaint's story may reach while it is unresolved (0 after)."""
    return settings.reach if complaint.status in UNRESOLVED else 0


@dataclass
class Dashboard:
    unresolved: int
    waiting: int
    escalated: int
    breached: int
    pending_approvals: int
    reach_each: int
    reach_total: int
    factors: tuple[int, int]


def dashboard(*, actor: User) -> Dashboard:
    """The figures at the top of the list: counts, never names (not a read of personal data)."""
    policy.require(actor, ComplaintCap.COMPLAINT_VIEW)
    settings = settings_of(policy.business_of(actor))
    qs = scoped(actor).filter(status__in=UNRESOLVED)
    counts = qs.aggregate(
        unresolved=Count("id"),
        waiting=Count("id", filter=Q(status=Status.WAITING)),
        escalated=Count("id", filter=Q(escalated_at__isnull=False)),
        breached=Count(
            "id",
            filter=Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False),
        ),
    )
    pending = (
        policy.scope_customers(actor, ComplaintResolution.objects.all(), prefix="customer")
        .filter(status=ResolutionStatus.PENDING)
        .count()
        if policy.can(actor, ComplaintCap.COMPLAINT_APPROVE)
        else 0
    )
    return Dashboard(
        unresolved=counts["unresolved"],
        waiting=counts["waiting"],
        escalated=counts["escalated"],
        breached=counts["breached"],
        pending_approvals=pending,
        reach_each=settings.reach,
        reach_total=counts["unresolved"] * settings.reach,
        factors=(settings.wom_first, settings.wom_second),
    )


# --- recovery ----------------------------------------------------------------------------------


def _later_visits(days: int) -> QuerySet[Any]:
    from liuke.sales.models import Visit

    return Visit.objects.filter(
        customer_id=OuterRef("customer_id"),
        visited_at__gt=OuterRef("closed_at"),
        visited_at__lte=OuterRef("closed_at") + dt.timedelta(days=days),
    ).exclude(status="refunded")


def annotate_recovery(qs: QuerySet[Complaint], days: int) -> QuerySet[Complaint]:
    """Annotate complaints with what the customer did in the `days` after closing:
    `came_back`, `recovery_visits` and `recovery_spend_fen` (the visits' totals less their
    refunds). Open complaints get False / 0 (no closing time to count from)."""
    from liuke.sales.models import Refund

    visits = _later_visits(days)
    refunded = (
        Refund.objects.filter(visit_id=OuterRef("pk"))
        .order_by()
        .values("visit_id")
        .annotate(s=Sum("amount_fen"))
        .values("s")[:1]
    )
    spend = (
        visits.annotate(
            net=F("total_fen") - Coalesce(Subquery(refunded, output_field=IntegerField()), 0)
        )
        .order_by()
        .values("customer_id")
        .annotate(total=Sum("net"))
        .values("total")[:1]
    )
    count = visits.order_by().values("customer_id").annotate(n=Count("id")).values("n")[:1]
    return qs.annotate(
        came_back=Exists(visits),
        recovery_visits=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        recovery_spend_fen=Coalesce(Subquery(spend, output_field=IntegerField()), Value(0)),
    )


@dataclass
class Recovery:
    came_back: bool
    visits: int
    spend_fen: int
    window_days: int
    window_over: bool


def recovery(complaint: Complaint, settings: ComplaintSettings) -> Recovery | None:
    """Did the customer come back after the case closed, and what did they spend?"""
    if complaint.closed_at is None:
        return None
    qs = annotate_recovery(Complaint.objects.filter(pk=complaint.pk), settings.recovery_days)
    row = qs.values("came_back", "recovery_visits", "recovery_spend_fen")[0]  # type: ignore[misc]
    return Recovery(
        came_back=bool(row["came_back"]),
        visits=row["recovery_visits"],
        spend_fen=row["recovery_spend_fen"],
        window_days=settings.recovery_days,
        window_over=timezone.now()
        > complaint.closed_at + dt.timedelta(days=settings.recovery_days),
    )


# --- reports -----------------------------------------------------------------------------------


@dataclass
class Report:
    days: int
    total: int
    by_cause: list[Row] = field(default_factory=list)
    by_branch: list[Row] = field(default_factory=list)
    by_staff: list[Row] = field(default_factory=list)
    by_service: list[Row] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    closed: int = 0
    recovery_counted: int = 0
    recovered: int = 0
    recovery_spend_fen: int = 0
    recovery_rate: float | None = None
    repeat_customers: int = 0
    repeat_complaints: int = 0
    escalated: int = 0
    breached: int = 0

    @property
    def max_n(self) -> int:
        return max([r.n for r in self.by_cause] or [1])


def report(*, actor: User, days: int = 90, branch_id: int | None = None) -> Report:
    """Complaints opened in the last `days`: by cause, branch, staff member and service; time
    to first response and to resolution against the targets; recovery of the closed ones;
    repeat complaints. Aggregates only (no names of customers), so not a read of personal data."""
    from django.utils.translation import gettext as _

    policy.require(actor, ComplaintCap.COMPLAINT_REPORTS)
    days = max(1, min(int(days), 3660))
    settings = settings_of(policy.business_of(actor))
    since = timezone.now() - dt.timedelta(days=days)
    qs = scoped(actor).filter(opened_at__gte=since)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    out = Report(days=days, total=qs.count())
    if not out.total:
        return out
    out.by_cause = group_counts(qs, "cause__code", "cause__name_zh", _("Not yet known"))
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en"):
        names = {
            c.code: c.name_en or c.name_zh
            for c in ComplaintCause.objects.filter(business_id=policy.business_of(actor))
        }
        for r in out.by_cause:
            r.label = names.get(r.key, r.label)
    out.by_branch = group_counts(qs, "branch_id", "branch__name", "—")
    out.by_staff = group_counts(qs, "staff_id", "staff__display_name", _("No one named"))
    out.by_service = group_counts(qs, "service_id", "service__name", _("No service named"))
    for severity, label in Severity.choices:
        row = target_row(qs.filter(severity=severity), severity, str(label), settings)
        if row is not None:
            out.targets.append(row)
    _recovery_figures(out, qs, settings)
    repeats = (
        qs.order_by().values("customer_id").annotate(n=Count("id")).filter(n__gt=1).values("n")
    )
    out.repeat_customers = len(repeats)
    out.repeat_complaints = sum(r["n"] for r in repeats)
    out.escalated = qs.filter(escalated_at__isnull=False).count()
    out.breached = qs.filter(
        Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
    ).count()
    return out


def _recovery_figures(out: Report, qs: QuerySet[Complaint], settings: ComplaintSettings) -> None:
    """How many closed cases' customers came back (within the recovery window) and spent."""
    closed = annotate_recovery(qs.filter(closed_at__isnull=False), settings.recovery_days)
    out.closed = closed.count()
    window_over = timezone.now() - dt.timedelta(days=settings.recovery_days)
    # Counted: cases whose window is over, or whose customer is already back.
    counted = closed.filter(Q(closed_at__lte=window_over) | Q(came_back=True))
    agg = counted.aggregate(
        n=Count("id"),
        back=Count("id", filter=Q(came_back=True)),
        spend=Sum("recovery_spend_fen"),
    )
    out.recovery_counted = agg["n"] or 0
    out.recovered = agg["back"] or 0
    out.recovery_spend_fen = agg["spend"] or 0
    out.recovery_rate = (
        round(out.recovered / out.recovery_counted, 3) if out.recovery_counted else None
    )


def unresolved_for_brief(*, actor: User, customer: Customer) -> list[Complaint]:
    """The customer's unresolved cases for engagement's brief (liuke.core.registry.BriefCases).
    The brief calls it only for staff who hold complaint.view and read the customer's full file
    (a key account's card shows no cases); `customer` is the row the brief already fetched."""
    policy.require(actor, ComplaintCap.COMPLAINT_VIEW)
    return list(
        Complaint.objects.filter(customer=customer, status__in=UNRESOLVED)
        .select_related("cause", "handler")
        .order_by("opened_at")
    )


def waiting_for(actor: User) -> Any:
    """The navigation's count: unresolved complaints escalated to `actor`, and (approvers)
    compensations waiting for a decision in their scope, as one SQL expression."""
    if not policy.can(actor, ComplaintCap.COMPLAINT_VIEW):
        return None
    escalated = policy.scope_customers(
        actor, Complaint.objects.filter(escalated_to=actor, status__in=UNRESOLVED), "customer"
    )
    waiting: Any = count_of(escalated)
    if policy.can(actor, ComplaintCap.COMPLAINT_APPROVE):
        pending = ComplaintResolution.objects.filter(status=ResolutionStatus.PENDING)
        waiting = waiting + count_of(policy.scope_customers(actor, pending, prefix="customer"))
    return waiting
