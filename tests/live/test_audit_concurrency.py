"""The audit chain under concurrency, for real: sixteen clients read customer profiles at the
same instant through the production server (gunicorn with four worker processes), on SQLite and
on PostgreSQL (whichever DATABASE_URL names; scripts/run_tests.py runs both).

Every read appends an event; appends serialise on the one `AuditHead` row. Afterwards the whole
chain verifies (`liuke audit verify`'s check), there is exactly one event per read, and the
sequence numbers run on without a gap or a duplicate: the chain did not fork.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from tests.live.conftest import PYTHON, LiveServer, LiveTemplate, _run, serve

pytestmark = pytest.mark.live

THREADS = 16
READS_EACH = 25
WORKERS = 4

#: Run with the server's environment: an API token for the owner; the chain's head.
SETUP = r"""
import json

import django

django.setup()

from liuke.accounts.models import User
from liuke.accounts.services import api_token_create
from liuke.audit.models import AuditHead

owner = User.objects.get(username="owner")
_token, secret = api_token_create(actor=owner, name="audit concurrency")
print(json.dumps({"token": secret, "head": AuditHead.objects.get(pk=1).seq,
                  "owner": owner.pk}))
"""

#: Run afterwards: verify the chain and describe the events appended since `head`.
CHECK = r"""
import json
import sys

import django

django.setup()

from liuke.audit.models import AuditEvent, AuditHead
from liuke.audit.verify import verify_chain

head = int(sys.argv[1])
result = verify_chain()
new = list(AuditEvent.objects.filter(seq__gt=head).order_by("seq").values(
    "seq", "action", "fields", "actor_id", "customer_ids", "prev_hash", "hash"))
print(json.dumps({
    "ok": result.ok, "problems": result.problems, "checked": result.checked,
    "head": AuditHead.objects.get(pk=1).seq, "new": new,
    "max_seq": AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first(),
}))
"""


@pytest.fixture(scope="module")
def audit_server(
    tmp_path_factory: pytest.TempPathFactory, live_template: LiveTemplate
) -> Iterator[LiveServer]:
    """A server of this module's own, with four worker processes."""
    with serve(tmp_path_factory, live_template, workers=WORKERS) as live:
        yield live


@pytest.fixture(autouse=True)
def _no_server_errors(audit_server: LiveServer) -> Iterator[None]:
    audit_server.new_errors()
    yield
    errors = audit_server.new_errors()
    assert not errors, "the server logged errors:\n" + "\n".join(errors[:40])


def _python(live: LiveServer, script: str, *args: str) -> dict[str, Any]:
    out = _run([PYTHON, "-c", script, *args], live.env, "a script")
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_simultaneous_reads_do_not_fork_the_chain(audit_server: LiveServer) -> None:
    setup = _python(audit_server, SETUP)
    customers = sorted(audit_server.seed["customers"].values())
    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {setup['token']}"
        start.wait(timeout=60)
        for i in range(READS_EACH):
            customer = customers[(k * READS_EACH + i) % len(customers)]
            answer = session.get(f"{audit_server.url}/api/v1/customers/{customer}", timeout=60)
            with lock:
                statuses.append(answer.status_code)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    reads = THREADS * READS_EACH
    assert statuses == [200] * reads
    check = _python(audit_server, CHECK, str(setup["head"]))
    assert check["ok"], check["problems"]
    new = check["new"]
    # One event per read, and nothing else.
    assert len(new) == reads
    assert {(e["action"], tuple(e["fields"]), e["actor_id"]) for e in new} == {
        ("view", ("profile",), setup["owner"])
    }
    # No gap, no duplicate: seq runs on from the old head to the new one.
    assert [e["seq"] for e in new] == list(range(setup["head"] + 1, setup["head"] + reads + 1))
    assert check["head"] == check["max_seq"] == setup["head"] + reads
    # Each event links to the one before it: one chain, no fork.
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(new))
    assert len({e["prev_hash"] for e in new}) == reads
    # Every customer read was named as often as it was read.
    named: dict[int, int] = {}
    for e in new:
        named[e["customer_ids"][0]] = named.get(e["customer_ids"][0], 0) + 1
    expected: dict[int, int] = {}
    for k in range(THREADS):
        for i in range(READS_EACH):
            c = customers[(k * READS_EACH + i) % len(customers)]
            expected[c] = expected.get(c, 0) + 1
    assert named == expected
