"""Key accounts: borrowed access to the full file (request, decide, revoke) and handover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, NotFound, PermissionDenied, ServiceError
from liuke.core.locking import lock_one, lock_rows
from liuke.core.text import clean_text
from liuke.customers import selectors
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import ChangeKind, GrantStatus
from liuke.customers.errors import CustomersErrorCode
from liuke.customers.models import AccessGrant, Customer, FieldChange
from liuke.customers.services.archive import _as_int, _display, _locked_customer, _now, _record
from liuke.customers.services.notify import access_request_notify

# --- Key accounts: borrowed access and handover -------------------------------------------------


@transaction.atomic
def access_request(*, actor: User, customer_id: int, reason: str) -> AccessGrant:
    """Ask to read a key account's full file; the reason is required and goes to the log.
    Asking is a write: a role without `customer.access_request` (the read-only auditor) is
    refused before anything is looked up."""
    policy.require(actor, policy.Cap.CUSTOMER_ACCESS_REQUEST)
    customer = _locked_customer(actor, customer_id, full_file=False)
    if selectors.has_full_file(actor, customer):
        raise ServiceError(
            CustomersErrorCode.ACCESS_NOT_NEEDED, _("You can already read this customer's file.")
        )
    reason = clean_text(reason, max_length=500, multiline=True, field=_("Reason"))
    if len(reason) < 2:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(_("Say why you need the file."), code=CoreErrorCode.REQUIRED)
                ]
            }
        )
    if AccessGrant.objects.filter(
        grantee=actor, customer=customer, status=GrantStatus.PENDING
    ).exists():
        raise ServiceError(
            CustomersErrorCode.REQUEST_PENDING, _("You have already asked; wait for the answer.")
        )
    grant = AccessGrant.objects.create(
        customer=customer, grantee=actor, reason=reason, requested_at=_now()
    )
    audit_record(
        actor=actor, action=Action.ACCESS_REQUEST, customer_ids=[customer.pk], reason=reason
    )
    access_request_notify(grant)
    return grant


def _decidable_grant(actor: User, grant_id: int) -> AccessGrant:
    grant = lock_one(
        AccessGrant.objects.select_related("customer", "grantee").filter(
            customer__business_id=policy.business_of(actor)
        ),
        grant_id,
    )
    if grant is None or not policy.may_decide_grant(actor, grant.customer):
        raise NotFound(_("No such request."))
    return grant


@transaction.atomic
def access_decide(*, actor: User, grant_id: int, approve: bool, note: str = "") -> AccessGrant:
    """Approve (for `Business.grant_hours`) or refuse a pending request. Nobody decides their
    own request."""
    grant = _decidable_grant(actor, grant_id)
    if grant.status != GrantStatus.PENDING:
        raise ServiceError(
            CustomersErrorCode.NOT_PENDING, _("This request has already been decided.")
        )
    if grant.grantee_id == actor.pk:
        raise PermissionDenied(_("You cannot decide your own request."))
    now = _now()
    grant.status = GrantStatus.APPROVED if approve else GrantStatus.REFUSED
    grant.decided_by = actor
    grant.decided_at = now
    grant.decision_note = clean_text(note, max_length=500, multiline=True, field=_("Note"))
    if approve:
        assert actor.business is not None
        grant.expires_at = now + dt.timedelta(hours=actor.business.grant_hours)
    grant.save()
    audit_record(
        actor=actor,
        action=Action.ACCESS_APPROVE if approve else Action.ACCESS_REFUSE,
        customer_ids=[grant.customer_id],
        fields=[f"grant:{grant.pk}", f"grantee:{grant.grantee_id}"],
        reason=grant.reason,
    )
    return grant


@transaction.atomic
def access_revoke(*, actor: User, grant_id: int) -> AccessGrant:
    """End an approved grant now (by a decider, or by the grantee giving the file back)."""
    grant = lock_one(
        AccessGrant.objects.select_related("customer").filter(
            customer__business_id=policy.business_of(actor)
        ),
        grant_id,
    )
    if grant is None or not (
        grant.grantee_id == actor.pk or policy.may_decide_grant(actor, grant.customer)
    ):
        raise NotFound(_("No such request."))
    if not grant.in_force(_now()):
        raise ServiceError(CustomersErrorCode.NOT_IN_FORCE, _("This access is not in force."))
    grant.status = GrantStatus.REVOKED
    grant.expires_at = _now()
    grant.save(update_fields=["status", "expires_at"])
    audit_record(
        actor=actor,
        action=Action.ACCESS_REVOKE,
        customer_ids=[grant.customer_id],
        fields=[f"grant:{grant.pk}", f"grantee:{grant.grantee_id}"],
    )
    return grant


@transaction.atomic
def customer_handover(
    *,
    actor: User,
    to_user_id: int,
    reason: str,
    customer_ids: Iterable[int] | None = None,
    from_user_id: int | None = None,
) -> int:
    """Give customers a new responsible staff member: the listed ones, or every customer of
    `from_user_id` in the actor's scope (a staff member leaving). Each customer's history
    records it; one audit event lists them all. Returns how many changed hands."""
    policy.require(actor, CustomerCap.CUSTOMER_HANDOVER)
    reason = clean_text(reason, max_length=500, multiline=True, field=_("Reason"))
    errors: dict[str, list[ValidationError]] = {}
    if len(reason) < 2:
        errors["reason"] = [
            ValidationError(_("Say why they are handed over."), code=CoreErrorCode.REQUIRED)
        ]
    to_user = User.objects.filter(
        pk=_as_int(to_user_id), business_id=policy.business_of(actor), is_active=True
    ).first()
    if to_user is None:
        errors["to_user_id"] = [
            ValidationError(
                _("Choose an active staff member."), code=CustomersErrorCode.INVALID_STAFF
            )
        ]
    if customer_ids is None and from_user_id is None:
        errors["customer_ids"] = [
            ValidationError(
                _("Choose the customers or the staff member."), code=CoreErrorCode.REQUIRED
            )
        ]
    if errors:
        raise ValidationError(errors)
    assert to_user is not None
    qs = policy.scope_customers(actor, Customer.objects.all())
    if customer_ids is not None:
        ids = [_as_int(i) for i in customer_ids][:10_000]
        qs = qs.filter(pk__in=ids)
    if from_user_id is not None:
        qs = qs.filter(owner_id=_as_int(from_user_id))
    # Many customers: locked in key order (docs/money.md), their owners read, not locked.
    customers = list(
        lock_rows(qs.exclude(owner_id=to_user.pk).select_related("owner"), None).values()
    )
    if not customers:
        return 0
    now = _now()
    changes = []
    for customer in customers:
        old = _display(customer, "owner_id")
        customer.owner = to_user
        changes.append(
            _record(
                customer,
                actor=actor,
                kind=ChangeKind.HANDOVER,
                field="owner_id",
                old=old,
                new=_display(customer, "owner_id"),
            )
        )
        customer.updated_at = now
    Customer.objects.bulk_update(customers, ["owner", "updated_at"], batch_size=500)
    FieldChange.objects.bulk_create(changes, batch_size=500)
    audit_record(
        actor=actor,
        action=Action.HANDOVER,
        customer_ids=[c.pk for c in customers],
        fields=["owner_id", f"to:{to_user.pk}"],
        reason=reason,
    )
    return len(customers)
