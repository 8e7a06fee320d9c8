"""Money under concurrency, for real: twenty clients hit the production server (gunicorn with
four worker processes) at the same instant, on SQLite and on PostgreSQL (whichever DATABASE_URL
names; scripts/run_tests.py runs both).

Django's `TestCase` cannot show this: `select_for_update` does nothing on SQLite and passes
trivially inside one test transaction. Here every request is its own process-level transaction.

- A card holding exactly five deductions' worth: exactly five of twenty simultaneous deductions
  succeed, the other fifteen get 409 `insufficient_balance`, the balance ends at 0 exactly and the
  card's ledger sums to it.
- The same for a package's sessions used at checkout.
- Twenty identical top-ups with one `Idempotency-Key`: one ledger entry, twenty identical answers.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from tests.live.conftest import PYTHON, LiveServer, LiveTemplate, _run, serve

pytestmark = pytest.mark.live

CLIENTS = 20
WORKERS = 4
PRICE = 1_000  # fen per deduction
AFFORDABLE = 5

#: Run with the server's environment: a service, a card holding AFFORDABLE deductions, a package
#: of AFFORDABLE sessions and a second card for the idempotency test, all through the services.
SALES_SEED = r"""
import json
import sys

import django

django.setup()

from liuke.accounts.models import User
from liuke.customers.models import Customer
from liuke.sales import services
from liuke.sales.models import Service

args = json.loads(sys.argv[1])
owner = User.objects.get(username="owner")
customer = Customer.objects.get(pk=args["customer_id"])
service = Service.objects.create(
    business_id=owner.business_id, category="facial", name="并发测试护理", duration_min=60,
    price_fen=12800,
)
card = services.card_issue(actor=owner, customer_id=customer.pk, branch_id=customer.branch_id,
                           number="CONC-1")
services.card_topup(actor=owner, card_id=card.pk, amount_fen=args["affordable"] * args["price"],
                    method="cash")
spare = services.card_issue(actor=owner, customer_id=customer.pk, branch_id=customer.branch_id,
                            number="CONC-2")
package = services.package_sell(
    actor=owner, customer_id=customer.pk, branch_id=customer.branch_id, name="并发疗程",
    service_ids=[service.pk], sessions=args["affordable"], price_fen=50000, method="wechat",
)
print(json.dumps({"card": card.pk, "spare_card": spare.pk, "package": package.pk,
                  "service": service.pk, "staff": owner.pk, "customer": customer.pk,
                  "branch": customer.branch_id}))
"""


@pytest.fixture(scope="module")
def money_server(
    tmp_path_factory: pytest.TempPathFactory, live_template: LiveTemplate
) -> Iterator[LiveServer]:
    """A server of this module's own: the shared one has two workers, this one four."""
    with serve(tmp_path_factory, live_template, workers=WORKERS) as live:
        yield live


@pytest.fixture(scope="module")
def seeded(money_server: LiveServer) -> dict[str, int]:
    args = {
        "customer_id": money_server.customer_id("张三"),
        "affordable": AFFORDABLE,
        "price": PRICE,
    }
    out = _run([PYTHON, "-c", SALES_SEED, json.dumps(args)], money_server.env, "sales seed")
    return dict(json.loads(out.strip().splitlines()[-1]))


@pytest.fixture(autouse=True)
def _no_server_errors(money_server: LiveServer) -> Iterator[None]:
    money_server.new_errors()
    yield
    errors = money_server.new_errors()
    assert not errors, "the server logged errors:\n" + "\n".join(errors[:40])


