"""No double booking under concurrency, for real: forty clients hit the production server
(gunicorn with four worker processes) at the same instant, on SQLite and on PostgreSQL
(whichever DATABASE_URL names; scripts/run_tests.py runs both).

- Forty bookings of one staff member at one time: exactly one succeeds, thirty-nine get 409
  `slot_taken`.
- Forty moves of forty appointments onto one staff member at one time: exactly one succeeds.
- Forty bookings (forty different staff members) of a bed of count 2 at one time: exactly two
  succeed, on two different units.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from tests.live.conftest import PYTHON, LiveServer, LiveTemplate, _run, serve
from tests.live.test_money_concurrency import _all_at_once, _login, _statuses

pytestmark = pytest.mark.live

CLIENTS = 40
WORKERS = 4

#: Forty beauticians of 静安店, a service of an hour and a bed of count 2, made through the
#: services in the server's environment.
SEED = r"""
import json
import sys

import django

django.setup()

from liuke.accounts.choices import Role
from liuke.accounts.models import User
from liuke.appointments import services
from liuke.sales.models import Service

args = json.loads(sys.argv[1])
owner = User.objects.get(username="owner")
branch = owner.branches.get(name="静安店")
staff = []
for n in range(args["clients"]):
    member = User.objects.create(username=f"appt{n}", business=owner.business,
                                 role=Role.BEAUTICIAN, display_name=f"美容师{n}")
    member.branches.add(branch)
    staff.append(member.pk)
service = Service.objects.create(business=owner.business, category="facial", name="并发预约护理",
                                 duration_min=60, price_fen=12800)
bed = services.resource_create(actor=owner, branch_id=branch.pk, name="并发美容床", kind="bed",
                               count=2)
print(json.dumps({"staff": staff, "service": service.pk, "bed": bed.pk, "branch": branch.pk,
                  "zone": branch.time_zone}))
