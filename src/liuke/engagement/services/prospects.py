"""Calls from a number that is no customer yet: logged with their reason and turned into a
customer later, with every call from that number becoming the customer's contact.

The duplicate rule is the archive's: one mobile number is one person in a business. A call from
a number a customer already has is that customer's (turning it "into a customer" finds them);
a customer in a branch the actor does not serve is not found for them (they ask a manager)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, NotFound, ServiceError
from liuke.core.locking import lock_one, lock_rows
from liuke.core.phone import normalise_mobile
from liuke.customers import services as customer_services
from liuke.customers.models import Customer
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.choices import Channel, Direction, Outcome
from liuke.engagement.errors import EngagementErrorCode
from liuke.engagement.models import Contact, ProspectCall
from liuke.engagement.services.common import _active_reason, _text


def _mobile(raw: Any) -> str:
    try:
        mobile = normalise_mobile(str(raw or ""))
    except ValidationError as exc:
        raise ServiceError(
            exc.code or CoreErrorCode.INVALID_PHONE,
            exc.messages[0],
            fields={"mobile": exc.messages},
        ) from None
    if not mobile:
        message = _("Enter the number that called.")
        raise ServiceError(CoreErrorCode.REQUIRED, message, fields={"mobile": [message]})
    return mobile


def _branch(actor: User, branch_id: Any) -> Branch:
    branches = policy.scope_branches(actor, Branch.objects.filter(is_active=True)).order_by("id")
    branch = None
    with contextlib.suppress(TypeError, ValueError):
        branch = (
            branches.filter(pk=int(branch_id)).first()
            if branch_id not in (None, "")
            else branches.first()
        )
    if branch is None:
        raise NotFound(_("No such branch."))
    return branch


@transaction.atomic
def prospect_call_log(
    *,
    actor: User,
    mobile: Any,
    reason_id: Any,
    name: str = "",
    notes: str = "",
    branch_id: Any = None,
) -> ProspectCall:
    """Record a call from someone who is no customer yet: the number, the reason, a name if
    they gave one. Listed for a call back until they become a customer."""
    policy.require(actor, EngagementCap.CONTACT_LOG)
    branch = _branch(actor, branch_id)
    number = _mobile(mobile)
    reason = _active_reason(branch.business_id, reason_id)
    call = ProspectCall.objects.create(
        business_id=branch.business_id,
        branch=branch,
        name=_text(name, "name", 50),
        mobile=number,
        mobile_last4=number[-4:],
        reason=reason,
        notes=_text(notes, "notes", 2000),
        staff=actor,
        occurred_at=timezone.now(),
    )
    audit_record(actor=actor, action=Action.CREATE, fields=["prospect_call"])
    return call


def _customer_with(actor: User, call: ProspectCall) -> Customer | None:
    """The customer the number already belongs to (one number, one person), if the actor may
    see them; refused when one exists where the actor does not serve."""
    existing = Customer.objects.filter(
        business_id=call.business_id, mobile=call.mobile, merged_into__isnull=True
    ).order_by("id")
    if not existing.exists():
        return None
    mine = policy.scope_customers(actor, existing).first()
    if mine is None:
        raise ServiceError(
            EngagementErrorCode.NUMBER_ELSEWHERE,
            _("A customer of another branch has this number: ask a manager to link the call."),
        )
    return mine


@transaction.atomic
def prospect_convert(*, actor: User, call_id: Any, name: str = "", gender: str = "") -> Customer:
    """Turn the caller into a customer (or find the customer the number already belongs to)
    and make every open call from that number one of their contacts."""
    policy.require(actor, EngagementCap.CONTACT_LOG)
    scope = ProspectCall.objects.filter(business_id=policy.business_of(actor))
    ids = policy.branch_ids(actor)
    if ids is not None:
        scope = scope.filter(branch_id__in=ids)
    call = None
    with contextlib.suppress(TypeError, ValueError):
        call = lock_one(scope, int(call_id))
    if call is None:
        raise NotFound(_("No such call."))
    if call.converted_at is not None:
        raise ServiceError(
            EngagementErrorCode.PROSPECT_CONVERTED, _("The caller is already a customer.")
        )
    customer = _customer_with(actor, call)
    if customer is None:
        customer = customer_services.customer_create(
            actor=actor,
            data={
                "name": (name or call.name).strip() or call.mobile,
                "gender": gender,
                "mobile": call.mobile,
                "branch_id": call.branch_id,
                "source": "other",  # a call from a number nobody gave us
            },
        )
    now = timezone.now()
    same_number = ProspectCall.objects.filter(
        business_id=call.business_id, mobile=call.mobile, converted_at__isnull=True
    )
    calls = sorted(lock_rows(same_number, None).values(), key=lambda c: (c.occurred_at, c.pk))
    for each in calls:
        each.contact = Contact.objects.create(
            business_id=each.business_id,
            branch_id=each.branch_id,
            customer=customer,
            channel=Channel.PHONE,
            direction=Direction.INBOUND,
            reason_id=each.reason_id,
            outcome=Outcome.RESOLVED,
            notes=each.notes,
            staff_id=each.staff_id,
            occurred_at=each.occurred_at,
        )
        each.customer = customer
        each.converted_at = now
        each.save(update_fields=["contact", "customer", "converted_at", "updated_at"])
    audit_record(
        actor=actor, action=Action.UPDATE, customer_ids=[customer.pk], fields=["prospect_call"]
    )
    return customer
