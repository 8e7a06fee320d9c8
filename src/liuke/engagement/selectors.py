"""Every read of the engagement app. Each selector takes the acting user, goes through
`accounts.policy` (rows that point at a customer are scoped with `prefix="customer"`) and audits
the customers whose personal data it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.accounts.selectors import staff_for_work
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.bulksql import count_of
from liuke.core.errors import NotFound
from liuke.customers.models import Customer
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.choices import (
    UNRESOLVED_OUTCOMES,
    FollowUpStatus,
    MessageStatus,
    Outcome,
    TaskStatus,
)
from liuke.engagement.models import (
    Contact,
    ContactReason,
    FollowUp,
    FollowUpRule,
    Message,
    Task,
)

FollowUpView = Literal["today", "overdue", "upcoming", "done"]
LIST_LIMIT = 200


def _scoped(actor: User, qs: QuerySet[Any]) -> QuerySet[Any]:
    if not policy.can(actor, EngagementCap.ENGAGEMENT_VIEW):
        return qs.none()
    return policy.scope_customers(actor, qs, prefix="customer")


def _audit(actor: User, rows: list[Any], what: str, action: str = Action.LIST) -> None:
    ids = {r.customer_id for r in rows}
    if ids:
        audit_record(actor=actor, action=action, customer_ids=ids, fields=[what])


def _phones(actor: User, rows: list[FollowUp] | list[Task]) -> None:
    """Give each row of work the customer's mobile as `actor` may see it (`phone`) and, when it
    is the full number, `tel` for a one-tap call: whoever owns open work sees the number they
    must call (`policy.present_work_mobile`). The full numbers shown are audited as a read of
    the mobile, besides the list itself."""
    shown: set[int] = set()
    for row in rows:
        customer = row.customer
        row.phone = policy.present_work_mobile(
            actor, customer, assignee_id=row.assignee_id, is_open=row.status == "open"
        )
        row.tel = row.phone if row.phone and row.phone == customer.mobile else ""
        if row.tel:
            shown.add(customer.pk)
    if shown:
        audit_record(actor=actor, action=Action.LIST, customer_ids=shown, fields=["mobile"])


def sees_team(actor: User) -> bool:
    """Managers (and auditors) see everyone's lists; other staff see their own."""
    return policy.can(actor, EngagementCap.ENGAGEMENT_REPORTS)


def _staff_filter(actor: User, staff_id: int | None) -> Q:
    """Whose rows: a manager picks a staff member (or everyone, None); other staff get their
    own and the unassigned ones of their branches (a visit nobody was named for, a customer
    without an owner), so that nothing is left without someone to see it."""
    if not sees_team(actor):
        return Q(assignee=actor) | Q(assignee__isnull=True)
    return Q(assignee_id=staff_id) if staff_id else Q()


# --- reasons ------------------------------------------------------------------------------------


def reasons(*, actor: User, include_inactive: bool = False) -> list[ContactReason]:
    if not policy.is_staff_member(actor):
        return []
    qs = ContactReason.objects.filter(business_id=policy.business_of(actor))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return list(qs)


def reason_get(*, actor: User, reason_id: Any) -> ContactReason:
    try:
        pk = int(reason_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not policy.is_staff_member(actor):
        raise NotFound()
    found = ContactReason.objects.filter(pk=pk, business_id=policy.business_of(actor)).first()
    if found is None:
        raise NotFound()
    return found


# --- follow-ups ---------------------------------------------------------------------------------


def followups(
    *,
    actor: User,
    view: FollowUpView = "today",
    staff_id: int | None = None,
    branch_id: int | None = None,
    today: dt.date | None = None,
) -> list[FollowUp]:
    """Today's, overdue, upcoming (next 7 days) or done (last 30 days) follow-ups."""
    today = today or timezone.localdate()
    qs = _scoped(actor, FollowUp.objects.all()).filter(_staff_filter(actor, staff_id))
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if view == "today":
        qs = qs.filter(status=FollowUpStatus.OPEN, due_on=today).order_by("id")
    elif view == "overdue":
        qs = qs.filter(status=FollowUpStatus.OPEN, due_on__lt=today).order_by("due_on", "id")
    elif view == "upcoming":
        qs = qs.filter(
            status=FollowUpStatus.OPEN,
            due_on__gt=today,
            due_on__lte=today + dt.timedelta(days=7),
        ).order_by("due_on", "id")
    else:
        qs = qs.filter(
            status=FollowUpStatus.DONE, done_on__gte=today - dt.timedelta(days=30)
        ).order_by("-done_at")
    rows = list(
        qs.select_related("customer", "rule", "visit", "assignee", "done_by", "branch")[:LIST_LIMIT]
    )
    _audit(actor, rows, f"followups_{view}")
    _phones(actor, rows)
    return rows


def followup_counts(
    *, actor: User, staff_id: int | None = None, today: dt.date | None = None
) -> dict[str, int]:
    """How many follow-ups are due today and overdue (counts only: nothing personal shown)."""
    today = today or timezone.localdate()
    qs = _scoped(actor, FollowUp.objects.filter(status=FollowUpStatus.OPEN)).filter(
        _staff_filter(actor, staff_id)
    )
    return qs.aggregate(
        today=Count("id", filter=Q(due_on=today)),
        overdue=Count("id", filter=Q(due_on__lt=today)),
    )


@dataclass
class OnTime:
    label: str
    due: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.on_time / self.due, 1) if self.due else None


