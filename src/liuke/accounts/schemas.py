"""Typed inputs of setting up a business (branches, staff, the first-run checklist), shared by
the API (request bodies) and the pages (`liuke.core.inputs.parse_form`).

The models check the shape (lengths, ids, a role that exists); the services decide the rest
(which branches and roles the acting user may give, the last owner, the last open branch).
Unknown fields are refused: there is nothing else to set, in particular no capability (a
role's capabilities are the role table's, docs/security.md).
"""

from __future__ import annotations

from typing import Annotated

from ninja import Field
from pydantic import ConfigDict, Strict

from liuke.accounts.choices import Role
from liuke.accounts.errors import AccountsErrorCode
from liuke.core.api import JsonObjectIn
from liuke.core.inputs import ClockTime, one_of

#: A row id typed in: positive and within a 63-bit column.
Id = Annotated[int, Field(ge=1, le=2**62)]
Name = Annotated[str, Field(max_length=100)]
#: A role: an enum in the OpenAPI schema; anything else refused with the role's own code.
RoleName = Annotated[Role, Strict(False), one_of(Role.values, AccountsErrorCode.INVALID_ROLE)]
BranchIds = Annotated[list[Id], Field(max_length=200)]


class _In(JsonObjectIn):
    model_config = ConfigDict(extra="forbid")


class BranchIn(_In):
    """A new branch, or (every field optional) a change to one (`BranchPatch`)."""

    name: Name
    code: Annotated[str, Field(max_length=20)] = ""
    address: Annotated[str, Field(max_length=200)] = ""
    phone: Annotated[str, Field(max_length=30)] = ""
    time_zone: Annotated[str, Field(max_length=50)] = "Asia/Shanghai"
    opens_at: ClockTime | None = None
    closes_at: ClockTime | None = None
    receipt_header: Annotated[str, Field(max_length=200)] = ""
    receipt_footer: Annotated[str, Field(max_length=200)] = ""


class BranchPatch(_In):
    """What changes on a branch: only the fields sent (opening hours go together)."""

    name: Name | None = None
    code: Annotated[str, Field(max_length=20)] | None = None
    address: Annotated[str, Field(max_length=200)] | None = None
    phone: Annotated[str, Field(max_length=30)] | None = None
    time_zone: Annotated[str, Field(max_length=50)] | None = None
    opens_at: ClockTime | None = None
    closes_at: ClockTime | None = None
    receipt_header: Annotated[str, Field(max_length=200)] | None = None
    receipt_footer: Annotated[str, Field(max_length=200)] | None = None


class StaffInviteIn(_In):
    """A staff member to invite: reached (and logging in) by mobile or e-mail."""

    display_name: Annotated[str, Field(max_length=50)]
    mobile: Annotated[str, Field(max_length=32)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    role: RoleName
    branch_ids: BranchIds = []


class StaffPatch(_In):
    """What changes on a staff member: only the fields sent."""

    display_name: Annotated[str, Field(max_length=50)] | None = None
    role: RoleName | None = None
    branch_ids: BranchIds | None = None


class StaffLeaveIn(_In):
    """A staff member leaves: who takes over their customers, and why."""

    successor_id: Id | None = None
    reason: Annotated[str, Field(max_length=500)] = ""


class PasswordIn(_In):
    """The password an invited staff member chooses, typed twice."""

    password: Annotated[str, Field(max_length=128)]
    password_again: Annotated[str, Field(max_length=128)]


class ChecklistTickIn(_In):
    key: Annotated[str, Field(max_length=40)]
