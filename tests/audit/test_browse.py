"""Browsing, filtering and exporting the audit log: owners and auditors only, one business."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook
from tests.factories import customer_make, user_make

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.audit.models import AuditEvent
from liuke.audit.verify import verify_chain

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _seqs(answer: dict[str, Any]) -> list[int]:
    return [e["seq"] for e in answer["items"]]


@pytest.mark.parametrize("persona", ["owner", "auditor"])
def test_owner_and_auditor_browse_the_log(
    request: pytest.FixtureRequest, persona: str, owner: User
) -> None:
    customer = customer_make(actor=owner, name="张三")
    client: Client = request.getfixturevalue(f"{persona}_client")

    page = client.get("/audit/")
    api = client.get("/api/v1/audit/events")

    assert page.status_code == 200
    assert f'href="/customers/{customer.pk}/"' in page.content.decode()
    assert "张三" not in page.content.decode()  # the log names customers by number only
    assert api.status_code == 200
    assert api.json()["items"][0]["customer_ids"] == [customer.pk]


@pytest.mark.parametrize("persona", ["manager_a", "front_a", "beautician_a"])
def test_other_roles_cannot_browse_or_export(
    request: pytest.FixtureRequest, persona: str, owner: User
) -> None:
    customer_make(actor=owner)
    client: Client = request.getfixturevalue(f"{persona}_client")

    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/flags/").status_code == 404
    assert client.post("/audit/export/", {"reason": "x", "format": "csv"}).status_code == 404
    answer = client.get("/api/v1/audit/events")
    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"
    assert "Audit log" not in client.get("/customers/").content.decode()


def test_anonymous_is_refused(client: Client) -> None:
    assert client.get("/audit/").status_code == 302
    assert client.get("/api/v1/audit/events").status_code == 401


def test_the_log_is_scoped_to_the_business(
    owner: User, outsider: User, outsider_client: Client, owner_client: Client
) -> None:
    mine = customer_make(actor=owner)
    theirs = customer_make(actor=outsider)

    seen_by_outsider = outsider_client.get("/api/v1/audit/events").json()["items"]
    seen_by_owner = owner_client.get("/api/v1/audit/events").json()["items"]
    by_customer = outsider_client.get(f"/api/v1/audit/events?customer={mine.pk}").json()

    assert {tuple(e["customer_ids"]) for e in seen_by_outsider} == {(theirs.pk,)}
    assert {tuple(e["customer_ids"]) for e in seen_by_owner} == {(mine.pk,)}
    assert by_customer["items"] == []


def test_filters_by_staff_customer_action_and_time(
    owner: User, front_a: User, owner_client: Client
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        zhang = customer_make(actor=owner, name="张三", mobile="13812345678")
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        li = customer_make(actor=owner, name="李四")
        audit_record(actor=front_a, action=Action.VIEW, customer_ids=[zhang.pk], fields=["profile"])
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI), tick=False):
        audit_record(actor=front_a, action=Action.VIEW, customer_ids=[li.pk], fields=["profile"])

    def get(query: str) -> list[tuple[str, list[int]]]:
        answer = owner_client.get(f"/api/v1/audit/events?{query}")
        assert answer.status_code == 200, answer.content
        return [(e["action"], e["customer_ids"]) for e in answer.json()["items"]]

    assert get(f"staff={front_a.pk}") == [("view", [li.pk]), ("view", [zhang.pk])]
    assert get(f"customer={zhang.pk}") == [("view", [zhang.pk]), ("create", [zhang.pk])]
    assert get("action=create") == [("create", [li.pk]), ("create", [zhang.pk])]
    assert get("since=2026-03-03T00:00:00%2B08:00&until=2026-03-04T00:00:00%2B08:00") == [
        ("view", [zhang.pk]),
        ("create", [li.pk]),
    ]
    # A datetime-local from the page has no zone: it is the salon's local time.
    assert get("since=2026-03-04T00:00") == [("view", [li.pk])]
    # The customer search the policy allows (by the last four digits of the mobile): the search
    # is itself a recorded read, so it shows first.
    assert get("customer_q=5678") == [
        ("search", [zhang.pk]),
        ("view", [zhang.pk]),
        ("create", [zhang.pk]),
    ]


def test_customer_search_only_finds_customers_in_scope(
    owner: User, branch_b: Branch, outsider: User, client_for: Callable[[User], Client]
) -> None:
    """The search is the customer list's, through the policy: an auditor sees every branch of
    the business, never another business's customer."""
    guo = customer_make(actor=owner, branch=branch_b, name="郭晶晶")
    customer_make(actor=outsider, name="赵敏")
    auditor = user_make(business=owner.business, role=Role.AUDITOR, username="auditor2")
    client = client_for(auditor)

    found = client.get("/audit/?customer_q=郭晶晶").content.decode()
    other = client.get("/audit/?customer_q=赵敏").content.decode()

    assert f'href="/customers/{guo.pk}/">#{guo.pk}</a>' in found
    assert "No events match" in other or "没有" in other
    assert (
        AuditEvent.objects.filter(business_id=outsider.business_id, actor_id=auditor.pk).count()
        == 0
    )


