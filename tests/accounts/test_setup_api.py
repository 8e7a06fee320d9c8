"""The API of setting up (accounts.api_setup): the same services as the pages, the one error
shape with stable codes, and the refusals by role and scope."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from liuke.accounts.models import Branch, User

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, path: str, body: Any = None) -> Any:
    raw = json.dumps(body if body is not None else {})
    return client.generic(method, f"/api/v1{path}", raw, content_type="application/json")


def test_the_owner_sets_up_a_branch_through_the_api(owner_client: Client) -> None:
    created = call(owner_client, "POST", "/branches", {"name": "徐汇店", "phone": "021-1"})
    assert created.status_code == 201, created.content
    branch = created.json()
    assert (branch["code"], branch["is_active"]) == ("B01", True)
    changed = call(
        owner_client,
        "PATCH",
        f"/branches/{branch['id']}",
        {"receipt_header": "欢迎光临", "opens_at": "10:00", "closes_at": "20:00"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["receipt_header"] == "欢迎光临"
    assert changed.json()["opens_at"] == "10:00"
    assert changed.json()["closes_at"] == "20:00"
    closed = call(owner_client, "POST", f"/branches/{branch['id']}/close")
    assert closed.json()["is_active"] is False
    listed = call(owner_client, "GET", "/branches/all").json()
    assert [b["name"] for b in listed][-1] == "徐汇店"  # closed ones last
    reopened = call(owner_client, "POST", f"/branches/{branch['id']}/reopen")
    assert reopened.json()["is_active"] is True


def test_refusals_have_their_codes(
    owner_client: Client, manager_a_client: Client, branch_a: Branch, branch_b: Branch
) -> None:
    bad = call(owner_client, "POST", "/branches", {"name": "x", "time_zone": "Nowhere"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_time_zone"
    assert "time_zone" in bad.json()["fields"]
    call(owner_client, "POST", f"/branches/{branch_a.pk}/close")
    last = call(owner_client, "POST", f"/branches/{branch_b.pk}/close")
    assert (last.status_code, last.json()["code"]) == (400, "last_branch")
    # a manager: not the owner's fields, not another branch
    name = call(manager_a_client, "PATCH", f"/branches/{branch_a.pk}", {"name": "改名"})
    assert (name.status_code, name.json()["code"]) == (403, "permission_denied")
    other = call(manager_a_client, "PATCH", f"/branches/{branch_b.pk}", {"phone": "1"})
    assert other.status_code == 404
    unknown = call(owner_client, "PATCH", f"/branches/{branch_a.pk}", {"colour": "red"})
    assert unknown.status_code == 422


def test_invite_change_and_leave_through_the_api(
    manager_a_client: Client, branch_a: Branch, front_a: User
) -> None:
    invited = call(
        manager_a_client,
        "POST",
        "/staff",
        {"display_name": "小美", "mobile": "13912340001", "role": "beautician",
         "branch_ids": [branch_a.pk]},
    )  # fmt: skip
    assert invited.status_code == 201, invited.content
    body = invited.json()
    assert "/welcome/" in body["link"]
    member = body["member"]
    assert (member["username"], member["branches"]) == ("13912340001", [branch_a.pk])
    staff_id = member["id"]
    changed = call(manager_a_client, "PATCH", f"/staff/{staff_id}", {"role": "front_desk"})
    assert changed.json()["role"] == "front_desk"
    above = call(manager_a_client, "PATCH", f"/staff/{staff_id}", {"role": "owner"})
    assert (above.status_code, above.json()["code"]) == (400, "invalid_role")
    link = call(manager_a_client, "POST", f"/staff/{staff_id}/link")
    assert link.json()["link"] != body["link"]
    no_successor = call(manager_a_client, "POST", f"/staff/{staff_id}/leave", {})
    assert no_successor.json()["code"] == "successor_required"
    left = call(manager_a_client, "POST", f"/staff/{staff_id}/leave", {"successor_id": front_a.pk})
    assert left.status_code == 200, left.content
    assert (left.json()["member"]["is_active"], left.json()["moved"]) == (False, 0)
    back = call(manager_a_client, "POST", f"/staff/{staff_id}/rejoin")
    assert back.json()["is_active"] is True


def test_the_last_owner_stays_through_the_api(owner_client: Client, owner: User) -> None:
    demoted = call(owner_client, "PATCH", f"/staff/{owner.pk}", {"role": "manager"})
    assert (demoted.status_code, demoted.json()["code"]) == (400, "last_owner")


def test_staff_lists_are_scoped(
    manager_a_client: Client,
    front_a_client: Client,
    beautician_a_client: Client,
    front_b: User,
    front_a: User,
    owner: User,
) -> None:
    names = {m["username"] for m in call(manager_a_client, "GET", "/staff/members").json()}
    assert front_a.username in names
    assert front_b.username not in names  # another branch
    assert call(manager_a_client, "GET", f"/staff/{front_b.pk}").status_code == 404
    assert call(front_a_client, "GET", f"/staff/{front_a.pk}").status_code == 200
    assert call(beautician_a_client, "GET", "/staff/members").status_code == 403
    invite = call(front_a_client, "POST", "/staff", {"display_name": "x", "role": "beautician"})
    assert invite.status_code == 403


def test_the_checklist_through_the_api(owner_client: Client, manager_a_client: Client) -> None:
    got = call(owner_client, "GET", "/setup/checklist").json()
    assert [s["key"] for s in got["steps"]][:2] == ["branches", "staff"]
    assert got["dismissed"] is False
    ticked = call(owner_client, "POST", "/setup/checklist/tick", {"key": "followups"}).json()
    assert next(s for s in ticked["steps"] if s["key"] == "followups")["done"] is True
    unknown = call(owner_client, "POST", "/setup/checklist/tick", {"key": "x"})
    assert unknown.json()["code"] == "unknown_checklist_item"
    assert call(owner_client, "POST", "/setup/checklist/hide").json()["dismissed"] is True
    assert call(manager_a_client, "GET", "/setup/checklist").status_code == 403
