"""Reads of the accounts app: a business's staff and branches, as the policy lets the actor see
them (the pickers of every app's forms, the staff and branch pages and their API)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound
from liuke.core.registry import Capability


def staff_choices(*, actor: User, include_inactive: bool = False) -> QuerySet[User]:
    if not policy.is_staff_member(actor):
        return User.objects.none()
    qs = User.objects.filter(business_id=policy.business_of(actor))
    return (qs if include_inactive else qs.filter(is_active=True)).order_by("username")


def staff_for_work(
    *, actor: User, capability: Capability, branch_id: int | None = None
) -> QuerySet[User]:
    """The staff a picker offers for a kind of work (a customer's responsible person, a
    complaint's handler, whose follow-ups to show): active staff of the actor's business whose
    role holds `capability` (so never the read-only auditor) and who work at `branch_id`, or,
    without one, at one of the actor's branches; owners work at every branch. Other branches'
    staff are not offered to a branch-bound actor."""
    if not policy.is_staff_member(actor):
        return User.objects.none()
    qs = User.objects.filter(
        business_id=policy.business_of(actor),
        is_active=True,
        role__in=policy.roles_with(capability),
    )
    ids = [branch_id] if branch_id is not None else policy.branch_ids(actor)
    if ids is not None:
        at = User.branches.through.objects.filter(branch_id__in=ids).values("user_id")
        qs = qs.filter(Q(role__in=policy.ALL_BRANCH_ROLES) | Q(pk__in=at))
    return qs.order_by("display_name", "username")


def senior_for(
    *, business_id: int, branch_id: int, exclude_ids: Iterable[int | None] = ()
) -> User | None:
    """The senior person work is handed to when it must not stay with whoever it is about or
    whoever asked (complaints escalated, compensations to approve, a follow-up that found a
    problem, an unhappy survey answer about a staff member): an active manager of the branch,
    else an owner of the business; never one of `exclude_ids`. The source text: senior people
    handle complaints. A lookup for automated paths, not a read of customer data."""
    staff = User.objects.filter(business_id=business_id, is_active=True).exclude(
        pk__in=[pk for pk in exclude_ids if pk is not None]
    )
    manager = staff.filter(role=Role.MANAGER, branches=branch_id).order_by("id").first()
    if manager is not None:
        return manager
    return staff.filter(role=Role.OWNER).order_by("id").first()


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
