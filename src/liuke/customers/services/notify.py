"""Who is told that a colleague waits for a key account's file: the customer's responsible
person and the managers and owners who may decide for the branch, never the one who asked."""

from __future__ import annotations

from django.urls import reverse

from liuke.accounts.policy import Cap
from liuke.customers.models import AccessGrant
from liuke.notices.choices import NoticeKind
from liuke.notices.services import deciders, notice_send


def access_request_notify(grant: AccessGrant) -> int:
    customer = grant.customer
    ids = set(
        deciders(
            business_id=customer.business_id,
            branch_id=customer.branch_id,
            capability=Cap.CUSTOMER_GRANT_DECIDE,
            exclude_ids=[grant.grantee_id],
        ).values_list("pk", flat=True)
    )
    owner = customer.owner
    if owner is not None and owner.is_active and owner.pk != grant.grantee_id:
        ids.add(owner.pk)
    return notice_send(
        business_id=customer.business_id,
        recipient_ids=ids,
        kind=NoticeKind.ACCESS_REQUEST,
        key=f"grant:{grant.pk}",
        url=reverse("customers:access"),
    )
