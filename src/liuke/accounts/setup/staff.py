"""A business's staff: invite one, change their role and branches, see them leave (handing
their customers over) or come back.

The rules (the policy's `grantable_roles` and `may_manage_staff` decide who may act on whom):
- an owner manages everyone; a manager only staff whose every branch is theirs, and gives no
  role above their own (nor the auditor's, who reads every branch);
- the business's last owner cannot be given another role or leave;
- staff other than owners cannot change their own role, branches or status;
- a role brings its capabilities (the role table, docs/security.md) and nothing else: there
  is no per-person grant, so an auditor can never be given a write.
Every change is one audit event with the fields' before and after values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Branch, User
from liuke.accounts.schemas import StaffInviteIn, StaffLeaveIn, StaffPatch
from liuke.accounts.setup import changes, invites
from liuke.accounts.setup.branches import open_branches
from liuke.core.errors import CoreErrorCode, NotFound
from liuke.core.inputs import parse_input
from liuke.core.locking import lock_one, lock_rows
from liuke.core.phone import normalise_mobile
from liuke.core.registry import import_dotted, registry
from liuke.core.text import clean_text

#: Roles that work in every branch of the business (the policy's), so need none named.
ALL_BRANCH_ROLES = policy.ALL_BRANCH_ROLES


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _role(actor: User, role: str) -> str:
    if role not in policy.grantable_roles(actor):
        raise _error(
            "role",
            _("You cannot give the role %(role)s.") % {"role": Role(role).label},
            AccountsErrorCode.INVALID_ROLE,
        )
    return role


def _branches(actor: User, role: str, branch_ids: list[int]) -> list[Branch]:
    found = open_branches(actor=actor, branch_ids=branch_ids)
    if not found and role not in ALL_BRANCH_ROLES:
        raise _error(
            "branch_ids", _("Choose the branches they work in."), AccountsErrorCode.INVALID_BRANCH
        )
    return found


def _contact(mobile: str, email: str) -> tuple[str, str]:
    mobile = normalise_mobile(mobile) if mobile.strip() else ""
    email = email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _error(
                "email", _("Enter a valid e-mail address."), AccountsErrorCode.INVALID_EMAIL
            ) from None
    if not mobile and not email:
        raise _error(
            "mobile",
            _("Give their mobile number or e-mail: it is how they log in."),
            AccountsErrorCode.CONTACT_REQUIRED,
        )
    return mobile, email


@transaction.atomic
def staff_invite(*, actor: User, data: StaffInviteIn | Mapping[str, Any]) -> tuple[User, str]:
    """A new staff member, and the one-time link (absolute) on which they set their password.
    They log in with their mobile number (or their e-mail when they gave none)."""
    policy.require(actor, policy.Cap.STAFF_MANAGE)
    payload = data if isinstance(data, StaffInviteIn) else parse_input(StaffInviteIn, data)
    name = clean_text(payload.display_name, max_length=50, field=_("Name"))
    if not name:
        raise _error("display_name", _("Enter their name."), CoreErrorCode.REQUIRED)
    try:
        mobile, email = _contact(payload.mobile, payload.email)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):  # the phone check's own error
            raise _error("mobile", exc.messages[0], str(exc.code)) from None
        raise
    role = _role(actor, payload.role)
    branches = _branches(actor, role, payload.branch_ids)
    username = mobile or email
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise _error(
            "mobile" if mobile else "email",
            _("Someone already logs in with %(login)s.") % {"login": username},
            AccountsErrorCode.USERNAME_TAKEN,
        )
    member = User(
        username=username,
        business_id=policy.business_of(actor),
        role=role,
        display_name=name,
        mobile=mobile,
        email=email,
    )
    member.set_unusable_password()
    member.save()
    member.branches.set(branches)
    changes.record(
        actor=actor,
        subject=f"staff:{member.pk}",
        changes={
            "invited": (None, True),
            "role": (None, role),
            "branches": (None, [b.pk for b in branches]),
            "mobile": (None, mobile),
            "email": (None, email),
        },
    )
    return member, invites.invite_create(actor=actor, user=member)


def _managed(actor: User, staff_id: int) -> User:
    """The staff member, locked, if the actor may manage them; else "no such staff member"
    (a manager learns nothing of staff beyond their branches)."""
    policy.require(actor, policy.Cap.STAFF_MANAGE)
    member = lock_one(User.objects.filter(business_id=policy.business_of(actor)), staff_id)
    if member is None or not (
        member.pk == actor.pk
        or policy.may_manage_staff(actor, member.role, member.branches.values_list("id", flat=True))
    ):
        raise NotFound(_("No such staff member."))
    return member


def _not_self(actor: User, member: User) -> None:
    if member.pk == actor.pk and actor.role != Role.OWNER:
        raise ValidationError(
            _("Ask an owner to change your own role, branches or status."),
            code=AccountsErrorCode.OWN_ACCOUNT,
        )


def _keep_an_owner(member: User) -> None:
    """Refuse when `member` is the business's last active owner (the owners are locked, so two
    owners demoting each other at once cannot both succeed)."""
    owners = list(
        lock_rows(
            User.objects.filter(
                business_id=policy.business_of(member), role=Role.OWNER, is_active=True
            ),
            None,
        )
    )
    if member.role == Role.OWNER and owners == [member.pk]:
        raise ValidationError(
            _("%(name)s is the business's last owner: make someone else an owner first.")
            % {"name": member},
            code=AccountsErrorCode.LAST_OWNER,
        )


@transaction.atomic
def staff_update(*, actor: User, staff_id: int, data: StaffPatch | Mapping[str, Any]) -> User:
    """Change a staff member's name, role or branches (only the fields sent)."""
    payload = data if isinstance(data, StaffPatch) else parse_input(StaffPatch, data)
    member = _managed(actor, staff_id)
    sent = payload.model_fields_set
    after: dict[str, Any] = {}
    if "display_name" in sent and payload.display_name is not None:
        after["display_name"] = clean_text(payload.display_name, max_length=50, field=_("Name"))
        if not after["display_name"]:
            raise _error("display_name", _("Enter their name."), CoreErrorCode.REQUIRED)
    role = member.role
    if "role" in sent and payload.role is not None and payload.role != member.role:
        _not_self(actor, member)
        role = after["role"] = _role(actor, payload.role)
        if member.role == Role.OWNER:
            _keep_an_owner(member)
    current = sorted(member.branches.values_list("id", flat=True))
    if "branch_ids" in sent and payload.branch_ids is not None:
        wanted = sorted(set(payload.branch_ids))
        if wanted != current:
            _not_self(actor, member)
            # A manager keeps the branches of the member they do not manage untouched: none,
            # since they manage only staff whose every branch is theirs.
            after["branches"] = [b.pk for b in _branches(actor, role, wanted)]
    elif "role" in after and role not in ALL_BRANCH_ROLES and not current:
        raise _error(
            "branch_ids", _("Choose the branches they work in."), AccountsErrorCode.INVALID_BRANCH
        )
    before = {"display_name": member.display_name, "role": member.role, "branches": current}
    diff = changes.changed(before, after)
    if not diff:
        return member
    if "display_name" in diff:
        member.display_name = after["display_name"]
    if "role" in diff:
        member.role = after["role"]
    member.save(update_fields=["display_name", "role"])
    if "branches" in diff:
        member.branches.set(after["branches"])
    changes.record(actor=actor, subject=f"staff:{member.pk}", changes=diff)
    return member


