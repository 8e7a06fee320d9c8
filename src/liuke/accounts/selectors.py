"""Reads of the accounts app: a business's staff and branches, as the policy lets the actor see
them (the pickers of every app's forms and the staff API)."""

from __future__ import annotations

from django.db.models import QuerySet

from liuke.accounts import policy
from liuke.accounts.models import Branch, User


def staff_choices(*, actor: User, include_inactive: bool = False) -> QuerySet[User]:
    if not policy.is_staff_member(actor):
        return User.objects.none()
    qs = User.objects.filter(business_id=policy.business_of(actor))
    return (qs if include_inactive else qs.filter(is_active=True)).order_by("username")


def branch_choices(*, actor: User) -> QuerySet[Branch]:
    return policy.scope_branches(actor, Branch.objects.all())
