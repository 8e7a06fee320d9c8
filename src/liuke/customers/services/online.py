"""A caller who proved their mobile number online (the public booking page) becomes a
customer here, by the archive's duplicate rule: a customer of the business with that mobile is
that person (the oldest open file, never a merged-away or erased one); otherwise a new file,
source "online", made the way `customer_create` makes one (derived columns, history, audit).
No staff member acts: the audit event carries the label `system:online`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.phone import normalise_mobile
from liuke.core.text import clean_text
from liuke.customers.choices import ChangeKind, Source
from liuke.customers.models import Customer
from liuke.customers.services.archive import _record, _refresh_derived, _save

_NAME_MAX = Customer._meta.get_field("name").max_length or 40


@dataclass(frozen=True)
class OnlineActor:
    """Who acts when a customer books themselves: no staff member, one business."""

    business_id: int
    pk: None = None
    username: str = "system:online"


def customer_by_mobile(*, business_id: int, mobile: str) -> Customer | None:
    """The customer a proven mobile number is (the duplicate rule above), or None."""
    return (
        Customer.objects.filter(
            business_id=business_id,
            mobile=normalise_mobile(mobile),
            merged_into__isnull=True,
            anonymised_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def customer_for_online(*, business_id: int, branch_id: int, name: str, mobile: str) -> Customer:
    """The customer behind a proven mobile number: the existing one, or a new file at
    `branch_id` (source online) with the name they typed."""
    found = customer_by_mobile(business_id=business_id, mobile=mobile)
    if found is not None:
        return found
    now = timezone.now()
    customer = Customer(
        business_id=business_id,
        branch_id=branch_id,
        name=clean_text(name, max_length=_NAME_MAX, field="name"),
        mobile=normalise_mobile(mobile),
        source=Source.ONLINE,
        contact_verified_at=now,
    )
    _refresh_derived(customer)
    _save(customer)
    _record(customer, actor=None, kind=ChangeKind.CREATE).save()
    audit_record(
        actor=OnlineActor(business_id),
        action=Action.CREATE,
        customer_ids=[customer.pk],
        fields=["name", "mobile", "source"],
    )
    return customer
