"""Businesses (with the defaults every app gives a new one), branches and staff."""

from __future__ import annotations

import itertools
from typing import Any

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.accounts.services import business_provision

_seq = itertools.count(1)


def next_number() -> int:
    """A number no other row made by the factories in this process has had (unique names)."""
    return next(_seq)


def business_make(*, name: str = "丽颜美容", **fields: Any) -> Business:
    """A business with the defaults every app gives a new one (`business_provision`), as
    `liuke createowner` and the demo make it."""
    business = Business.objects.create(name=name, **fields)
    business_provision(business_id=business.pk)
    return business


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
