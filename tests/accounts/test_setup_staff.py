"""Staff: invite, change, leave (with the handover), come back (accounts.setup.staff), and every
refusal the rules promise."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from tests.factories import customer_make, user_make

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Branch, StaffInvite, User
from liuke.accounts.setup.branches import branch_close
from liuke.accounts.setup.staff import (
    staff_invite,
    staff_invite_again,
    staff_leave,
    staff_rejoin,
    staff_update,
)
from liuke.audit.models import AuditEvent
from liuke.core.errors import CapabilityDenied, NotFound
from liuke.customers.models import Customer

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def _invite(actor: User, **data: Any) -> tuple[User, str]:
    data.setdefault("display_name", "小美")
    data.setdefault("role", Role.BEAUTICIAN)
    return staff_invite(actor=actor, data=data)


def test_the_owner_invites_by_mobile_and_gets_a_one_time_link(
    owner: User, branch_a: Branch
) -> None:
    member, link = _invite(owner, mobile="+86 139 1234 0001", branch_ids=[branch_a.pk])
    assert (member.username, member.mobile, member.role) == (
        "13912340001",
        "13912340001",
        Role.BEAUTICIAN,
    )
    assert list(member.branches.all()) == [branch_a]
    assert member.is_active
    assert not member.has_usable_password()
    assert "/welcome/" in link
    assert link.startswith("http")
    invite = StaffInvite.objects.get(user=member)
    # the table holds a hash, never the token of the link
    assert invite.token_hash not in link
    assert invite.used_at is None
    event = AuditEvent.objects.filter(action="settings").latest("seq")
    assert f"staff:{member.pk}:role" in event.fields
    assert "13912340001" not in event.reason  # personal values stay out of the audit text
    assert json.loads(event.reason)["role"] == [None, "beautician"]


def test_an_invitation_by_e_mail_logs_in_with_the_e_mail(owner: User, branch_a: Branch) -> None:
    member, _link = _invite(owner, email="Mei@Example.com", branch_ids=[branch_a.pk])
    assert (member.username, member.email) == ("mei@example.com", "mei@example.com")


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({}, "mobile", AccountsErrorCode.CONTACT_REQUIRED),
        ({"mobile": "12345"}, "mobile", "invalid_phone"),
        ({"email": "not-an-address"}, "email", AccountsErrorCode.INVALID_EMAIL),
        ({"mobile": "13912340001", "display_name": " "}, "display_name", "required"),
        ({"mobile": "13912340001", "role": "boss"}, "role", AccountsErrorCode.INVALID_ROLE),
        ({"mobile": "13912340001", "capabilities": ["audit.view"]}, "capabilities", "invalid"),
    ],
)
def test_bad_invitations_are_refused_by_field(
    owner: User, branch_a: Branch, data: dict[str, Any], field: str, code: str
) -> None:
    before = User.objects.count()
    with pytest.raises(ValidationError) as exc:
        _invite(owner, branch_ids=[branch_a.pk], **data)
    assert _codes(exc.value) == {field: [code]}
    assert User.objects.count() == before


def test_a_login_in_use_is_refused(owner: User, branch_a: Branch) -> None:
    _invite(owner, mobile="13912340001", branch_ids=[branch_a.pk])
    with pytest.raises(ValidationError) as exc:
        _invite(owner, mobile="139-1234-0001", branch_ids=[branch_a.pk])
    assert _codes(exc.value) == {"mobile": [AccountsErrorCode.USERNAME_TAKEN]}


def test_branch_bound_roles_need_an_open_branch(
    owner: User, branch_a: Branch, branch_b: Branch, other_branch: Branch
) -> None:
    with pytest.raises(ValidationError) as exc:
        _invite(owner, mobile="13912340001")
    assert _codes(exc.value) == {"branch_ids": [AccountsErrorCode.INVALID_BRANCH]}
    with pytest.raises(ValidationError) as exc:
        _invite(owner, mobile="13912340001", branch_ids=[other_branch.pk])
    assert _codes(exc.value) == {"branch_ids": [AccountsErrorCode.INVALID_BRANCH]}
    branch_close(actor=owner, branch_id=branch_b.pk)
    with pytest.raises(ValidationError) as exc:
        _invite(owner, mobile="13912340001", branch_ids=[branch_b.pk])
    assert _codes(exc.value) == {"branch_ids": [AccountsErrorCode.INVALID_BRANCH]}
    # an auditor reads every branch and needs none named
    auditor, _link = _invite(owner, mobile="13912340002", role=Role.AUDITOR)
    assert auditor.branches.count() == 0


def test_a_manager_gives_no_role_above_their_own_nor_the_auditor(
    manager_a: User, branch_a: Branch
) -> None:
    for role in (Role.OWNER, Role.AUDITOR):
        with pytest.raises(ValidationError) as exc:
            _invite(manager_a, mobile="13912340001", role=role, branch_ids=[branch_a.pk])
        assert _codes(exc.value) == {"role": [AccountsErrorCode.INVALID_ROLE]}
    member, _link = _invite(
        manager_a, mobile="13912340001", role=Role.MANAGER, branch_ids=[branch_a.pk]
    )
    assert member.role == Role.MANAGER


def test_a_manager_manages_no_staff_outside_their_branches(
    manager_a: User, front_a: User, front_b: User, owner: User, branch_b: Branch
) -> None:
    with pytest.raises(ValidationError) as exc:
        _invite(manager_a, mobile="13912340001", branch_ids=[branch_b.pk])
    assert _codes(exc.value) == {"branch_ids": [AccountsErrorCode.INVALID_BRANCH]}
    for member in (front_b, owner):  # another branch; a role above theirs
        with pytest.raises(NotFound):
            staff_update(actor=manager_a, staff_id=member.pk, data={"display_name": "x"})
        with pytest.raises(NotFound):
            staff_leave(actor=manager_a, staff_id=member.pk, data={"successor_id": front_a.pk})
    staff_update(actor=manager_a, staff_id=front_a.pk, data={"role": Role.BEAUTICIAN})
    assert User.objects.get(pk=front_a.pk).role == Role.BEAUTICIAN


def test_staff_without_the_capability_invite_no_one(
    front_a: User, beautician_a: User, auditor: User, branch_a: Branch
) -> None:
    for who in (front_a, beautician_a, auditor):
        with pytest.raises(CapabilityDenied):
            _invite(who, mobile="13912340001", branch_ids=[branch_a.pk])


def test_an_auditor_never_gets_a_write_capability(owner: User, front_a: User) -> None:
    """A role brings the role table's capabilities and nothing else: the auditor's are reads."""
    member = staff_update(actor=owner, staff_id=front_a.pk, data={"role": Role.AUDITOR})
    assert policy.capabilities(member) == policy.ROLE_CAPABILITIES[Role.AUDITOR]
    assert not policy.can(member, policy.Cap.STAFF_MANAGE)
    assert not policy.can(member, policy.Cap.BRANCH_EDIT)
    with pytest.raises(ValidationError) as exc:
        staff_update(actor=owner, staff_id=front_a.pk, data={"capabilities": ["staff.manage"]})
    assert _codes(exc.value) == {"capabilities": ["invalid"]}


def test_the_last_owner_cannot_be_demoted_or_leave(owner: User, front_a: User) -> None:
    with pytest.raises(ValidationError) as exc:
        staff_update(actor=owner, staff_id=owner.pk, data={"role": Role.MANAGER})
    assert exc.value.code == AccountsErrorCode.LAST_OWNER
    with pytest.raises(ValidationError) as exc:
        staff_leave(actor=owner, staff_id=owner.pk, data={"successor_id": front_a.pk})
    assert exc.value.code == AccountsErrorCode.LAST_OWNER
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert owner.is_active
    # with a second owner, the first may step down
    second = user_make(business=owner.business, role=Role.OWNER)
    staff_update(actor=owner, staff_id=owner.pk, data={"role": Role.MANAGER})
    assert User.objects.get(pk=owner.pk).role == Role.MANAGER
    with pytest.raises(ValidationError) as exc:
        staff_leave(actor=second, staff_id=second.pk, data={"successor_id": front_a.pk})
    assert exc.value.code == AccountsErrorCode.LAST_OWNER


def test_staff_other_than_owners_do_not_change_their_own_role_or_branches(
    manager_a: User, branch_a: Branch, front_a: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        staff_update(actor=manager_a, staff_id=manager_a.pk, data={"role": Role.FRONT_DESK})
    assert exc.value.code == AccountsErrorCode.OWN_ACCOUNT
    with pytest.raises(ValidationError) as exc:
        staff_leave(actor=manager_a, staff_id=manager_a.pk, data={"successor_id": front_a.pk})
    assert exc.value.code == AccountsErrorCode.OWN_ACCOUNT
    staff_update(actor=manager_a, staff_id=manager_a.pk, data={"display_name": "李经理"})
    assert str(User.objects.get(pk=manager_a.pk)) == "李经理"


def test_leaving_hands_the_customers_over_and_stops_the_login(
    owner: User, manager_a: User, front_a: User, beautician_a: User, branch_a: Branch
) -> None:
    mine = [customer_make(actor=owner, owner_id=beautician_a.pk) for _ in range(3)]
    other = customer_make(actor=owner, owner_id=front_a.pk)
    _link = staff_invite_again(actor=owner, staff_id=beautician_a.pk)
    moved = staff_leave(
        actor=manager_a,
        staff_id=beautician_a.pk,
        data={"successor_id": front_a.pk, "reason": "辞职"},
    )
    assert moved == 3
    assert set(Customer.objects.filter(owner=front_a).values_list("pk", flat=True)) == {
        c.pk for c in [*mine, other]
    }
    beautician_a.refresh_from_db()
    assert not beautician_a.is_active
    assert beautician_a.left_at is not None
    assert not StaffInvite.objects.filter(user=beautician_a, used_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="handover").count() == 1
    with pytest.raises(ValidationError) as exc:
        staff_leave(actor=owner, staff_id=beautician_a.pk, data={"successor_id": front_a.pk})
    assert exc.value.code == AccountsErrorCode.ALREADY_LEFT
    # and back again
    staff_rejoin(actor=owner, staff_id=beautician_a.pk)
    beautician_a.refresh_from_db()
    assert beautician_a.is_active
    assert beautician_a.left_at is None


@pytest.mark.parametrize("successor", ["none", "self", "left", "other_business"])
def test_leaving_needs_an_active_successor(
    owner: User, beautician_a: User, front_a: User, outsider: User, successor: str
) -> None:
    front_a.is_active = False
    front_a.save()
    successor_id = {
        "none": None,
        "self": beautician_a.pk,
        "left": front_a.pk,
        "other_business": outsider.pk,
    }[successor]
    with pytest.raises(ValidationError) as exc:
        staff_leave(actor=owner, staff_id=beautician_a.pk, data={"successor_id": successor_id})
    assert _codes(exc.value) == {"successor_id": [AccountsErrorCode.SUCCESSOR_REQUIRED]}
    assert User.objects.get(pk=beautician_a.pk).is_active


def test_changing_branches_is_audited_with_before_and_after(
    owner: User, front_a: User, branch_a: Branch, branch_b: Branch
) -> None:
    staff_update(actor=owner, staff_id=front_a.pk, data={"branch_ids": [branch_a.pk, branch_b.pk]})
    assert set(front_a.branches.all()) == {branch_a, branch_b}
    event = AuditEvent.objects.filter(action="settings").latest("seq")
    assert event.fields == [f"staff:{front_a.pk}:branches"]
    assert json.loads(event.reason)["branches"] == [[branch_a.pk], [branch_a.pk, branch_b.pk]]
    # nothing changed: no event
    count = AuditEvent.objects.count()
    staff_update(actor=owner, staff_id=front_a.pk, data={"branch_ids": [branch_b.pk, branch_a.pk]})
    assert AuditEvent.objects.count() == count
