"""The audit log: every read and change leaves an event; any tampering is detected."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from tests.factories import customer_make

from liuke.accounts.models import User
from liuke.audit.log import audit_record
from liuke.audit.models import AuditEvent, AuditHead, AuditSubject
from liuke.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def _events(action: str | None = None) -> list[AuditEvent]:
    qs = AuditEvent.objects.order_by("seq")
    return list(qs.filter(action=action) if action else qs)


def _tamper(sql: str, params: list[Any], table: str = "audit_auditevent") -> None:
    """What an attacker with database rights does: the append-only triggers off, then SQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; ALTER TABLE wants no pending checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            cursor.execute(sql, params)


def _chain(owner: User, n: int = 6) -> None:
    for i in range(n):
        audit_record(actor=owner, action="view", customer_ids=[100 + i], fields=["profile"])


def test_events_link_into_a_valid_chain(owner: User) -> None:
    _chain(owner)
    result = verify_chain()
    assert result.ok, result.problems
    assert result.checked == 6
    events = _events()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (6, events[-1].hash)


def test_the_database_refuses_update_and_delete(owner: User) -> None:
    _chain(owner, 2)
    for attempt in (
        lambda: AuditEvent.objects.filter(seq=1).update(reason="edited"),
        lambda: AuditEvent.objects.filter(seq=2).delete(),
        lambda: AuditSubject.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert verify_chain().ok


def test_an_altered_event_is_named(owner: User) -> None:
    _chain(owner)
    _tamper("UPDATE audit_auditevent SET fields = %s WHERE seq = 3", ['["export"]'])
    result = verify_chain()
    assert not result.ok
    assert result.first_problem == "event #3 was altered (its content does not match its hash)"


def _drop_subjects(condition: str) -> None:
    _tamper(
        "DELETE FROM audit_auditsubject WHERE event_id IN "
        f"(SELECT id FROM audit_auditevent WHERE {condition})",
        [],
        table="audit_auditsubject",
    )


def test_a_removed_event_is_detected(owner: User) -> None:
    _chain(owner)
    _drop_subjects("seq = 4")
    _tamper("DELETE FROM audit_auditevent WHERE seq = 4", [])
    result = verify_chain()
    assert not result.ok
    assert result.first_problem is not None
    assert "#4" in result.first_problem
    assert "missing" in result.first_problem


def test_reordered_events_are_detected(owner: User) -> None:
    _chain(owner)
    # Swap the positions of events 2 and 3 (their contents, hashes included, stay intact).
    _tamper("UPDATE audit_auditevent SET seq = -2 WHERE seq = 2", [])
    _tamper("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3", [])
    _tamper("UPDATE audit_auditevent SET seq = 3 WHERE seq = -2", [])
    result = verify_chain()
    assert not result.ok
    assert result.first_problem is not None
    assert result.first_problem.startswith("event #2")


def test_a_cut_off_tail_is_detected_through_the_head(owner: User) -> None:
    _chain(owner)
    _drop_subjects("seq >= 5")
    _tamper("DELETE FROM audit_auditevent WHERE seq >= 5", [])
    result = verify_chain()
    assert not result.ok
    assert result.problems == ["the log ends at #4 but the head records #6: the tail was cut off"]


def test_profile_view_search_and_history_are_audited(owner: User, owner_client: Client) -> None:
    customer = customer_make(actor=owner, name="张三", mobile="13812345678")
    before = AuditEvent.objects.count()
    assert owner_client.get(f"/customers/{customer.pk}/").status_code == 200
    assert owner_client.get("/customers/search/?q=zs").status_code == 200
    assert owner_client.get("/api/v1/customers?q=13812345678").status_code == 200
    events = list(AuditEvent.objects.order_by("seq")[before:])
    kinds = [(e.action, e.fields) for e in events]
    # One event per request: the profile's names every section read, the file first.
    assert kinds == [
        (
            "view",
            [
                "profile",
                "history",
                "sales_summary",
                "sales",
                "complaints",
                "engagement",
                "messages",
                "feedback",
                "appointments_attendance",
                "value",
            ],
        ),
        ("search", ["search"]),
        ("search", ["search", "list"]),
    ]
    assert all(e.customer_ids == [customer.pk] for e in events)
    assert all(e.actor_id == owner.pk and e.request_id for e in events)
    # The typed phone number never reaches the log.
    assert not any("13812345678" in str(e.fields) + e.reason for e in events)
    assert verify_chain().ok


def test_a_change_is_audited_in_the_same_transaction(owner: User) -> None:
    from liuke.customers.services import customer_update

    customer = customer_make(actor=owner, name="李娜")
    customer_update(actor=owner, customer_id=customer.pk, data={"wechat_id": "lina88"})
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.customer_ids, event.fields) == (
        "update",
        [customer.pk],
        ["wechat_id"],
    )


def test_verify_command_exit_codes(owner: User) -> None:
    # The command is a thin wrapper; its exit code is what an operator's cron job reads.
    from liuke.cli import main

    _chain(owner, 3)
    assert main(["audit", "verify"]) == 0
    _tamper("UPDATE audit_auditevent SET actor_label = %s WHERE seq = 2", ["someone-else"])
    assert main(["audit", "verify"]) == 1
