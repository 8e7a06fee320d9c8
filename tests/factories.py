"""Test data as plain functions. Customers are made through the real service
(`customer_create`), so their search keys, verification stamps and completeness are the ones
production computes."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.customers.models import Customer
from liuke.customers.services import customer_create
from liuke.sales.models import Visit

_seq = itertools.count(1)


def business_make(*, name: str = "丽颜美容", **fields: Any) -> Business:
    return Business.objects.create(name=name, **fields)


def branch_make(
    *, business: Business, name: str | None = None, code: str | None = None, **fields: Any
) -> Branch:
    n = next(_seq)
    return Branch.objects.create(
        business=business, name=name or f"分店{n}", code=code or f"B{n:03d}", **fields
    )


def user_make(
    *,
    business: Business | None,
    role: str = Role.FRONT_DESK,
    branches: list[Branch] | tuple[Branch, ...] = (),
    username: str | None = None,
    display_name: str = "",
    **fields: Any,
) -> User:
    user = User.objects.create(
        username=username or f"staff{next(_seq)}",
        business=business,
        role=role,
        display_name=display_name,
        **fields,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if branches:
        user.branches.set(branches)
    return user


def customer_make(*, actor: User, branch: Branch | None = None, **data: Any) -> Customer:
    """A customer created by `actor` through `customer_create`; any profile field may be given.

    Defaults: a unique Chinese name and the actor's first branch.
    """
    if branch is None:
        branch = (
            actor.branches.order_by("id").first()
            or Branch.objects.filter(business_id=actor.business_id).order_by("id").first()
        )
    assert branch is not None, "the actor has no branch to put the customer in"
    data.setdefault("name", f"客户{next(_seq)}")
    data.setdefault("branch_id", branch.pk)
    return customer_create(actor=actor, data=data)


def visit_make(
    *, customer: Customer, days_ago: int = 0, total_fen: int = 38800, served_by: User | None = None
) -> Visit:
    """A visit written straight into sales.Visit (the sales services come with their issue)."""
    at = timezone.now() - dt.timedelta(days=days_ago)
    return Visit.objects.create(
        business_id=customer.business_id,
        branch_id=customer.branch_id,
        customer=customer,
        visited_at=at,
        visited_on=timezone.localdate(at),
        total_fen=total_fen,
        served_by=served_by,
    )


#: The shared personas of tests/conftest.py: role, the branches they work in ("a", "b"), the name
#: shown. `outsider` belongs to the other business and works in its one branch.
PERSONAS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "owner": (Role.OWNER, ("a", "b"), "王老板"),
    "manager_a": (Role.MANAGER, ("a",), "李店长"),
    "front_a": (Role.FRONT_DESK, ("a",), "小陈"),
    "front_b": (Role.FRONT_DESK, ("b",), "小周"),
    "beautician_a": (Role.BEAUTICIAN, ("a",), "美容师小林"),
    "auditor": (Role.AUDITOR, (), "审计"),
    "outsider": (Role.OWNER, ("other",), "别人"),
}


def persona_make(name: str, *, business: Business, branches: dict[str, Branch]) -> User:
    """The persona `name` (a key of PERSONAS), working in its branches picked from `branches`."""
    role, where, display_name = PERSONAS[name]
    return user_make(
        business=business,
        role=role,
        branches=[branches[key] for key in where],
        username=name,
        display_name=display_name,
    )
