"""Customers, made through the real service (`customer_create`), so their search keys,
verification stamps and completeness are the ones production computes."""

from __future__ import annotations

from typing import Any

from tests.factories.accounts import next_number

from liuke.accounts.models import Branch, User
from liuke.accounts.policy import business_of
from liuke.customers.models import Customer
from liuke.customers.services import customer_create


def customer_make(*, actor: User, branch: Branch | None = None, **data: Any) -> Customer:
    """A customer created by `actor` through `customer_create`; any profile field may be given.

    Defaults: a unique Chinese name and the actor's first branch.
    """
    if branch is None:
        branch = (
            actor.branches.order_by("id").first()
            or Branch.objects.filter(business_id=business_of(actor)).order_by("id").first()
        )
    assert branch is not None, "the actor has no branch to put the customer in"
    data.setdefault("name", f"客户{next_number()}")
    data.setdefault("branch_id", branch.pk)
    return customer_create(actor=actor, data=data)
