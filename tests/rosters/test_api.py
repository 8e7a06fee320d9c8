"""The roster's API: read a branch's week, set a weekday, add and take back an exception; the
error shape of each refusal; who may."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from liuke.accounts.models import Branch, User
from liuke.rosters.models import RosterException, RosterSpan

pytestmark = pytest.mark.django_db

API = "/api/v1"
#: a day ahead, within the planning range
SOON = (dt.date.today() + dt.timedelta(days=7)).isoformat()


def send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method.lower())(
        API + path, data=json.dumps(body), content_type="application/json"
    )


def test_the_owner_sets_a_week_and_exceptions_through_the_api(
    owner_client: Client, beautician_a: User, branch_a: Branch
) -> None:
    path = f"/rosters/{branch_a.pk}/staff/{beautician_a.pk}"
    day = send(
        owner_client,
        "PUT",
        f"{path}/days/0",
        {
            "work": [
                {"starts_at": "10:00", "ends_at": "14:00"},
                {"starts_at": "15:00", "ends_at": "20:00"},
            ],
            "breaks": [{"starts_at": "12:00", "ends_at": "12:30"}],
        },
    )  # fmt: skip
    assert day.status_code == 200, day.content
    assert day.json()["work"] == [
        {"starts_at": "10:00", "ends_at": "14:00"},
        {"starts_at": "15:00", "ends_at": "20:00"},
    ]
    added = send(
        owner_client, "POST", f"{path}/exceptions",
        {"day": SOON, "kind": "extra", "starts_at": "18:00", "ends_at": "21:00",
         "reason": "活动"},
    )  # fmt: skip
    assert added.status_code == 201, added.content
    week = owner_client.get(f"{API}/rosters/{branch_a.pk}?staff_id={beautician_a.pk}").json()
    assert (week["opens_at"], week["closes_at"]) == ("09:00", "22:00")
    [member] = week["staff"]
    assert member["staff_id"] == beautician_a.pk
    assert member["days"][0]["breaks"] == [{"starts_at": "12:00", "ends_at": "12:30"}]
    assert member["days"][1] == {"weekday": 1, "work": [], "breaks": []}
    assert [e["kind"] for e in week["exceptions"]] == ["extra"]
    removed = send(owner_client, "POST", f"/rosters/exceptions/{added.json()['id']}/remove", {})
    assert removed.json()["id"] == added.json()["id"]
    assert not RosterException.objects.exists()


@pytest.mark.parametrize(
    ("method", "suffix", "body", "status", "code"),
    [
        ("PUT", "days/2", {"work": [{"starts_at": "07:00", "ends_at": "12:00"}]}, 400,
         "outside_opening_hours"),
        ("PUT", "days/2", {"work": [{"starts_at": "7 am", "ends_at": "12:00"}]}, 422,
         "validation_error"),
        ("PUT", "days/2", {"work": [], "holidays": []}, 422, "validation_error"),
        ("POST", "exceptions", {"day": SOON, "kind": "party"}, 422, "validation_error"),
        ("POST", "exceptions", {"day": SOON, "kind": "extra", "starts_at": "23:00",
                                "ends_at": "23:30"}, 400, "outside_opening_hours"),
        ("POST", "exceptions", {"day": SOON, "kind": "leave", "starts_at": "12:00"}, 400,
         "invalid_span"),
        ("POST", "exceptions", {"day": "2099-05-07", "kind": "leave"}, 400, "date_out_of_range"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_error_and_nothing_is_written(
    owner_client: Client,
    beautician_a: User,
    branch_a: Branch,
    method: str,
    suffix: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = send(
        owner_client, method, f"/rosters/{branch_a.pk}/staff/{beautician_a.pk}/{suffix}", body
    )
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not RosterSpan.objects.exists()
    assert not RosterException.objects.exists()


def test_who_may_read_and_set_rosters_through_the_api(
    client_for: Any,
    beautician_a_client: Client,
    front_b_client: Client,
    outsider_client: Client,
    manager_a_client: Client,
    beautician_a: User,
    front_a: User,
    branch_a: Branch,
) -> None:
    path = f"/rosters/{branch_a.pk}/staff/{front_a.pk}/days/0"
    body = {"work": [{"starts_at": "10:00", "ends_at": "18:00"}]}
    assert send(manager_a_client, "PUT", path, body).status_code == 200
    assert send(beautician_a_client, "PUT", path, body).status_code == 403
    assert send(front_b_client, "PUT", path, body).status_code == 403
    assert send(outsider_client, "PUT", path, body).status_code == 404
    assert front_b_client.get(f"{API}/rosters/{branch_a.pk}").status_code == 404
    # a beautician sees her own roster only; the front desk sees everyone's
    own = beautician_a_client.get(f"{API}/rosters/{branch_a.pk}").json()
    assert [m["staff_id"] for m in own["staff"]] == [beautician_a.pk]
    desk = client_for(front_a).get(f"{API}/rosters/{branch_a.pk}").json()
    assert {beautician_a.pk, front_a.pk} <= {m["staff_id"] for m in desk["staff"]}
