"""Reads of the waitlist, scoped by the access policy and audited as lists of customers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.choices import WaitlistStatus
from liuke.appointments.models import WaitlistEntry
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound

#: The statuses the front desk works on: offers first, then those waiting.
OPEN = (WaitlistStatus.OFFERED, WaitlistStatus.WAITING)


def waitlist_open(*, actor: User, branch_id: int, limit: int = 200) -> list[WaitlistEntry]:
    """A branch's open entries, the open offers first, each in the order they came; only the
    customers the actor may see (audited as a list)."""
    policy.require(actor, AppointmentCap.APPOINTMENT_VIEW_ALL)
    branch = policy.scope_branches(actor, Branch.objects.filter(pk=branch_id)).first()
    if branch is None:
        raise NotFound(_("No such branch."))
    visible = policy.scope_customers(actor, WaitlistEntry.objects.all(), "customer")
    rows = list(
        visible.filter(branch=branch, status__in=OPEN)
        .select_related("customer", "service", "staff", "offer_staff", "branch")
        .order_by("status", "created_at", "pk")[:limit]
    )
    if rows:
        audit_record(
            actor=actor,
            action=Action.LIST,
            customer_ids=sorted({e.customer_id for e in rows}),
            fields=["waitlist"],
        )
    return rows