def on_time_rates(
    *, actor: User, days: int = 30, today: dt.date | None = None
) -> tuple[list[OnTime], list[OnTime]]:
    """Per staff member and per branch: of the follow-ups planned in the last `days` days (up
    to yesterday), the share done by their planned day."""
    policy.require(actor, EngagementCap.ENGAGEMENT_REPORTS)
    today = today or timezone.localdate()
    qs = _scoped(actor, FollowUp.objects.all()).filter(
        planned_on__gte=today - dt.timedelta(days=days), planned_on__lt=today
    )
    on_time = Q(status=FollowUpStatus.DONE, done_on__lte=F("planned_on"))
    by_staff = (
        qs.values("assignee_id", "assignee__display_name", "assignee__username")
        .annotate(due=Count("id"), on_time=Count("id", filter=on_time))
        .order_by("assignee__username")
    )
    by_branch = (
        qs.values("branch_id", "branch__name")
        .annotate(due=Count("id"), on_time=Count("id", filter=on_time))
        .order_by("branch__name")
    )
    staff = [
        OnTime(
            r["assignee__display_name"] or r["assignee__username"] or "—", r["due"], r["on_time"]
        )
        for r in by_staff
    ]
    branches = [OnTime(r["branch__name"], r["due"], r["on_time"]) for r in by_branch]
    return staff, branches


# --- tasks --------------------------------------------------------------------------------------


def tasks(
    *,
    actor: User,
    staff_id: int | None = None,
    overdue_only: bool = False,
    due_before: dt.datetime | None = None,
) -> list[Task]:
    """Open tasks (callbacks, win-backs, idle packages), the most overdue first; escalated
    ones first for managers. `due_before`: only those due by then (the end of today)."""
    qs = _scoped(actor, Task.objects.filter(status=TaskStatus.OPEN)).filter(
        _staff_filter(actor, staff_id)
    )
    if overdue_only:
        qs = qs.filter(due_at__lt=timezone.now())
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    order = ("escalated_at", "due_at", "id") if sees_team(actor) else ("due_at", "id")
    rows = list(
        qs.select_related("customer", "contact__reason", "assignee").order_by(*order)[:LIST_LIMIT]
    )
    if sees_team(actor):
        rows.sort(key=lambda t: (t.escalated_at is None, t.due_at, t.pk))
    _audit(actor, rows, "tasks")
    _phones(actor, rows)
    for t in rows:
        if t.contact is not None:
            _mask_notes(actor, t.contact, t.customer)
        if not policy.lists_file_details(actor, t.customer):
            t.note = ""
    return rows


def _mask_notes(actor: User, contact: Contact, customer: Customer) -> None:
    """A contact's notes are a detail of the customer's file (`policy.FieldClass.FILE`): in a
    list, a key account's stay hidden from those who do not look after it. Blanked in memory;
    read paths never save the row."""
    if not policy.lists_file_details(actor, customer):
        contact.notes = ""


# --- contacts -----------------------------------------------------------------------------------


def contacts(*, actor: User, customer: Customer | None = None, limit: int = 50) -> list[Contact]:
    qs = _scoped(actor, Contact.objects.all())
    if customer is not None:
        qs = qs.filter(customer=customer)
    rows = list(qs.select_related("customer", "reason", "staff").order_by("-occurred_at")[:limit])
    _audit(actor, rows, "contacts")
    for c in rows:
        _mask_notes(actor, c, c.customer)
    return rows


@dataclass
class ContactReport:
    days: int
    total: int
    unresolved: int
    by_reason: list[dict[str, Any]] = field(default_factory=list)
    by_outcome: list[dict[str, Any]] = field(default_factory=list)
    unresolved_reasons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unresolved_share(self) -> float | None:
        return round(100.0 * self.unresolved / self.total, 1) if self.total else None