@transaction.atomic
def staff_leave(*, actor: User, staff_id: int, data: StaffLeaveIn | Mapping[str, Any]) -> int:
    """A staff member leaves: their login stops at once (sessions, API tokens, an unused
    invitation), their row stays (visits and history name them), and their customers pass to
    the successor through each app's handover (the customers app's `customer_handover`,
    contributed as `staff_handover`). Returns how many customers changed hands."""
    payload = data if isinstance(data, StaffLeaveIn) else parse_input(StaffLeaveIn, data)
    member = _managed(actor, staff_id)
    _not_self(actor, member)
    if not member.is_active:
        raise ValidationError(
            _("%(name)s has already left.") % {"name": member}, code=AccountsErrorCode.ALREADY_LEFT
        )
    _keep_an_owner(member)
    successor = (
        User.objects.filter(
            pk=payload.successor_id, business_id=policy.business_of(actor), is_active=True
        ).first()
        if payload.successor_id is not None
        else None
    )
    if successor is None or successor.pk == member.pk:
        raise _error(
            "successor_id",
            _("Choose an active staff member to take over their customers."),
            AccountsErrorCode.SUCCESSOR_REQUIRED,
        )
    reason = clean_text(payload.reason, max_length=500, multiline=True, field=_("Reason"))
    reason = reason or _("%(name)s left") % {"name": member}
    member.is_active, member.left_at = False, timezone.now()
    member.save(update_fields=["is_active", "left_at"])
    invites.invites_void(user=member)
    moved = sum(
        int(import_dotted(target)(
            actor=actor, to_user_id=successor.pk, from_user_id=member.pk, reason=reason
        ) or 0)
        for target in registry.items("staff_handover")
    )  # fmt: skip
    changes.record(
        actor=actor,
        subject=f"staff:{member.pk}",
        changes={"active": (True, False), "successor": (None, successor.pk)},
        note=reason,
    )
    return moved


@transaction.atomic
def staff_rejoin(*, actor: User, staff_id: int) -> User:
    """A staff member who left comes back: their login (password, two-factor) works again."""
    member = _managed(actor, staff_id)
    _not_self(actor, member)
    if member.is_active:
        raise ValidationError(
            _("%(name)s has not left.") % {"name": member}, code=AccountsErrorCode.ALREADY_LEFT
        )
    member.is_active, member.left_at = True, None
    member.save(update_fields=["is_active", "left_at"])
    changes.record(actor=actor, subject=f"staff:{member.pk}", changes={"active": (False, True)})
    return member


@transaction.atomic
def staff_invite_again(*, actor: User, staff_id: int) -> str:
    """A new one-time link for an active staff member (the first expired or was lost, or they
    forgot their password); it replaces any earlier link."""
    member = _managed(actor, staff_id)
    if not member.is_active:
        raise ValidationError(
            _("%(name)s has left: ask them back first.") % {"name": member},
            code=AccountsErrorCode.ALREADY_LEFT,
        )
    changes.record(actor=actor, subject=f"staff:{member.pk}", changes={"link": (None, "new")})
    return invites.invite_create(actor=actor, user=member)