def test_keyset_pages_cover_the_log_once(owner: User, owner_client: Client) -> None:
    customer = customer_make(actor=owner)
    for _ in range(120):
        audit_record(actor=owner, action=Action.VIEW, customer_ids=[customer.pk], fields=["p"])
    expected = list(
        AuditEvent.objects.filter(business_id=owner.business_id)
        .order_by("-seq")
        .values_list("seq", flat=True)
    )

    seen: list[int] = []
    cursor = ""
    pages = 0
    while True:
        answer = owner_client.get(f"/api/v1/audit/events?action=view{cursor}").json()
        seen += _seqs(answer)
        pages += 1
        if answer["next_cursor"] is None:
            break
        cursor = f"&cursor={answer['next_cursor']}"

    assert pages == 3
    assert seen == [s for s in expected if s != expected[-1]]  # all views; the create left out


def test_the_page_pages_with_htmx(owner: User, owner_client: Client) -> None:
    customer = customer_make(actor=owner)
    for _ in range(60):
        audit_record(actor=owner, action=Action.VIEW, customer_ids=[customer.pk], fields=["p"])

    first = owner_client.get("/audit/?action=view").content.decode()
    assert "cursor=" in first
    last_seq = AuditEvent.objects.filter(action="view").order_by("seq").first()
    assert last_seq is not None
    more = owner_client.get(
        f"/audit/?action=view&cursor={last_seq.seq + 10}", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in more
    assert more.count('id="event-') == 10


def test_invalid_filters_are_refused_clearly(owner_client: Client) -> None:
    api = owner_client.get("/api/v1/audit/events?since=yesterday&staff=-3")
    page = owner_client.get("/audit/?since=yesterday&customer_q=%00")

    assert api.status_code == 422
    assert api.json()["code"] == "validation_error"
    assert set(api.json()["fields"]) == {"since", "staff"}
    assert page.status_code == 200
    assert "was ignored" in page.content.decode() or "已忽略" in page.content.decode()
    for not_iso in ("0.5", "1700000000"):
        answer = owner_client.get("/api/v1/audit/events", {"since": not_iso})
        assert answer.status_code == 422, answer.content
        assert owner_client.get("/audit/", {"until": not_iso}).status_code == 200


def test_far_off_times_are_clamped_not_a_server_error(owner: User, owner_client: Client) -> None:
    customer_make(actor=owner)
    early, late = "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"

    everything = owner_client.get("/api/v1/audit/events", {"since": early, "until": late})
    nothing = owner_client.get("/api/v1/audit/events", {"since": late})

    assert everything.status_code == 200
    assert len(everything.json()["items"]) == 1
    assert nothing.json()["items"] == []
    assert owner_client.get("/audit/", {"since": early, "until": late}).status_code == 200


def _export(client: Client, **data: str) -> tuple[int, bytes]:
    answer = client.post("/audit/export/", data)
    body = (
        b"".join(answer.streaming_content)  # type: ignore[attr-defined]
        if answer.streaming
        else answer.content
    )
    return answer.status_code, body


def test_export_needs_a_reason_and_is_itself_audited(owner: User, owner_client: Client) -> None:
    customer = customer_make(actor=owner)
    before = AuditEvent.objects.count()

    status, body = _export(owner_client, format="csv", reason="  ")
    assert status == 400
    assert AuditEvent.objects.count() == before

    status, body = _export(owner_client, format="csv", reason="季度检查", customer=str(customer.pk))
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["seq", "occurred_at", "staff_id"]
    # The export is recorded before the rows are read: the file shows its own export first.
    assert [r[4] for r in rows[1:]] == ["export", "create"]
    export = AuditEvent.objects.order_by("-seq").first()
    assert export is not None
    assert export.action == Action.EXPORT
    assert export.reason == "季度检查"
    assert export.customer_ids == [customer.pk]
    assert export.fields == ["audit_log", "format:csv", f"customer:{customer.pk}"]
    assert verify_chain().ok


def test_exports_neutralise_formula_prefixes(owner: User, owner_client: Client) -> None:
    evil = user_make(
        business=owner.business, role=Role.OWNER, username="evil", display_name="=HYPERLINK(1)"
    )
    audit_record(actor=evil, action=Action.VIEW, customer_ids=[], fields=["+cmd", "@x"])

    _status, body = _export(owner_client, format="csv", reason="check", staff=str(evil.pk))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1][3] == "'=HYPERLINK(1)"
    assert rows[1][7] == "'+cmd @x"

    status, body = _export(owner_client, format="xlsx", reason="check", staff=str(evil.pk))
    assert status == 200
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][3] == "'=HYPERLINK(1)"
    assert values[1][7] == "'+cmd @x"
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for row in values for v in row)