def _login(base_url: str, username: str, password: str) -> requests.Session:
    """A client of its own: logged in through the login page, sending the CSRF token."""
    session = requests.Session()
    page = session.get(f"{base_url}/login/", timeout=30)
    assert page.status_code == 200
    answer = session.post(
        f"{base_url}/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base_url}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:500]
    token = session.cookies["csrftoken"]
    assert token is not None
    session.headers["X-CSRFToken"] = token
    return session


@pytest.fixture(scope="module")
def clients(money_server: LiveServer) -> Iterator[list[requests.Session]]:
    """Twenty front-desk clients, each with its own session (as twenty tablets would be)."""
    sessions: list[requests.Session] = []
    errors: list[BaseException] = []

    def login() -> None:
        try:
            session = _login(money_server.url, *money_server.front_desk)
        except BaseException as exc:
            errors.append(exc)
        else:
            sessions.append(session)

    threads = [threading.Thread(target=login) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    yield sessions
    for s in sessions:
        s.close()


def _all_at_once(
    sessions: list[requests.Session], send: Callable[[requests.Session], requests.Response]
) -> list[requests.Response]:
    """Each client sends its request as soon as all of them are ready (a barrier)."""
    barrier = threading.Barrier(len(sessions))
    answers: list[requests.Response | None] = [None] * len(sessions)
    errors: list[BaseException] = []

    def run(i: int, session: requests.Session) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = send(session)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def _statuses(answers: list[requests.Response]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for a in answers:
        counts[a.status_code] = counts.get(a.status_code, 0) + 1
    return counts


def _get(session: requests.Session, url: str) -> Any:
    answer = session.get(url, timeout=30)
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()


def test_twenty_deductions_at_once_from_a_card_holding_five(
    money_server: LiveServer, seeded: dict[str, int], clients: list[requests.Session]
) -> None:
    # given a card holding exactly five deductions' worth
    url = f"{money_server.url}/api/v1/cards/{seeded['card']}"
    assert _get(clients[0], url)["balance_fen"] == AFFORDABLE * PRICE

    # when twenty clients deduct one each at the same moment
    answers = _all_at_once(
        clients,
        lambda s: s.post(f"{url}/deductions", json={"amount_fen": PRICE}, timeout=60),
    )

    # then exactly five succeed and fifteen are told the balance is insufficient
    assert _statuses(answers) == {200: AFFORDABLE, 409: CLIENTS - AFFORDABLE}, [
        (a.status_code, a.text[:200]) for a in answers
    ]
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.json()["code"] == "insufficient_balance"
    card = _get(clients[0], url)
    assert card["balance_fen"] == 0
    assert (card["paid_fen"], card["bonus_fen"]) == (0, 0)
    entries = card["entries"]
    assert [e["kind"] for e in sorted(entries, key=lambda e: e["seq"])] == ["topup"] + [
        "deduct"
    ] * AFFORDABLE
    assert sorted(e["seq"] for e in entries) == list(range(1, AFFORDABLE + 2))
    assert sum(e["paid_delta_fen"] + e["bonus_delta_fen"] for e in entries) == 0


def test_twenty_checkouts_at_once_using_a_package_of_five_sessions(
    money_server: LiveServer, seeded: dict[str, int], clients: list[requests.Session]
) -> None:
    # given a package of five sessions
    package_url = f"{money_server.url}/api/v1/packages/{seeded['package']}"
    assert _get(clients[0], package_url)["remaining"] == AFFORDABLE
    body: dict[str, Any] = {
        "customer_id": seeded["customer"],
        "branch_id": seeded["branch"],
        "lines": [
            {
                "service_id": seeded["service"],
                "staff_id": seeded["staff"],
                "package_id": seeded["package"],
            }
        ],
        "payments": [],
    }

    # when twenty front desks check out a session of it at the same moment
    answers = _all_at_once(
        clients, lambda s: s.post(f"{money_server.url}/api/v1/visits", json=body, timeout=60)
    )

    # then five visits are made and fifteen are refused for want of sessions
    assert _statuses(answers) == {201: AFFORDABLE, 409: CLIENTS - AFFORDABLE}, [
        (a.status_code, a.text[:200]) for a in answers
    ]
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.json()["code"] == "insufficient_balance"
    visits = [a.json() for a in answers if a.status_code == 201]
    assert len({v["id"] for v in visits}) == AFFORDABLE
    # the five sessions used are worth the package's price exactly
    assert sum(v["lines"][0]["package_value_fen"] for v in visits) == 50000
    package = _get(clients[0], package_url)
    assert package["remaining"] == 0
    entries = sorted(package["entries"], key=lambda e: e["seq"])
    assert [e["kind"] for e in entries] == ["sale"] + ["use"] * AFFORDABLE
    assert sum(e["sessions_delta"] for e in entries) == 0 == entries[-1]["sessions_after"]


def test_twenty_identical_topups_with_one_idempotency_key(
    money_server: LiveServer, seeded: dict[str, int], clients: list[requests.Session]
) -> None:
    # given one top-up request with one Idempotency-Key (the key belongs to the user: all twenty
    # clients are the same front-desk user, e.g. a retry storm from several tabs)
    url = f"{money_server.url}/api/v1/cards/{seeded['spare_card']}"
    key = f"topup-{uuid.uuid4()}"
    one = clients[0]

    # when it is sent twenty times at once
    answers = _all_at_once(
        clients,
        lambda s: s.post(
            f"{url}/topups",
            json={"amount_fen": 88_800, "method": "wechat"},
            headers={"Idempotency-Key": key},
            timeout=60,
        ),
    )

    # then the card is topped up once and every answer is the same
    assert _statuses(answers) == {200: CLIENTS}, [(a.status_code, a.text[:200]) for a in answers]
    assert len({a.text for a in answers}) == 1
    card = _get(one, url)
    assert card["balance_fen"] == 88_800
    assert [e["kind"] for e in card["entries"]] == ["topup"]
    assert answers[0].json()["entries"] == card["entries"]
