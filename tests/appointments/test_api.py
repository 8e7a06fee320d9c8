"""The appointments API: the same rules as the services, in the shared error shape; times on
the branch's clock; a booking with an Idempotency-Key books once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from tests.appointments.helpers import Salon, at, book, counts, item

from liuke.accounts.models import User
from liuke.appointments.models import Appointment, BookingSettings, Resource

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _body(salon: Salon, *items: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "branch_id": salon.branch.pk,
        "customer_id": salon.customer.pk,
        "items": [
            {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in i.items()}
            for i in items
        ],
        **more,
    }


def test_book_then_the_same_slot_answers_409_slot_taken(
    salon: Salon, front_a_client: Client
) -> None:
    start = at(salon.branch, 1, 10)
    first = _post(
        front_a_client, "/api/v1/appointments", _body(salon, item(salon.facial, salon.lin, start))
    )
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["customer_name"] == "林小雨"
    assert data["items"][0]["start_at"] == start.isoformat()  # on the branch's clock: +08:00
    second = _post(
        front_a_client,
        "/api/v1/appointments",
        _body(salon, item(salon.massage, salon.lin, start + dt.timedelta(minutes=30))),
    )
    assert second.status_code == 409
    assert second.json()["code"] == "slot_taken"
    assert set(second.json()) == {"code", "message", "fields"}


def test_an_idempotency_key_books_once(salon: Salon, front_a_client: Client) -> None:
    body = _body(salon, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    answers = [
        _post(front_a_client, "/api/v1/appointments", body, **{"Idempotency-Key": "book-0001"})
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"end_at": "start"}, 400, "end_before_start"),
        ({"start_at": "past"}, 400, "in_the_past"),
        ({"start_at": "late"}, 400, "outside_hours"),
        ({"staff": "zhou"}, 400, "staff_not_at_branch"),
        ({"start_at": "2999-01-01T10:00:00+08:00"}, 400, "date_out_of_range"),
        ({"start_at": 12}, 422, "validation_error"),
    ],
)
def test_bad_input_gets_its_code_and_writes_nothing(
    salon: Salon, front_a_client: Client, change: dict[str, Any], status: int, code: str
) -> None:
    start = at(salon.branch, 1, 10)
    one = item(salon.facial, salon.lin, start)
    values = {
        "start": start,
        "past": start - dt.timedelta(days=3),
        "late": at(salon.branch, 1, 21, 30),
        "zhou": salon.zhou.pk,
    }
    for key, value in change.items():
        target = "staff_id" if key == "staff" else key
        one[target] = values.get(value, value) if isinstance(value, str) else value
    before = counts()
    answer = _post(front_a_client, "/api/v1/appointments", _body(salon, one))
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.content
    assert counts() == before


def test_a_manager_books_outside_the_hours_with_the_override(
    salon: Salon, manager_a_client: Client, front_a_client: Client
) -> None:
    late = item(salon.facial, salon.lin, at(salon.branch, 1, 21, 30))
    refused = _post(front_a_client, "/api/v1/appointments", _body(salon, late, override=True))
    assert refused.status_code == 403
    done = _post(manager_a_client, "/api/v1/appointments", _body(salon, late, override=True))
    assert done.status_code == 201
    assert done.json()["outside_hours"] is True


def test_move_status_cancel_and_the_day(
    salon: Salon, front_a: User, front_a_client: Client
) -> None:
    # a notice of 48 hours: tomorrow is inside it whatever the time of day now
    BookingSettings.objects.create(business=salon.branch.business, cancel_notice_hours=48)
    a = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    b = book(salon, front_a, item(salon.facial, salon.wu, at(salon.branch, 1, 10)))
    item_id = a.items.get().pk
    moved = _post(
        front_a_client,
        f"/api/v1/appointments/items/{item_id}/move",
        {"start_at": at(salon.branch, 1, 12).isoformat(), "staff_id": salon.wu.pk},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["items"][0]["staff_id"] == salon.wu.pk
    clash = _post(
        front_a_client,
        f"/api/v1/appointments/items/{item_id}/move",
        {"start_at": at(salon.branch, 1, 10, 30).isoformat()},
    )
    assert (clash.status_code, clash.json()["code"]) == (409, "slot_taken")
    confirmed = _post(
        front_a_client, f"/api/v1/appointments/{a.pk}/status", {"status": "confirmed"}
    )
    assert confirmed.json()["status"] == "confirmed"
    wrong = _post(front_a_client, f"/api/v1/appointments/{a.pk}/status", {"status": "completed"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "invalid_transition")
    cancelled = _post(
        front_a_client,
        f"/api/v1/appointments/{b.pk}/cancel",
        {"reason": "改天", "by_customer": True},
    )
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["late_cancellation"] is True
    day = at(salon.branch, 1, 0).date().isoformat()
    book_ = front_a_client.get(f"/api/v1/appointments?branch_id={salon.branch.pk}&day={day}")
    assert book_.status_code == 200
    assert book_.json()["time_zone"] == "Asia/Shanghai"
    assert {x["id"]: x["status"] for x in book_.json()["appointments"]} == {
        a.pk: "confirmed",
        b.pk: "cancelled",
    }
    history = front_a_client.get(f"/api/v1/appointments/customers/{salon.customer.pk}")
    assert history.json()["late_cancellations"] == 1


def test_the_beautician_sees_names_and_services_of_her_own_column_only(
    salon: Salon, front_a: User, beautician_a: User, beautician_a_client: Client
) -> None:
    book(salon, front_a, item(salon.facial, beautician_a, at(salon.branch, 1, 10)))
    book(salon, front_a, item(salon.massage, salon.wu, at(salon.branch, 1, 10)))
    day = at(salon.branch, 1, 0).date().isoformat()
    answer = beautician_a_client.get(f"/api/v1/appointments?branch_id={salon.branch.pk}&day={day}")
    rows = answer.json()["appointments"]
    assert [(r["customer_name"], r["items"][0]["service_name"]) for r in rows] == [
        ("林小雨", "面部护理")
    ]
    assert "_fen" not in answer.content.decode()  # no spend at all on the book


def test_resources_over_the_api(
    salon: Salon, manager_a_client: Client, front_a_client: Client, front_b_client: Client
) -> None:
    body = {"branch_id": salon.branch.pk, "name": "一号房", "kind": "room", "count": 1}
    assert _post(front_a_client, "/api/v1/appointments/resources", body).status_code == 403
    made = _post(manager_a_client, "/api/v1/appointments/resources", body)
    assert made.status_code == 201
    rid = made.json()["id"]
    patched = manager_a_client.patch(
        f"/api/v1/appointments/resources/{rid}",
        json.dumps({"count": 2, "is_active": False}),
        content_type="application/json",
    )
    assert patched.json()["count"] == 2
    assert patched.json()["is_active"] is False
    listed = front_a_client.get(f"/api/v1/appointments/resources?branch_id={salon.branch.pk}")
    assert {r["name"] for r in listed.json()} == {"美容床", "光子仪", "一号房"}
    assert front_b_client.get(f"/api/v1/appointments/resources/{rid}").status_code == 404
    need = manager_a_client.put(
        "/api/v1/appointments/service-resources",
        json.dumps({"service_id": salon.facial.pk, "kind": "bed"}),
        content_type="application/json",
    )
    assert need.status_code == 200
    assert manager_a_client.get("/api/v1/appointments/service-resources").json()[0]["kind"] == "bed"
    gone = manager_a_client.delete(f"/api/v1/appointments/service-resources/{salon.facial.pk}")
    assert gone.status_code == 204
    assert Resource.objects.get(pk=rid).count == 2
