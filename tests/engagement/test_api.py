from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from tests.engagement.helpers import visit_with_followups
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.customers.services import customer_update
from liuke.engagement import dispatch, jobs, services
from liuke.engagement.choices import MessageStatus
from liuke.engagement.models import Contact, ContactReason, Message

pytestmark = pytest.mark.django_db
API = "/api/v1/engagement"


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def reason(owner: User) -> ContactReason:
    assert owner.business_id is not None
    services.defaults_ensure(business_id=owner.business_id)
    return ContactReason.objects.get(code="booking")


def test_log_a_contact_and_read_it_back(
    front_a: User, branch_a: Branch, front_a_client: Client, reason: ContactReason
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a)
    response = _post(
        front_a_client,
        f"{API}/contacts",
        {
            "customer_id": customer.pk,
            "channel": "wechat",
            "direction": "in",
            "reason_id": reason.pk,
            "outcome": "callback",
            "wait_seconds": 40,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["callback_task_id"] is not None
    listed = front_a_client.get(f"{API}/customers/{customer.pk}/contacts").json()
    assert [c["id"] for c in listed] == [body["id"]]
    tasks = front_a_client.get(f"{API}/tasks").json()
    assert [t["id"] for t in tasks] == [body["callback_task_id"]]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"outcome": "maybe"}, 422, "validation_error"),
        ({"reason_id": 999999}, 400, "invalid_reason"),
        ({"customer_id": 999999}, 404, "not_found"),
        ({"wait_seconds": -5}, 422, "validation_error"),
    ],
)
def test_bad_contacts_get_the_shared_error_shape(
    front_a: User,
    branch_a: Branch,
    front_a_client: Client,
    reason: ContactReason,
    change: dict[str, Any],
    status: int,
    code: str,
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a)
    data = {
        "customer_id": customer.pk,
        "channel": "phone",
        "direction": "in",
        "reason_id": reason.pk,
        "outcome": "resolved",
        **change,
    }
    response = _post(front_a_client, f"{API}/contacts", data)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "fields"}
    assert not Contact.objects.exists()


def test_anonymous_and_outsiders_get_nothing(
    client: Client, outsider_client: Client, owner: User, beautician_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    assert client.get(f"{API}/followups").status_code == 401
    assert outsider_client.get(f"{API}/followups?view=today").json() == []
    response = _post(outsider_client, f"{API}/followups/{day1.pk}/done", {"outcome": "satisfied"})
    assert response.status_code == 404
    assert outsider_client.get(f"{API}/customers/{customer.pk}/brief").status_code == 404


def test_follow_ups_listed_completed_and_rescheduled(
    owner: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1, day7, _ = visit_with_followups(customer=customer, served_by=beautician_a)
    today = beautician_a_client.get(f"{API}/followups?view=today").json()
    assert [f["id"] for f in today] == [day1.pk]
    done = _post(
        beautician_a_client,
        f"{API}/followups/{day1.pk}/done",
        {"outcome": "satisfied", "note": "满意"},
    )
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    again = _post(beautician_a_client, f"{API}/followups/{day1.pk}/done", {"outcome": "satisfied"})
    assert again.status_code == 400
    assert again.json()["code"] == "followup_closed"
    moved = _post(
        beautician_a_client,
        f"{API}/followups/{day7.pk}/reschedule",
        {"due_on": (day7.due_on + dt.timedelta(days=2)).isoformat()},
    )
    assert moved.status_code == 200
    assert moved.json()["planned_on"] == day7.planned_on.isoformat()


def test_reports_and_brief(
    owner: User, manager_a: User, beautician_a: User, branch_a: Branch, manager_a_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a, allergies="酒精过敏")
    visit_with_followups(customer=customer, served_by=beautician_a)
    report = manager_a_client.get(f"{API}/reports?days=30")
    assert report.status_code == 200
    assert report.json()["total"] == 0
    brief = manager_a_client.get(f"{API}/customers/{customer.pk}/brief").json()
    assert brief["allergies"] == "酒精过敏"
    assert len(brief["open_followups"]) == 3
    assert brief["suggested_actions"]


def test_the_outbox_and_consent_withdrawal(
    owner: User, front_a: User, branch_a: Branch, front_a_client: Client
) -> None:
    when = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    keeps = customer_make(
        actor=owner, branch=branch_a, birthday=dt.date(1990, 5, 8), marketing_consent=True
    )
    withdraws = customer_make(
        actor=owner, branch=branch_a, birthday=dt.date(1991, 5, 8), marketing_consent=True
    )
    with time_machine.travel(when, tick=False):
        jobs.daily_run()
        dispatch.dispatch()
    ready = front_a_client.get(f"{API}/outbox?status=ready").json()
    assert {m["customer_id"] for m in ready} == {keeps.pk, withdraws.pk}
    customer_update(actor=owner, customer_id=withdraws.pk, data={"marketing_consent": False})
    refused = _post(
        front_a_client,
        f"{API}/outbox/{Message.objects.get(customer=withdraws).pk}/sent",
        {},
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "no_marketing_consent"
    sent = _post(front_a_client, f"{API}/outbox/{Message.objects.get(customer=keeps).pk}/sent", {})
    assert sent.status_code == 200
    assert sent.json()["sent_by_id"] == front_a.pk
    statuses = dict(Message.objects.values_list("customer_id", "status"))
    assert statuses == {keeps.pk: MessageStatus.SENT, withdraws.pk: MessageStatus.CANCELLED}


@pytest.mark.parametrize(
    ("when", "status", "code"),
    [
        ("2026-01-01T10:00:00", 201, None),  # naive: read in the salon's time zone
        ("1900-01-01T10:00:00+08:00", 400, "invalid_datetime"),
        ("2999-01-01T10:00:00+08:00", 400, "date_out_of_range"),  # past 2100
    ],
)
def test_contact_times_are_checked(
    front_a: User,
    branch_a: Branch,
    front_a_client: Client,
    reason: ContactReason,
    when: str,
    status: int,
    code: str | None,
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a)
    response = _post(
        front_a_client,
        f"{API}/contacts",
        {"customer_id": customer.pk, "channel": "phone", "direction": "in",
         "reason_id": reason.pk, "outcome": "resolved", "occurred_at": when},
    )  # fmt: skip
    assert response.status_code == status, response.content
    assert response.json().get("code") == code


def test_reasons_over_the_api(
    manager_a_client: Client, front_a_client: Client, reason: ContactReason
) -> None:
    listed = front_a_client.get(f"{API}/reasons").json()
    booking = next(r for r in listed if r["code"] == "booking")
    assert booking["best_response"] == reason.response_zh  # the default language: Chinese
    data = {"code": "gift", "name_zh": "礼品卡", "response_zh": "最快的方式是在前台购买礼品卡。"}
    assert _post(front_a_client, f"{API}/reasons", data).status_code == 403
    created = _post(manager_a_client, f"{API}/reasons", data)
    assert created.status_code == 201
    duplicate = _post(manager_a_client, f"{API}/reasons", data)
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "invalid_reason_data"
    changed = manager_a_client.put(
        f"{API}/reasons/{created.json()['id']}",
        json.dumps({**data, "is_active": False}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json()["is_active"] is False
    assert "gift" not in {r["code"] for r in front_a_client.get(f"{API}/reasons").json()}