def test_export_streams_every_matching_event(owner: User, owner_client: Client) -> None:
    customer = customer_make(actor=owner)
    for _ in range(45):
        audit_record(actor=owner, action=Action.VIEW, customer_ids=[customer.pk], fields=["p"])
    from liuke.audit import selectors

    rows = list(
        selectors.export_rows(
            actor=owner, filters=selectors.AuditFilters(action=Action.VIEW), chunk=10
        )
    )
    assert len(rows) == 1 + 45
    assert len({r[0] for r in rows[1:]}) == 45


def test_auditor_may_export_manager_may_not(auditor_client: Client, owner: User) -> None:
    customer_make(actor=owner)
    status, body = _export(auditor_client, format="xlsx", reason="年度审计")
    assert status == 200
    assert body[:2] == b"PK"


def test_an_export_by_customer_search_searches_once(owner: User, owner_client: Client) -> None:
    zhang = customer_make(actor=owner, name="张三", mobile="13812345678")
    customer_make(actor=owner, name="李四")
    before = AuditEvent.objects.order_by("-seq").first()
    assert before is not None

    status, body = _export(owner_client, format="csv", reason="客户投诉核查", customer_q="5678")

    assert status == 200
    new = list(AuditEvent.objects.filter(seq__gt=before.seq).order_by("seq"))
    assert [(e.action, e.customer_ids) for e in new] == [
        ("search", [zhang.pk]),
        ("export", [zhang.pk]),
    ]
    assert "5678" not in " ".join(new[1].fields)  # the search text never reaches the log
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r[4] for r in rows[1:]] == ["export", "search", "create"]


def _api_export(client: Client, **data: object) -> tuple[int, str, bytes]:
    answer = client.post("/api/v1/audit/exports", data, content_type="application/json")
    body = (
        b"".join(answer.streaming_content)  # type: ignore[attr-defined]
        if answer.streaming
        else answer.content
    )
    return answer.status_code, answer.get("Content-Type", ""), body


def test_api_export_with_filters_and_reason(owner: User, owner_client: Client) -> None:
    customer = customer_make(actor=owner)
    customer_make(actor=owner)
    before = AuditEvent.objects.count()

    status, _type, _body = _api_export(owner_client, format="csv")  # no reason
    assert status == 422
    status, _type, _body = _api_export(owner_client, format="csv", reason="x", colour="red")
    assert status == 422  # unknown fields are refused, not ignored
    assert AuditEvent.objects.count() == before

    status, ctype, body = _api_export(
        owner_client, format="csv", reason="监管检查", customer=customer.pk
    )
    assert status == 200
    assert ctype.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r[4] for r in rows[1:]] == ["export", "create"]
    export = AuditEvent.objects.order_by("-seq").first()
    assert export is not None
    assert (export.action, export.reason) == (Action.EXPORT, "监管检查")
    assert export.fields == ["audit_log", "format:csv", f"customer:{customer.pk}"]

    status, ctype, body = _api_export(owner_client, format="xlsx", reason="年度审计")
    assert status == 200
    assert ctype.startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    assert sheet.max_row == 1 + AuditEvent.objects.count()
    assert verify_chain().ok


@pytest.mark.parametrize("persona", ["manager_a", "front_a", "beautician_a"])
def test_api_export_refused_to_other_roles(request: pytest.FixtureRequest, persona: str) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    before = AuditEvent.objects.count()
    status, _type, body = _api_export(client, format="csv", reason="x")
    assert status == 403
    assert b"seq" not in body
    assert AuditEvent.objects.count() == before


def test_exports_neutralise_a_formula_after_a_separator(owner: User, owner_client: Client) -> None:
    # a spreadsheet that splits on `;` would make the second half a cell of its own
    evil = user_make(
        business=owner.business, role=Role.OWNER, username="evil2", display_name="ok;=HYPERLINK(1)"
    )
    audit_record(actor=evil, action=Action.VIEW, customer_ids=[], fields=["a|@x"])

    _status, body = _export(owner_client, format="csv", reason="check", staff=str(evil.pk))
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][3] == "ok;'=HYPERLINK(1)"
    assert rows[1][7] == "a|'@x"
    # every cell quoted: split on `;` the file still has no piece that starts a formula
    assert text.splitlines()[1].startswith('"')
    assert not [p for p in re.split(r"[,;|]", text) if p.lstrip(' "')[:1] in ("=", "+", "@")]
