"""Opening a complaint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.complaints.capabilities import ComplaintCap
from liuke.complaints.choices import Channel, Severity
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.complaints.models import Complaint, ComplaintCause
from liuke.complaints.selectors import settings_of
from liuke.complaints.services.actors import (
    Actor,
    _choice,
    _invalid,
    _person,
    _pk,
    _staff_member,
    _text,
    senior_for,
)
from liuke.complaints.services.case import _escalate, _set_targets, _severe, _task
from liuke.core.errors import NotFound
from liuke.core.stored_text import stored_message
from liuke.customers import selectors as customer_selectors
from liuke.customers.models import Customer
from liuke.engagement import services as engagement
from liuke.engagement.choices import FollowUpOutcome

# --- opening ---------------------------------------------------------------------------------

if TYPE_CHECKING:
    from liuke.sales.models import Visit


def _customer(actor: Actor, customer_id: Any) -> Customer:
    pk = _pk(customer_id)
    customer = (
        policy.scope_customers(actor, Customer.objects.all()).filter(pk=pk).first() if pk else None
    )
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def _cause(business_id: int, code: Any) -> ComplaintCause | None:
    if code in (None, ""):
        return None
    found = ComplaintCause.objects.filter(
        business_id=business_id, code=str(code), is_active=True
    ).first()
    if found is None:
        raise _invalid(
            ComplaintsErrorCode.INVALID_CAUSE, "cause_code", _("Choose a cause from the list.")
        )
    return found


def _description(value: Any) -> str:
    description = _text(value, "description", 4000)
    if not description:
        raise _invalid(
            ComplaintsErrorCode.DESCRIPTION_REQUIRED,
            "description",
            _("Write down what the customer said."),
        )
    return description


def _branch(actor: Actor, branch_id: Any) -> Branch | None:
    if branch_id is None:
        return None
    branch = policy.scope_branches(actor, Branch.objects.all()).filter(pk=_pk(branch_id)).first()
    if branch is None:
        raise _invalid(
            ComplaintsErrorCode.INVALID_BRANCH, "branch_id", _("Choose one of your branches.")
        )
    return branch


def _visit(customer: Customer, visit_id: Any) -> tuple[Visit | None, int | None]:
    """The customer's visit the complaint is about, and the first service on it."""
    if visit_id is None:
        return None, None
    from liuke.sales.models import Visit

    visit = Visit.objects.filter(pk=_pk(visit_id), customer_id=customer.pk).first()
    if visit is None:
        raise _invalid(
            ComplaintsErrorCode.INVALID_VISIT,
            "visit_id",
            _("Choose one of the customer's visits."),
        )
    first = visit.lines.filter(service__isnull=False).order_by("id").first()
    return visit, (first.service_id if first else None)


@transaction.atomic
def complaint_open(
    *,
    actor: Actor,
    customer_id: int,
    channel: str,
    description: str,
    severity: str | None = None,
    cause_code: str | None = None,
    visit_id: int | None = None,
    staff_id: int | None = None,
    branch_id: int | None = None,
) -> Complaint:
    """Open a complaint case in the customer's words. The targets come from the business's
    settings for the severity (medium when not given); a severity at or above the escalation
    severity goes to a senior person at once, who then handles it. The handler (the actor, or
    the senior person for an automated path) gets a task due at the first-response target."""
    policy.require(actor, ComplaintCap.COMPLAINT_HANDLE)
    customer = _customer(actor, customer_id)
    settings = settings_of(customer.business_id)
    now = timezone.now()
    description = _description(description)
    severity = _choice(
        severity or Severity.MEDIUM, Severity, ComplaintsErrorCode.INVALID_SEVERITY, "severity"
    )
    channel = _choice(channel, Channel, ComplaintsErrorCode.INVALID_CHANNEL, "channel")
    cause = _cause(customer.business_id, cause_code)
    branch = _branch(actor, branch_id)
    visit, service_id = _visit(customer, visit_id)
    if branch is None and visit is not None:
        branch = visit.branch
    staff = _staff_member(actor, staff_id, "staff_id")
    if staff is None and visit is not None:
        staff = visit.served_by
    complaint = Complaint(
        business_id=customer.business_id,
        branch=branch or customer.branch,
        customer=customer,
        channel=channel,
        severity=severity,
        cause=cause,
        description=description,
        visit=visit,
        service_id=service_id,
        staff=staff,
        opened_by=_person(actor),
        opened_at=now,
    )
    _set_targets(complaint, settings)
    complaint.handler = _person(actor)
    if complaint.handler is not None and not customer_selectors.has_full_file(
        complaint.handler, customer
    ):
        # A key account someone else looks after: its responsible person handles the case (the
        # opener may take the complaint down, not read the file it becomes part of).
        complaint.handler = customer.owner
    complaint.save()
    if _severe(settings, severity):
        _escalate(complaint, "severity", now)
        complaint.handler = complaint.escalated_to or complaint.handler
    if complaint.handler is None or (staff is not None and complaint.handler == staff):
        # Nobody logged in, or the one who took it down is the staff member it is about: a
        # senior person handles it, never the person complained of.
        complaint.handler = senior_for(
            business_id=complaint.business_id,
            branch_id=complaint.branch_id,
            exclude_ids=(staff.pk if staff is not None else None,),
        )
    complaint.save()
    _task(
        complaint,
        suffix="",
        assignee=complaint.handler,
        due_at=complaint.response_due_at,
        note=stored_message(gettext_noop("Complaint #%(id)s: first response"), id=complaint.pk),
    )
    audit_record(
        actor=actor, action=Action.CREATE, customer_ids=[customer.pk], fields=["complaint"]
    )
    return complaint


@transaction.atomic
def complaint_from_followup(*, actor: User, followup_id: Any, note: str) -> Complaint:
    """A follow-up call found the customer unhappy: the follow-up closes with "has an issue"
    and what the customer said becomes a complaint case (by phone, about the visit followed up
    and the staff member who served it), in one transaction. The case's first-response task is
    the callback (so the follow-up raises none of its own), and its handler is a senior person
    whenever the one calling is the staff member it is about (`complaint_open`)."""
    policy.require(actor, ComplaintCap.COMPLAINT_HANDLE)
    followup = engagement.followup_complete(
        actor=actor,
        followup_id=followup_id,
        outcome=FollowUpOutcome.ISSUE,
        note=note,
        raise_callback=False,
    )
    return complaint_open(
        actor=actor,
        customer_id=followup.customer_id,
        channel=Channel.PHONE,
        description=followup.note,
        visit_id=followup.visit_id,
    )
