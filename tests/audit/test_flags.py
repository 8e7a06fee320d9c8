"""Unusual reading: many distinct customer files in one hour, exports outside opening hours.
The job is run as huey would run it, with a controlled clock (time-machine)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from tests.factories import customer_make

from liuke.accounts.models import Branch, Business, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.audit.models import AuditEvent, AuditFlag, FlagKind
from liuke.audit.tasks import flag_unusual_reading
from liuke.customers.models import Customer

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _customers(owner: User, n: int) -> list[Customer]:
    with time_machine.travel(at(1, 9), tick=False):
        return [customer_make(actor=owner) for _ in range(n)]


def _open(
    actor: User, customers: list[Customer], moment: dt.datetime, action: str = "view"
) -> None:
    with time_machine.travel(moment, tick=False):
        for c in customers:
            audit_record(actor=actor, action=action, customer_ids=[c.pk], fields=["profile"])


@pytest.fixture
def strict(business: Business) -> Business:
    business.audit_files_per_hour = 5
    business.save()
    return business


def test_many_files_in_one_hour_is_flagged_once(
    strict: Business, owner: User, front_a: User
) -> None:
    customers = _customers(owner, 8)
    _open(front_a, customers[:6], at(2, 10, 5))
    _open(front_a, customers[:6], at(2, 10, 40))  # the same files again: still 6 distinct
    _open(front_a, customers[:5], at(2, 12, 0))  # five in another hour: allowed
    _open(front_a, customers[:3], at(2, 14, 10), action=Action.HISTORY)
    _open(front_a, customers[3:6], at(2, 14, 20), action=Action.PHOTO)  # 6 files across actions

    with time_machine.travel(at(2, 15), tick=False):
        first = flag_unusual_reading()
        again = flag_unusual_reading()

    flags = list(AuditFlag.objects.order_by("window_start"))
    assert first == again == 2
    assert [(f.kind, f.actor_id, f.customers) for f in flags] == [
        (FlagKind.MANY_FILES, front_a.pk, 6),
        (FlagKind.MANY_FILES, front_a.pk, 6),
    ]
    assert flags[0].window_start == at(2, 10)
    assert flags[0].window_end == at(2, 11)
    assert flags[0].actor_label == "front_a"


def test_the_threshold_is_per_business_and_a_growing_hour_updates_its_flag(
    strict: Business, owner: User, front_a: User, outsider: User
) -> None:
    mine = _customers(owner, 9)
    theirs = _customers(outsider, 9)
    _open(front_a, mine[:6], at(2, 10, 5))
    _open(outsider, theirs, at(2, 10, 5))  # 别家美容 keeps the default of 40
    with time_machine.travel(at(2, 10, 30), tick=False):
        flag_unusual_reading()
    flag = AuditFlag.objects.get()
    assert flag.business_id == owner.business_id
    assert flag.customers == 6

    with time_machine.travel(at(2, 10, 35), tick=False):
        from liuke.audit.services import audit_flag_acknowledge

        audit_flag_acknowledge(actor=owner, flag_id=flag.pk, note="盘点客户资料")
    _open(front_a, mine[6:], at(2, 10, 50))
    with time_machine.travel(at(2, 11, 0), tick=False):
        flag_unusual_reading()

    flag.refresh_from_db()
    assert AuditFlag.objects.count() == 1
    assert flag.customers == 9
    assert flag.acknowledged_at == at(2, 10, 35)  # the acknowledgement stays
    assert flag.note == "盘点客户资料"


def test_old_hours_are_left_alone(strict: Business, owner: User, front_a: User) -> None:
    customers = _customers(owner, 6)
    _open(front_a, customers, at(2, 10))
    with time_machine.travel(at(4, 10), tick=False):  # two days later: beyond the look-back
        assert flag_unusual_reading() == 0


def test_exports_outside_opening_hours_are_flagged(
    business: Business, owner: User, auditor: User
) -> None:
    business.opens_at = dt.time(9, 30)
    business.closes_at = dt.time(21, 0)
    business.save()

    def export(moment: dt.datetime) -> None:
        with time_machine.travel(moment, tick=False):
            audit_record(actor=auditor, action=Action.EXPORT, fields=["audit_log"], reason="x")

    export(at(2, 9, 29))  # before opening
    export(at(2, 9, 30))  # open
    export(at(2, 20, 59))  # open
    export(at(2, 21, 0))  # closed
    export(at(3, 2, 0))  # the middle of the night
    with time_machine.travel(at(3, 8), tick=False):
        assert flag_unusual_reading() == 3
        assert flag_unusual_reading() == 3

    flags = AuditFlag.objects.order_by("window_start")
    assert [f.kind for f in flags] == [FlagKind.EXPORT_AFTER_HOURS] * 3
    assert [f.window_start for f in flags] == [at(2, 9, 29), at(2, 21, 0), at(3, 2, 0)]


def test_opening_past_midnight(business: Business, owner: User) -> None:
    business.opens_at = dt.time(12, 0)
    business.closes_at = dt.time(2, 0)  # open until two in the morning
    business.save()
    for moment in (at(2, 11, 59), at(2, 23, 0), at(3, 1, 59), at(3, 2, 0)):
        with time_machine.travel(moment, tick=False):
            audit_record(actor=owner, action=Action.EXPORT, fields=["customers"], reason="x")
    with time_machine.travel(at(3, 8), tick=False):
        flag_unusual_reading()
    assert [f.window_start for f in AuditFlag.objects.order_by("window_start")] == [
        at(2, 11, 59),
        at(3, 2, 0),
    ]


def test_flags_page_and_acknowledge(
    strict: Business, owner: User, front_a: User, auditor_client: Client, manager_a_client: Client
) -> None:
    customers = _customers(owner, 6)
    _open(front_a, customers, at(2, 10))
    with time_machine.travel(at(2, 11), tick=False):
        flag_unusual_reading()
    flag = AuditFlag.objects.get()

    page = auditor_client.get("/audit/flags/").content.decode()
    assert f'id="flag-{flag.pk}" class="open"' in page
    assert manager_a_client.post(f"/audit/flags/{flag.pk}/acknowledge/").status_code == 404

    answer = auditor_client.post(
        f"/audit/flags/{flag.pk}/acknowledge/", {"note": "已核实"}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200
    assert "<html" not in answer.content.decode()
    flag.refresh_from_db()
    assert flag.acknowledged_by is not None
    assert flag.acknowledged_by.username == "auditor"
    assert flag.note == "已核实"


def test_flags_api(
    strict: Business, owner: User, front_a: User, owner_client: Client, outsider_client: Client
) -> None:
    customers = _customers(owner, 6)
    _open(front_a, customers, at(2, 10))
    with time_machine.travel(at(2, 11), tick=False):
        flag_unusual_reading()
    flag = AuditFlag.objects.get()

    listed = owner_client.get("/api/v1/audit/flags?open_only=true").json()
    assert [f["id"] for f in listed] == [flag.pk]
    assert outsider_client.get("/api/v1/audit/flags").json() == []
    other = outsider_client.post(
        f"/api/v1/audit/flags/{flag.pk}/acknowledge", {}, content_type="application/json"
    )
    assert other.status_code == 404
    bad = owner_client.post(
        f"/api/v1/audit/flags/{flag.pk}/acknowledge",
        {"note": "a\x00b"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_note"
    done = owner_client.post(
        f"/api/v1/audit/flags/{flag.pk}/acknowledge",
        {"note": "ok"},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["acknowledged_by_id"] == owner.pk
    assert owner_client.get("/api/v1/audit/flags?open_only=true").json() == []


def test_the_job_is_scheduled_every_quarter_hour_and_runs_as_huey_runs_it(
    strict: Business, owner: User, front_a: User
) -> None:
    from liuke.audit.tasks import unusual_reading_every_quarter_hour as job

    task = job.task_class()  # type: ignore[attr-defined]
    assert task.validate_datetime(dt.datetime(2026, 3, 2, 10, 15))
    assert task.validate_datetime(dt.datetime(2026, 3, 2, 10, 45))
    assert not task.validate_datetime(dt.datetime(2026, 3, 2, 10, 16))
    customers = _customers(owner, 6)
    _open(front_a, customers, at(2, 10))
    with time_machine.travel(at(2, 10, 45), tick=False):
        assert job.call_local() == 1
    assert AuditFlag.objects.get().customers == 6


def test_the_owner_sets_the_thresholds(
    business: Business, owner_client: Client, auditor_client: Client
) -> None:
    page = owner_client.get("/audit/flags/").content.decode()
    assert 'id="thresholds"' in page
    assert 'id="thresholds"' not in auditor_client.get("/audit/flags/").content.decode()
    data = {"files_per_hour": "25", "opens_at": "10:00", "closes_at": "01:30"}
    assert auditor_client.post("/audit/flags/thresholds/", data).status_code == 404

    owner_client.post("/audit/flags/thresholds/", data)
    business.refresh_from_db()
    assert (business.audit_files_per_hour, business.opens_at, business.closes_at) == (
        25,
        dt.time(10, 0),
        dt.time(1, 30),
    )


@pytest.mark.parametrize(
    "data",
    [
        {"files_per_hour": "0", "opens_at": "09:00", "closes_at": "21:00"},
        {"files_per_hour": "x", "opens_at": "09:00", "closes_at": "21:00"},
        {"files_per_hour": "30", "opens_at": "09:00", "closes_at": "09:00"},
        {"files_per_hour": "30", "opens_at": "25:00", "closes_at": "21:00"},
    ],
)
def test_bad_thresholds_are_refused_with_a_message(
    business: Business, owner_client: Client, data: dict[str, str]
) -> None:
    answer = owner_client.post("/audit/flags/thresholds/", data, follow=True)
    business.refresh_from_db()
    assert business.audit_files_per_hour == 40
    assert business.opens_at == dt.time(9, 0)
    assert 'class="msg error"' in answer.content.decode()


def _export_by(actor: User, moment: dt.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        audit_record(actor=actor, action=Action.EXPORT, fields=["customers"], reason="x")


def test_a_branch_with_its_own_hours(
    business: Business, branch_a: Branch, branch_b: Branch, owner: User, front_a: User
) -> None:
    """Branch A closes at 19:00, branch B keeps the business's 09:00–22:00: at 20:00 an export by
    A's front desk is flagged, the owner's (B is open) is not; at 23:00 both are."""
    branch_a.opens_at, branch_a.closes_at = dt.time(10, 0), dt.time(19, 0)
    branch_a.save()
    _export_by(front_a, at(2, 18, 59))  # A open
    _export_by(front_a, at(2, 20, 0))  # A closed, B open: A's staff flagged
    _export_by(owner, at(2, 20, 0))  # the owner works at both: B is open
    _export_by(owner, at(2, 23, 0))  # everything closed
    _export_by(front_a, at(3, 9, 30))  # business open, A not yet
    with time_machine.travel(at(3, 12), tick=False):
        flag_unusual_reading()
    flagged = list(
        AuditFlag.objects.order_by("window_start").values_list("actor_id", "window_start")
    )
    assert flagged == [
        (front_a.pk, at(2, 20, 0)),
        (owner.pk, at(2, 23, 0)),
        (front_a.pk, at(3, 9, 30)),
    ]


def test_a_branch_in_another_time_zone(business: Business, branch_a: Branch, front_a: User) -> None:
    branch_a.time_zone = "Asia/Tokyo"  # an hour ahead of Shanghai
    branch_a.save()
    _export_by(front_a, at(2, 8, 30))  # 09:30 in Tokyo: open
    _export_by(front_a, at(2, 21, 30))  # 22:30 in Tokyo: closed
    with time_machine.travel(at(3, 8), tick=False):
        flag_unusual_reading()
    assert [f.window_start for f in AuditFlag.objects.all()] == [at(2, 21, 30)]


def test_threshold_changes_are_audited(business: Business, owner_client: Client) -> None:
    data = {"files_per_hour": "25", "opens_at": "09:00", "closes_at": "21:00"}
    owner_client.post("/audit/flags/thresholds/", data)
    event = AuditEvent.objects.filter(action=Action.SETTINGS).get()
    assert event.fields == ["audit_files_per_hour", "closes_at"]
    owner_client.post("/audit/flags/thresholds/", data)  # nothing changed: no second event
    assert AuditEvent.objects.filter(action=Action.SETTINGS).count() == 1


def test_the_owner_sets_a_branch_s_hours(
    business: Business,
    branch_a: Branch,
    other_branch: Branch,
    owner_client: Client,
    manager_a_client: Client,
) -> None:
    page = owner_client.get("/audit/flags/").content.decode()
    assert f'id="branch-hours-{branch_a.pk}"' in page
    url = f"/audit/flags/branches/{branch_a.pk}/hours/"
    assert (
        manager_a_client.post(url, {"opens_at": "10:00", "closes_at": "19:00"}).status_code == 404
    )
    answer = owner_client.post(
        f"/audit/flags/branches/{other_branch.pk}/hours/",
        {"opens_at": "10:00", "closes_at": "19:00"},
    )
    assert answer.status_code == 404

    owner_client.post(url, {"opens_at": "10:00", "closes_at": "19:00"})
    branch_a.refresh_from_db()
    assert (branch_a.opens_at, branch_a.closes_at) == (dt.time(10, 0), dt.time(19, 0))
    event = AuditEvent.objects.filter(action=Action.SETTINGS).get()
    assert event.fields == [f"branch:{branch_a.pk}:opens_at", f"branch:{branch_a.pk}:closes_at"]

    for bad in (
        {"opens_at": "10:00", "closes_at": ""},
        {"opens_at": "10:00", "closes_at": "10:00"},
        {"opens_at": "25:00", "closes_at": "19:00"},
    ):
        answer = owner_client.post(url, bad, follow=True)
        assert 'class="msg error"' in answer.content.decode(), bad
    branch_a.refresh_from_db()
    assert (branch_a.opens_at, branch_a.closes_at) == (dt.time(10, 0), dt.time(19, 0))

    owner_client.post(url, {"opens_at": "", "closes_at": ""})  # back to the business's hours
    branch_a.refresh_from_db()
    assert branch_a.opens_at is None
    assert branch_a.hours() == (business.opens_at, business.closes_at)


def test_a_request_s_one_event_counts_only_the_files_it_opened(
    strict: Business, owner: User, front_a: User
) -> None:
    """A profile's one event also lists customers it did not open (possible duplicates): the
    flag counts opened files, as when each read was its own event."""
    from liuke.audit.journal import read_journal

    customers = _customers(owner, 12)
    with time_machine.travel(at(2, 10, 5), tick=False), read_journal() as journal:
        audit_record(actor=front_a, action=Action.VIEW, customer_ids=[customers[0].pk])
        audit_record(
            actor=front_a,
            action=Action.LIST,
            customer_ids=[c.pk for c in customers[1:8]],
            fields=["duplicates"],
        )
        journal.flush()
    event = AuditEvent.objects.get(actor_id=front_a.pk)
    assert event.action == Action.VIEW
    assert len(event.customer_ids) == 8
    assert event.fields == ["duplicates", f"files:{customers[0].pk}"]
    with time_machine.travel(at(2, 15), tick=False):
        assert flag_unusual_reading() == 0  # one file opened, seven listed

    # Six more requests, each opening one file and listing others: six files, over the five.
    for i, c in enumerate(customers[6:12]):
        with time_machine.travel(at(2, 10, 10 + i), tick=False), read_journal() as journal:
            audit_record(actor=front_a, action=Action.VIEW, customer_ids=[c.pk], fields=["x"])
            audit_record(
                actor=front_a,
                action=Action.LIST,
                customer_ids=[customers[1].pk],
                fields=["duplicates"],
            )
            journal.flush()
    with time_machine.travel(at(2, 15), tick=False):
        assert flag_unusual_reading() == 1
    flag = AuditFlag.objects.get()
    assert flag.customers == 7  # customers[0] and customers[6:12]


def test_many_opened_files_fit_the_event_s_fields() -> None:
    from liuke.audit.journal import _files_fields, opened_files

    opened = set(range(10_000_000, 10_000_040))
    fields = _files_fields(opened)
    assert len(fields) > 1
    assert all(len(f) <= 100 for f in fields)
    assert opened_files([1, *opened], ["profile", *fields]) == opened
