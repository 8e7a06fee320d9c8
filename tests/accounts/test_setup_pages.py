"""The pages of setting up: branches, staff, one staff member, with htmx; who sees what."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from liuke.accounts.models import Branch, StaffInvite, User
from liuke.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_the_owner_adds_and_edits_a_branch_on_the_pages(owner_client: Client) -> None:
    page = owner_client.get("/account/branches/")
    assert page.status_code == 200
    assert 'id="branch-add"' in page.content.decode()
    added = owner_client.post(
        "/account/branches/", {"name": "徐汇店", "time_zone": "Asia/Shanghai", "opens_at": ""}
    )
    assert added.status_code == 302
    branch = Branch.objects.get(name="徐汇店")
    saved = owner_client.post(
        f"/account/branches/{branch.pk}/",
        {"name": "徐汇旗舰店", "code": branch.code, "address": "漕溪北路 1 号", "phone": "021-1",
         "time_zone": "Asia/Shanghai", "opens_at": "10:00", "closes_at": "21:30",
         "receipt_header": "欢迎", "receipt_footer": "再见"},
    )  # fmt: skip
    assert saved.status_code == 302
    branch.refresh_from_db()
    assert (branch.name, branch.address, str(branch.closes_at)) == (
        "徐汇旗舰店",
        "漕溪北路 1 号",
        "21:30:00",
    )


def test_a_refused_branch_form_shows_its_errors_and_keeps_the_input(owner_client: Client) -> None:
    page = owner_client.post("/account/branches/", {"name": "新店", "time_zone": "Mars/Base"})
    assert page.status_code == 400
    text = page.content.decode()
    assert 'value="新店"' in text
    assert "Asia/Shanghai" in text  # the message says what to type
    assert not Branch.objects.filter(name="新店").exists()


def test_closing_the_last_branch_says_why(owner_client: Client, branch_a: Branch) -> None:
    Branch.objects.exclude(pk=branch_a.pk).update(is_active=False)
    answer = owner_client.post(f"/account/branches/{branch_a.pk}/close/", follow=True)
    assert "last open branch" in answer.content.decode() or "最后" in answer.content.decode()
    assert Branch.objects.get(pk=branch_a.pk).is_active


def test_a_manager_sees_their_branch_with_its_counter_details_only(
    manager_a_client: Client, branch_a: Branch, branch_b: Branch
) -> None:
    listed = manager_a_client.get("/account/branches/").content.decode()
    assert "静安店" in listed
    assert "浦东店" not in listed
    assert 'id="branch-add"' not in listed
    form = manager_a_client.get(f"/account/branches/{branch_a.pk}/").content.decode()
    assert 'name="address"' in form
    assert 'name="name"' not in form
    assert 'name="opens_at"' not in form
    assert manager_a_client.get(f"/account/branches/{branch_b.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["front_a_client", "beautician_a_client", "outsider_client"])
def test_others_do_not_reach_the_branch_pages(
    who: str, request: pytest.FixtureRequest, branch_a: Branch
) -> None:
    client: Client = request.getfixturevalue(who)
    listed = client.get("/account/branches/")  # another business's owner sees their own
    assert listed.status_code == (200 if who == "outsider_client" else 404)
    assert "静安店" not in listed.content.decode()
    assert client.get(f"/account/branches/{branch_a.pk}/").status_code == 404
    client.post(f"/account/branches/{branch_a.pk}/", {"phone": "1"})
    assert Branch.objects.get(pk=branch_a.pk).phone == ""


def test_the_invite_form_answers_htmx_with_the_link(owner_client: Client, branch_a: Branch) -> None:
    answer = owner_client.post(
        "/account/staff/",
        {"display_name": "小美", "mobile": "13912340001", "role": "beautician",
         "branch_ids": [str(branch_a.pk)]},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert answer.status_code == 200
    text = answer.content.decode()
    assert 'id="invite-link"' in text
    assert "/welcome/" in text
    assert "<html" not in text  # the partial only
    assert StaffInvite.objects.filter(user__username="13912340001").exists()


def test_a_refused_invitation_shows_the_field_errors(
    owner_client: Client, branch_a: Branch
) -> None:
    answer = owner_client.post(
        "/account/staff/", {"display_name": "小美", "role": "beautician"}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert 'value="小美"' in text
    assert "mobile" in text
    assert not User.objects.filter(display_name="小美").exists()


def test_the_staff_page_lists_the_branch_staff_for_a_manager(
    manager_a_client: Client, front_a: User, front_b: User
) -> None:
    text = manager_a_client.get("/account/staff/").content.decode()
    assert front_a.username in text
    assert front_b.username not in text
    assert 'id="invite"' in text


def test_front_desk_reads_the_staff_list_but_invites_no_one(front_a_client: Client) -> None:
    text = front_a_client.get("/account/staff/").content.decode()
    assert 'id="staff"' in text
    assert 'id="invite"' not in text
    front_a_client.post("/account/staff/", {"display_name": "x", "mobile": "13912340009"})
    assert not User.objects.filter(username="13912340009").exists()


def test_a_staff_member_leaves_on_their_page(
    owner_client: Client, beautician_a: User, front_a: User
) -> None:
    page = owner_client.get(f"/account/staff/{beautician_a.pk}/").content.decode()
    assert 'name="successor_id"' in page
    owner_client.post(f"/account/staff/{beautician_a.pk}/leave/", {"successor_id": ""})
    assert User.objects.get(pk=beautician_a.pk).is_active  # no successor: refused
    owner_client.post(f"/account/staff/{beautician_a.pk}/leave/", {"successor_id": str(front_a.pk)})
    assert not User.objects.get(pk=beautician_a.pk).is_active
    link = owner_client.post(f"/account/staff/{beautician_a.pk}/rejoin/")
    assert link.status_code == 302
    made = owner_client.post(f"/account/staff/{beautician_a.pk}/link/", HTTP_HX_REQUEST="true")
    assert "/welcome/" in made.content.decode()


def test_the_branches_and_staff_page_links_to_the_setup_pages(owner_client: Client) -> None:
    text = owner_client.get("/branches/").content.decode()
    assert 'id="manage-branches"' in text
    assert 'id="manage-staff"' in text


def test_leaving_ends_the_sessions_and_the_api_tokens_at_once(
    owner_client: Client, client_for: Any, beautician_a: User, front_a: User
) -> None:
    theirs = client_for(beautician_a)
    _token, secret = api_token_create(actor=beautician_a, name="mine")
    assert theirs.get("/customers/").status_code == 200
    bearer = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/me", headers=bearer).status_code == 200
    owner_client.post(f"/account/staff/{beautician_a.pk}/leave/", {"successor_id": front_a.pk})
    assert theirs.get("/customers/").status_code == 302  # to the login
    assert Client().get("/api/v1/me", headers=bearer).status_code == 401