def contact_report(*, actor: User, days: int = 30, branch_id: int | None = None) -> ContactReport:
    """Contacts by reason and by outcome, the unresolved share, and the reasons that most often
    end unresolved (what training should cover). Aggregates only: no personal data."""
    policy.require(actor, EngagementCap.ENGAGEMENT_REPORTS)
    since = timezone.now() - dt.timedelta(days=days)
    qs = _scoped(actor, Contact.objects.filter(occurred_at__gte=since))
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    unresolved = Q(outcome__in=UNRESOLVED_OUTCOMES)
    names = {
        r.pk: r.name for r in ContactReason.objects.filter(business_id=policy.business_of(actor))
    }
    by_reason = [
        {
            "reason_id": r["reason_id"],
            "reason": names.get(r["reason_id"], "?"),
            "n": r["n"],
            "unresolved": r["u"],
            "unresolved_share": round(100.0 * r["u"] / r["n"], 1),
        }
        for r in qs.values("reason_id").annotate(n=Count("id"), u=Count("id", filter=unresolved))
    ]
    by_reason.sort(key=lambda r: (-r["n"], r["reason"]))
    labels = dict(Outcome.choices)
    by_outcome = [
        {"outcome": r["outcome"], "label": str(labels.get(r["outcome"], r["outcome"])), "n": r["n"]}
        for r in qs.values("outcome").annotate(n=Count("id")).order_by("-n")
    ]
    total = sum(r["n"] for r in by_reason)
    open_total = sum(r["unresolved"] for r in by_reason)
    worst = sorted(
        (r for r in by_reason if r["unresolved"]),
        key=lambda r: (-r["unresolved"], -r["unresolved_share"]),
    )[:5]
    return ContactReport(days, total, open_total, by_reason, by_outcome, worst)


# --- the outbox ---------------------------------------------------------------------------------


def outbox(*, actor: User, status: str = MessageStatus.READY, limit: int = 100) -> list[Message]:
    qs = _scoped(actor, Message.objects.filter(status=status))
    rows = list(qs.select_related("customer", "branch", "sent_by").order_by("-id")[:limit])
    _audit(actor, rows, "outbox")
    return rows


def outbox_counts(*, actor: User) -> dict[str, int]:
    qs = _scoped(actor, Message.objects.all())
    return {r["status"]: r["n"] for r in qs.values("status").annotate(n=Count("id"))}


def rules(*, actor: User) -> list[FollowUpRule]:
    if not policy.is_staff_member(actor):
        return []
    return list(FollowUpRule.objects.filter(business_id=policy.business_of(actor)))


def branches(*, actor: User) -> list[Branch]:
    return list(policy.scope_branches(actor, Branch.objects.all()))


def team(*, actor: User) -> list[User]:
    """Whose lists a manager may pick: the staff of their branches who work on follow-ups (not
    the auditor, not another branch's staff)."""
    if not sees_team(actor):
        return []
    return list(staff_for_work(actor=actor, capability=EngagementCap.FOLLOWUP_WORK))


def engagement_settings(*, actor: User) -> dict[str, Any]:
    """What the settings page shows: the rules, the templates and each branch's reminder
    settings (defaults where a branch has none yet)."""
    from liuke.engagement.choices import MessageKind
    from liuke.engagement.models import BranchReminderSettings, MessageTemplate
    from liuke.sales.choices import ServiceCategory

    policy.require(actor, EngagementCap.REASON_MANAGE)
    business_id = policy.business_of(actor)
    templates = {t.kind: t for t in MessageTemplate.objects.filter(business_id=business_id)}
    found = {
        s.branch_id: s
        for s in BranchReminderSettings.objects.filter(branch__business_id=business_id)
    }
    return {
        "rules": rules(actor=actor),
        "categories": ServiceCategory.choices,
        "templates": [(kind, label, templates.get(kind)) for kind, label in MessageKind.choices],
        "branch_settings": [
            (b, found.get(b.pk) or BranchReminderSettings(branch=b)) for b in branches(actor=actor)
        ],
    }


def customer_open_work(*, actor: User, customer: Customer) -> dict[str, list[Any]]:
    """A customer's open follow-ups and tasks, whoever they are assigned to (for the profile;
    the caller has read the customer through the customers selectors, which audit it)."""
    if not policy.can(actor, EngagementCap.ENGAGEMENT_VIEW) or not policy.customer_visible(
        actor, customer
    ):
        return {"followups": [], "tasks": []}
    followups = list(
        FollowUp.objects.filter(customer=customer, status=FollowUpStatus.OPEN)
        .select_related("rule", "assignee")
        .order_by("due_on")[:20]
    )
    open_tasks = list(
        Task.objects.filter(customer=customer, status=TaskStatus.OPEN)
        .select_related("assignee", "contact__reason")
        .order_by("due_at")[:20]
    )
    return {"followups": followups, "tasks": open_tasks}


def due_for(actor: User) -> Any:
    """The navigation's count: open callbacks and tasks due by now and follow-ups due by today
    that are `actor`'s (or nobody's, in their branches), as one SQL expression."""
    if not policy.can(actor, EngagementCap.ENGAGEMENT_VIEW):
        return None
    theirs = Q(assignee=actor) | Q(assignee__isnull=True)
    tasks_due = _scoped(actor, Task.objects.filter(theirs, status=TaskStatus.OPEN))
    followups_due = _scoped(actor, FollowUp.objects.filter(theirs, status=FollowUpStatus.OPEN))
    return count_of(tasks_due.filter(due_at__lte=timezone.now())) + count_of(
        followups_due.filter(due_on__lte=timezone.localdate())
    )
