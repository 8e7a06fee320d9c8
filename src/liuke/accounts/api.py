from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from liuke.accounts import policy
from liuke.accounts.api_setup import BranchDetailOut, InvitedOut, member_out
from liuke.accounts.http import api_actor
from liuke.accounts.models import Branch, User
from liuke.accounts.schemas import BranchIn, StaffInviteIn
from liuke.accounts.selectors import branch_choices, staff_choices
from liuke.accounts.setup import branches as branch_services
from liuke.accounts.setup import staff as staff_services
from liuke.core.api import ERRORS, READ_ERRORS

router = Router(tags=["staff and branches"])


class BranchOut(Schema):
    id: int
    code: str
    name: str
    address: str
    time_zone: str


class StaffOut(Schema):
    id: int
    username: str
    display_name: str
    role: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    business: str
    branches: list[int]
    capabilities: list[str]


@router.get("/me", response={200: MeOut, **READ_ERRORS}, summary="The logged-in staff member")
def me(request: HttpRequest) -> MeOut:
    user: User = api_actor(request)
    ids = policy.branch_ids(user)
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=str(user),
        role=user.role,
        business=str(user.business),
        branches=list(branch_choices(actor=user).values_list("id", flat=True))
        if ids is None
        else ids,
        capabilities=sorted(policy.capabilities(user)),
    )


@router.get("/branches", response={200: list[BranchOut], **READ_ERRORS}, summary="Your branches")
def branches(request: HttpRequest) -> list[Branch]:
    return list(branch_choices(actor=api_actor(request)))


@router.get("/staff", response={200: list[StaffOut], **READ_ERRORS}, summary="Active staff")
def staff(request: HttpRequest) -> list[StaffOut]:
    return [
        StaffOut(id=u.pk, username=u.username, display_name=str(u), role=u.role)
        for u in staff_choices(actor=api_actor(request))
    ]


@router.post("/branches", response={201: BranchDetailOut, **ERRORS}, summary="Add a branch")
def branch_create(request: HttpRequest, payload: BranchIn) -> Status[Any]:
    return Status(201, branch_services.branch_create(actor=api_actor(request), data=payload))


@router.post(
    "/staff",
    response={201: InvitedOut, **ERRORS},
    summary="Invite a staff member (the answer holds their one-time link)",
)
def staff_invite(request: HttpRequest, payload: StaffInviteIn) -> Status[Any]:
    member, link = staff_services.staff_invite(actor=api_actor(request), data=payload)
    return Status(201, InvitedOut(member=member_out(member), link=link))
