"""The API of setting up a business: branches, staff and their invitations, the first-run
checklist. The same services as the pages (`liuke.accounts.setup`).

Adding a branch (POST /branches) and inviting a staff member (POST /staff) share their paths
with the lists of `liuke.accounts.api`, so they are operations of that router (one path, one
router: django-ninja answers 405 for a method of the same path on a second router)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from liuke.accounts import policy, selectors
from liuke.accounts.http import api_actor
from liuke.accounts.models import Branch, User
from liuke.accounts.schemas import (
    BranchPatch,
    ChecklistTickIn,
    Id,
    StaffLeaveIn,
    StaffPatch,
)
from liuke.accounts.setup import branches, checklist, staff
from liuke.core.api import ERRORS, READ_ERRORS
from liuke.core.errors import CapabilityDenied
from liuke.core.inputs import ClockTimeOut

router = Router(tags=["setting up"])


class BranchDetailOut(Schema):
    id: int
    code: str
    name: str
    address: str
    phone: str
    time_zone: str
    opens_at: ClockTimeOut | None
    closes_at: ClockTimeOut | None
    receipt_header: str
    receipt_footer: str
    is_active: bool
    closed_at: dt.datetime | None


class StaffMemberOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    branches: list[int]
    is_active: bool
    left_at: dt.datetime | None
    two_factor_enabled: bool


class InvitedOut(Schema):
    member: StaffMemberOut
    link: str


class LinkOut(Schema):
    link: str


class LeftOut(Schema):
    member: StaffMemberOut
    moved: int


class StepOut(Schema):
    key: str
    label: str
    url: str
    done: bool
    manual: bool


class ChecklistOut(Schema):
    steps: list[StepOut]
    dismissed: bool
    complete: bool


def member_out(member: User) -> StaffMemberOut:
    return StaffMemberOut(
        id=member.pk,
        username=member.username,
        display_name=str(member),
        role=member.role,
        branches=sorted(b.pk for b in member.branches.all()),
        is_active=member.is_active,
        left_at=member.left_at,
        two_factor_enabled=member.two_factor_enabled,
    )


@router.get(
    "/branches/all",
    response={200: list[BranchDetailOut], **READ_ERRORS},
    summary="Your branches with their details, closed ones included",
)
def branch_list(request: HttpRequest) -> list[Branch]:
    actor = api_actor(request)
    policy.require(actor, policy.Cap.BRANCH_EDIT)
    return list(selectors.branch_list(actor=actor))


@router.patch(
    "/branches/{branch_id}", response={200: BranchDetailOut, **ERRORS}, summary="Change a branch"
)
def branch_update(request: HttpRequest, branch_id: Id, payload: BranchPatch) -> Branch:
    return branches.branch_update(actor=api_actor(request), branch_id=branch_id, data=payload)


@router.post(
    "/branches/{branch_id}/close",
    response={200: BranchDetailOut, **ERRORS},
    summary="Close a branch (its history stays)",
)
def branch_close(request: HttpRequest, branch_id: Id) -> Branch:
    return branches.branch_close(actor=api_actor(request), branch_id=branch_id)


@router.post(
    "/branches/{branch_id}/reopen",
    response={200: BranchDetailOut, **ERRORS},
    summary="Open a closed branch again",
)
def branch_reopen(request: HttpRequest, branch_id: Id) -> Branch:
    return branches.branch_reopen(actor=api_actor(request), branch_id=branch_id)


@router.get(
    "/staff/members",
    response={200: list[StaffMemberOut], **READ_ERRORS},
    summary="Staff with their branches, those who left included",
)
def staff_list(request: HttpRequest) -> list[StaffMemberOut]:
    return [member_out(m) for m in selectors.staff_list(actor=api_actor(request))]


@router.get(
    "/staff/{staff_id}", response={200: StaffMemberOut, **READ_ERRORS}, summary="A staff member"
)
def staff_get(request: HttpRequest, staff_id: Id) -> StaffMemberOut:
    return member_out(selectors.staff_get(actor=api_actor(request), staff_id=staff_id))


@router.patch(
    "/staff/{staff_id}",
    response={200: StaffMemberOut, **ERRORS},
    summary="Change a staff member's name, role or branches",
)
def staff_update(request: HttpRequest, staff_id: Id, payload: StaffPatch) -> StaffMemberOut:
    return member_out(staff.staff_update(actor=api_actor(request), staff_id=staff_id, data=payload))


@router.post(
    "/staff/{staff_id}/leave",
    response={200: LeftOut, **ERRORS},
    summary="A staff member leaves; their customers pass to a successor",
)
def staff_leave(request: HttpRequest, staff_id: Id, payload: StaffLeaveIn) -> LeftOut:
    actor = api_actor(request)
    moved = staff.staff_leave(actor=actor, staff_id=staff_id, data=payload)
    member = User.objects.get(pk=staff_id)
    return LeftOut(member=member_out(member), moved=moved)


@router.post(
    "/staff/{staff_id}/rejoin",
    response={200: StaffMemberOut, **ERRORS},
    summary="A staff member who left comes back",
)
def staff_rejoin(request: HttpRequest, staff_id: Id) -> StaffMemberOut:
    return member_out(staff.staff_rejoin(actor=api_actor(request), staff_id=staff_id))


@router.post(
    "/staff/{staff_id}/link",
    response={200: LinkOut, **ERRORS},
    summary="A new one-time link to set a password (replaces the earlier one)",
)
def staff_link(request: HttpRequest, staff_id: Id) -> LinkOut:
    return LinkOut(link=staff.staff_invite_again(actor=api_actor(request), staff_id=staff_id))


def _checklist(actor: User) -> ChecklistOut:
    policy.require(actor, policy.Cap.SETTINGS_MANAGE)
    found = checklist.checklist(actor=actor)
    if found is None:
        raise CapabilityDenied()
    return ChecklistOut(
        steps=[
            StepOut(key=s.key, label=str(s.label), url=s.url, done=s.done, manual=s.manual)
            for s in found.steps
        ],
        dismissed=found.dismissed,
        complete=found.complete,
    )


@router.get(
    "/setup/checklist",
    response={200: ChecklistOut, **READ_ERRORS},
    summary="The first-run checklist (owners)",
)
def checklist_get(request: HttpRequest) -> ChecklistOut:
    return _checklist(api_actor(request))


@router.post(
    "/setup/checklist/tick",
    response={200: ChecklistOut, **ERRORS},
    summary="Mark a checklist step done",
)
def checklist_tick(request: HttpRequest, payload: ChecklistTickIn) -> ChecklistOut:
    actor = api_actor(request)
    checklist.checklist_tick(actor=actor, key=payload.key)
    return _checklist(actor)


@router.post(
    "/setup/checklist/hide",
    response={200: ChecklistOut, **ERRORS},
    summary="Hide the checklist from the home page",
)
def checklist_hide(request: HttpRequest) -> ChecklistOut:
    actor = api_actor(request)
    checklist.checklist_dismiss(actor=actor)
    return _checklist(actor)
