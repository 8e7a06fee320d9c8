"""The complaints API: a case walked through the ten steps over HTTP, the error codes of the
closing rules, approval, reports, and what another branch sees (nothing)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.sales.shop import Shop

from liuke.accounts.models import User
from liuke.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _open(client: Client, shop: Shop, **extra: Any) -> dict[str, Any]:
    response = _post(
        client,
        "/api/v1/complaints",
        {
            "customer_id": shop.customer.pk,
            "channel": "phone",
            "description": "预约了下午三点，等了四十分钟才开始。",
            "cause_code": "waiting",
            **extra,
        },
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_a_complaint_through_the_api_to_closed(
    shop: Shop, front_a: User, front_a_client: Client
) -> None:
    c = _open(front_a_client, shop)
    assert c["status"] == "open"
    assert c["word_of_mouth_reach"] == 67
    assert [t["state"] for t in c["timers"]] == ["running", "running"]
    assert len(c["close_blockers"]) == 4
    url = f"/api/v1/complaints/{c['id']}"
    for step in range(1, 6):
        assert _post(front_a_client, f"{url}/steps", {"step": step}).status_code == 200
    refused = _post(front_a_client, f"{url}/steps", {"step": 6, "restated_problem": "等太久"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "restatement_unconfirmed"
    body = {"step": 6, "restated_problem": "等太久", "confirmed": True}
    assert _post(front_a_client, f"{url}/steps", body).status_code == 200
    assert _post(front_a_client, f"{url}/steps", {"step": 10}).status_code == 422  # close it
    cannot = _post(front_a_client, f"{url}/close", {"note": "再见"})
    assert cannot.status_code == 400
    assert cannot.json()["code"] == "cannot_close"
    action = _post(
        front_a_client,
        f"{url}/actions",
        {
            "side": "ours",
            "text": "下次预约优先安排",
            "owner_id": front_a.pk,
            "due_on": str(timezone.localdate() + dt.timedelta(days=1)),
        },
    )
    assert action.status_code == 201
    assert action.json()["task_id"] is not None
    no_owner = _post(front_a_client, f"{url}/actions", {"side": "ours", "text": "x"})
    assert no_owner.json()["code"] == "owner_required"
    r = _post(front_a_client, f"{url}/resolutions", {"kind": "voucher", "amount_fen": 2000})
    assert r.status_code == 201
    assert r.json()["status"] == "applied"
    done = _post(front_a_client, f"{url}/steps", {"step": 9, "summary": "下次优先；送20元券"})
    assert done.status_code == 200
    closed = _post(front_a_client, f"{url}/close", {"note": "顾客接受"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    assert closed.json()["word_of_mouth_reach"] == 0
    # steps 7 and 8 were skipped: only the restatement, the actions and the summary are required
    assert [s["step"] for s in closed.json()["steps"]] == [1, 2, 3, 4, 5, 6, 9, 10]
    fix = _post(front_a_client, f"{url}/cause-fix", {"cause_fix": "排班多留十分钟"})
    assert fix.json()["cause_fix"] == "排班多留十分钟"
    told = _post(front_a_client, f"{url}/customer-told", {"note": "电话告知"})
    assert told.json()["customer_told_at"] is not None
    assert told.json()["recovery"]["came_back"] is False


def test_bad_input_is_refused_with_its_code(shop: Shop, front_a_client: Client) -> None:
    bad = _post(front_a_client, "/api/v1/complaints", {"customer_id": shop.customer.pk})
    assert bad.status_code == 422
    bad = _post(
        front_a_client,
        "/api/v1/complaints",
        {"customer_id": shop.customer.pk, "channel": "phone", "description": "a\x00b"},
    )
    assert bad.status_code == 422
    c = _open(front_a_client, shop)
    wrong = _post(front_a_client, f"/api/v1/complaints/{c['id']}/resolutions", {"kind": "gift"})
    assert wrong.status_code == 422
    resume = _post(front_a_client, f"/api/v1/complaints/{c['id']}/resume", {})
    assert resume.json()["code"] == "not_waiting"


def test_wait_pauses_and_patch_escalates(
    shop: Shop, front_a_client: Client, manager_a: User
) -> None:
    c = _open(front_a_client, shop)
    url = f"/api/v1/complaints/{c['id']}"
    waiting = _post(front_a_client, f"{url}/wait", {"note": "等顾客发照片"})
    assert waiting.json()["status"] == "waiting"
    assert [t["state"] for t in waiting.json()["timers"]] == ["paused", "paused"]
    assert _post(front_a_client, f"{url}/resume", {}).json()["status"] == "open"
    patched = front_a_client.patch(
        url, json.dumps({"severity": "critical"}), content_type="application/json"
    )
    assert patched.status_code == 200
    assert patched.json()["escalated_to_id"] == manager_a.pk


def test_approval_over_the_api(
    shop: Shop, front_a_client: Client, manager_a_client: Client
) -> None:
    c = _open(front_a_client, shop)
    r = _post(
        front_a_client,
        f"/api/v1/complaints/{c['id']}/resolutions",
        {"kind": "voucher", "amount_fen": 30000},
    ).json()
    assert r["status"] == "pending"
    assert front_a_client.get("/api/v1/complaints/approvals").status_code == 403
    queue = manager_a_client.get("/api/v1/complaints/approvals").json()
    assert [x["id"] for x in queue] == [r["id"]]
    decided = _post(
        manager_a_client,
        f"/api/v1/complaints/resolutions/{r['id']}/decide",
        {"approve": True, "note": "同意"},
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "applied"
    again = _post(
        manager_a_client, f"/api/v1/complaints/resolutions/{r['id']}/decide", {"approve": False}
    )
    assert again.json()["code"] == "already_decided"


def test_list_get_and_reads_are_audited_and_scoped(
    shop: Shop, front_a_client: Client, front_b_client: Client, auditor_client: Client
) -> None:
    c = _open(front_a_client, shop)
    listed = front_a_client.get("/api/v1/complaints?status=unresolved&cause=waiting").json()
    assert [x["id"] for x in listed] == [c["id"]]
    assert front_a_client.get("/api/v1/complaints?status=closed").json() == []
    assert front_a_client.get("/api/v1/complaints?status=bogus").status_code == 422
    before = AuditEvent.objects.filter(action="view").count()
    assert front_a_client.get(f"/api/v1/complaints/{c['id']}").status_code == 200
    assert AuditEvent.objects.filter(action="view").count() == before + 1
    # another branch: no list entry, no case, no way to act on it
    assert front_b_client.get("/api/v1/complaints?status=all").json() == []
    assert front_b_client.get(f"/api/v1/complaints/{c['id']}").status_code == 404
    step = _post(front_b_client, f"/api/v1/complaints/{c['id']}/steps", {"step": 1})
    assert step.status_code == 404
    # the auditor reads, never writes
    assert auditor_client.get(f"/api/v1/complaints/{c['id']}").status_code == 200
    step = _post(auditor_client, f"/api/v1/complaints/{c['id']}/steps", {"step": 1})
    assert step.status_code == 403


def test_reports_and_dashboard(shop: Shop, front_a_client: Client, owner_client: Client) -> None:
    _open(front_a_client, shop)
    _open(front_a_client, shop, severity="high", cause_code="rudeness")
    board = owner_client.get("/api/v1/complaints/dashboard").json()
    assert board["unresolved"] == 2
    assert board["reach_total"] == 134
    assert board["escalated"] == 1
    report = owner_client.get("/api/v1/complaints/reports?days=30").json()
    assert report["total"] == 2
    assert {r["key"]: r["n"] for r in report["by_cause"]} == {"waiting": 1, "rudeness": 1}
    assert report["repeat_customers"] == 1
    assert report["repeat_complaints"] == 2
    assert front_a_client.get("/api/v1/complaints/reports").status_code == 403
    causes = front_a_client.get("/api/v1/complaints/causes").json()
    assert "broken_promise" in {c["code"] for c in causes}