"""


@pytest.fixture(scope="module")
def book_server(
    tmp_path_factory: pytest.TempPathFactory, live_template: LiveTemplate
) -> Iterator[LiveServer]:
    with serve(tmp_path_factory, live_template, workers=WORKERS) as live:
        yield live


@pytest.fixture(scope="module")
def seeded(book_server: LiveServer) -> dict[str, Any]:
    out = _run([PYTHON, "-c", SEED, json.dumps({"clients": CLIENTS})], book_server.env, "seed")
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    data["customer"] = book_server.customer_id("张三")
    return data


@pytest.fixture(autouse=True)
def _no_server_errors(book_server: LiveServer) -> Iterator[None]:
    book_server.new_errors()
    yield
    errors = book_server.new_errors()
    assert not errors, "the server logged errors:\n" + "\n".join(errors[:40])


#: Real logins: each a password hash on the server, so forty at once only time out on a busy
#: machine; forty clients share these sessions (several tablets of one front desk).
LOGINS = 8


@pytest.fixture(scope="module")
def clients(book_server: LiveServer) -> Iterator[list[requests.Session]]:
    """Forty front-desk clients, each its own connection, on eight logged-in sessions."""
    logged_in = [_login(book_server.url, *book_server.front_desk) for _ in range(LOGINS)]
    sessions = []
    for n in range(CLIENTS):
        session = requests.Session()
        source = logged_in[n % LOGINS]
        session.cookies.update(source.cookies)
        session.headers.update(source.headers)
        sessions.append(session)
    yield sessions
    for s in [*sessions, *logged_in]:
        s.close()


def _at(seeded: dict[str, Any], days: int, hour: int) -> str:
    zone = ZoneInfo(seeded["zone"])
    day = dt.datetime.now(zone).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).isoformat()


def _booking(seeded: dict[str, Any], staff: int, start: str, **more: Any) -> dict[str, Any]:
    return {
        "branch_id": seeded["branch"],
        "customer_id": seeded["customer"],
        "items": [{"service_id": seeded["service"], "staff_id": staff, "start_at": start, **more}],
    }


def _refusals_are_slot_taken(answers: list[requests.Response]) -> None:
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.json()["code"] == "slot_taken"


def _day(
    book_server: LiveServer, session: requests.Session, seeded: dict[str, Any], days: int
) -> Any:
    day = _at(seeded, days, 0)[:10]
    answer = session.get(
        f"{book_server.url}/api/v1/appointments",
        params={"branch_id": seeded["branch"], "day": day},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()["appointments"]


def test_forty_bookings_of_one_staff_member_at_once(
    book_server: LiveServer, seeded: dict[str, Any], clients: list[requests.Session]
) -> None:
    # given one staff member and one time
    body = _booking(seeded, seeded["staff"][0], _at(seeded, 1, 10))

    # when forty front desks book it at the same moment
    answers = _all_at_once(
        clients, lambda s: s.post(f"{book_server.url}/api/v1/appointments", json=body, timeout=60)
    )

    # then exactly one booking is made and the others are told the time is taken
    assert _statuses(answers) == {201: 1, 409: CLIENTS - 1}, [
        (a.status_code, a.text[:200]) for a in answers
    ]
    _refusals_are_slot_taken(answers)
    assert len(_day(book_server, clients[0], seeded, 1)) == 1


def test_forty_moves_onto_one_staff_member_at_once(
    book_server: LiveServer, seeded: dict[str, Any], clients: list[requests.Session]
) -> None:
    # given forty appointments with forty staff members at one time
    items = []
    for i, session in enumerate(clients):
        made = session.post(
            f"{book_server.url}/api/v1/appointments",
            json=_booking(seeded, seeded["staff"][i], _at(seeded, 2, 10)),
            timeout=60,
        )
        assert made.status_code == 201, made.text[:500]
        items.append(made.json()["items"][0]["id"])
    target = {"start_at": _at(seeded, 3, 14), "staff_id": seeded["staff"][1]}

    # when each front desk moves its own onto one staff member at one time, all at once
    moved = iter(range(CLIENTS))
    lock = threading.Lock()

    def move(session: requests.Session) -> requests.Response:
        with lock:
            item = items[next(moved)]
        return session.post(
            f"{book_server.url}/api/v1/appointments/items/{item}/move", json=target, timeout=60
        )

    answers = _all_at_once(clients, move)

    # then exactly one moves, and the other thirty-nine stay where they were
    assert _statuses(answers) == {200: 1, 409: CLIENTS - 1}, [
        (a.status_code, a.text[:200]) for a in answers
    ]
    _refusals_are_slot_taken(answers)
    assert len(_day(book_server, clients[0], seeded, 3)) == 1
    assert len(_day(book_server, clients[0], seeded, 2)) == CLIENTS - 1


def test_forty_bookings_of_a_bed_of_count_two_at_once(
    book_server: LiveServer, seeded: dict[str, Any], clients: list[requests.Session]
) -> None:
    # given a bed of count 2 and forty staff members free at one time
    start = _at(seeded, 4, 10)
    turns = iter(range(CLIENTS))
    lock = threading.Lock()

    def book(session: requests.Session) -> requests.Response:
        with lock:
            staff = seeded["staff"][next(turns)]
        body = _booking(seeded, staff, start, resource_id=seeded["bed"])
        return session.post(f"{book_server.url}/api/v1/appointments", json=body, timeout=60)

    # when forty front desks book the bed at the same moment
    answers = _all_at_once(clients, book)

    # then exactly two succeed, on the bed's two units
    assert _statuses(answers) == {201: 2, 409: CLIENTS - 2}, [
        (a.status_code, a.text[:200]) for a in answers
    ]
    _refusals_are_slot_taken(answers)
    units = sorted(a.json()["items"][0]["resource_unit"] for a in answers if a.status_code == 201)
    assert units == [0, 1]
