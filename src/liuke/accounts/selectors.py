"""Reads of the accounts app: a business's staff and branches, as the policy lets the actor see
them (the pickers of every app's forms, the staff and branch pages and their API)."""

from __future__ import annotations

from django.db.models import QuerySet

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound


def staff_choices(*, actor: User, include_inactive: bool = False) -> QuerySet[User]:
    if not policy.is_staff_member(actor):
        return User.objects.none()
    qs = User.objects.filter(business_id=policy.business_of(actor))
    return (qs if include_inactive else qs.filter(is_active=True)).order_by("username")


def branch_choices(*, actor: User, include_closed: bool = False) -> QuerySet[Branch]:
    """The branches the actor works in; a picker for something new offers the open ones only
    (a closed branch takes no new visit, customer or staff member)."""
    qs = policy.scope_branches(actor, Branch.objects.all())
    return qs if include_closed else qs.filter(is_active=True)


def branch_list(*, actor: User) -> QuerySet[Branch]:
    """The branches page: open ones first, then the closed (their history stays)."""
    return branch_choices(actor=actor, include_closed=True).order_by("-is_active", "code")


def branch_get(*, actor: User, branch_id: int) -> Branch:
    branch = branch_list(actor=actor).filter(pk=branch_id).first()
    if branch is None:
        raise NotFound("No such branch.")
    return branch


def staff_list(*, actor: User, include_left: bool = True) -> QuerySet[User]:
    """The staff page: everyone of the business for owners and auditors, the staff of their own
    branches for the others; active staff first."""
    policy.require(actor, policy.Cap.STAFF_VIEW)
    qs = User.objects.filter(business_id=policy.business_of(actor))
    ids = policy.branch_ids(actor)
    if ids is not None:
        qs = qs.filter(pk__in=User.objects.filter(branches__in=ids).values("pk"))
    if not include_left:
        qs = qs.filter(is_active=True)
    return qs.prefetch_related("branches").order_by("-is_active", "role", "display_name", "pk")


def staff_get(*, actor: User, staff_id: int) -> User:
    member = staff_list(actor=actor).filter(pk=staff_id).first()
    if member is None:
        raise NotFound("No such staff member.")
    return member


def may_manage(*, actor: User, member: User) -> bool:
    """Whether the staff page offers `actor` the changes to `member` (the services decide)."""
    return policy.may_manage_staff(actor, member.role, [b.pk for b in member.branches.all()])
