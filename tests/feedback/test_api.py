"""The feedback API per role, with the shared error shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from tests.factories import customer_make
from tests.feedback.helpers import survey_link

from liuke.accounts.models import Branch, User
from liuke.feedback import links, services
from liuke.feedback.models import Conversation, Improvement, SurveyResponse

pytestmark = pytest.mark.django_db
API = "/api/v1/feedback"


def _send(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.generic(method, url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def answered(owner: User, branch_a: Branch, beautician_a: User, front_a: User) -> SurveyResponse:
    customer = customer_make(
        actor=owner, branch=branch_a, name="林小雨", marketing_consent=True, owner_id=front_a.pk
    )
    return services.survey_answer(
        signed=survey_link(customer, served_by=beautician_a),
        data={"satisfaction": "5", "recommend": "10", "ease": "5", "staff_rating": "4"},
    )


def test_results_by_each_grouping(
    owner_client: Client, answered: SurveyResponse, beautician_a: User
) -> None:
    for group, label in (("branch", answered.branch.name), ("staff", str(beautician_a))):
        body = owner_client.get(f"{API}/results?group_by={group}").json()
        assert body["invited"] == 1
        assert body["answered"] == 1
        assert body["response_rate"] == 1.0
        (row,) = body["rows"]
        assert row["label"] == label
        assert row["nps"] == 100
        assert row["satisfaction"] == 5.0
    month = owner_client.get(f"{API}/results?group_by=month").json()["rows"]
    assert len(month) == 1
    assert len(month[0]["label"]) == 7
    assert owner_client.get(f"{API}/results?group_by=service").status_code == 200
    assert owner_client.get(f"{API}/results?group_by=nonsense").status_code == 422


@pytest.mark.parametrize("who", ["owner", "front_a", "auditor"])
def test_answers_by_role(
    request: pytest.FixtureRequest,
    client_for: Callable[[User], Client],
    answered: SurveyResponse,
    who: str,
) -> None:
    client = client_for(request.getfixturevalue(who))
    listed = client.get(f"{API}/responses")
    assert listed.status_code == 200
    one = client.get(f"{API}/responses/{answered.pk}")
    assert one.status_code == 200
    assert listed.json()[0]["customer_name"] == "林小雨"
    assert one.json()["recommend"] == 10


def test_a_beautician_may_not_read_the_answers(
    beautician_a_client: Client, answered: SurveyResponse
) -> None:
    listed = beautician_a_client.get(f"{API}/responses")
    assert listed.status_code == 403
    assert listed.json()["code"] == "permission_denied"
    assert beautician_a_client.get(f"{API}/responses/{answered.pk}").status_code == 403


def test_another_branch_gets_a_404_for_the_answer(
    front_b_client: Client, answered: SurveyResponse
) -> None:
    response = front_b_client.get(f"{API}/responses/{answered.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert front_b_client.get(f"{API}/responses").json() == []


def test_settings_only_for_managers(
    manager_a_client: Client, front_a_client: Client, owner_client: Client
) -> None:
    assert front_a_client.get(f"{API}/settings").status_code == 403
    assert _send(front_a_client, "PUT", f"{API}/settings", {}).status_code == 403
    body = owner_client.get(f"{API}/settings").json()
    assert body["cooldown_days"] == 30
    assert body["ask_staff"] is True
    changed = _send(manager_a_client, "PUT", f"{API}/settings", {**body, "valid_days": 7})
    assert changed.status_code == 200
    assert changed.json()["valid_days"] == 7
    bad = _send(manager_a_client, "PUT", f"{API}/settings", {**body, "valid_days": 0})
    assert bad.status_code == 422


def test_suggestions_and_their_handling(
    manager_a: User, manager_a_client: Client, front_a_client: Client, branch_a: Branch
) -> None:
    box = services.box_ensure(actor=manager_a, branch_id=branch_a.pk)
    s = services.suggestion_submit(
        signed=links.sign_box(box.token), body="灯光太暗", contact_name="王", contact_phone=""
    )
    front = front_a_client.get(f"{API}/suggestions").json()
    assert front[0]["body"] == "灯光太暗"
    assert front[0]["contact_name"] == ""
    assert manager_a_client.get(f"{API}/suggestions").json()[0]["contact_name"] == "王"
    refused = _send(front_a_client, "POST", f"{API}/suggestions/{s.pk}/handle", {"status": "acted"})
    assert refused.status_code == 403
    done = _send(manager_a_client, "POST", f"{API}/suggestions/{s.pk}/handle", {"status": "acted"})
    assert done.status_code == 200
    assert done.json()["status"] == "acted"


def test_conversations_and_improvements(
    front_a_client: Client,
    manager_a_client: Client,
    owner: User,
    branch_a: Branch,
    answered: SurveyResponse,
) -> None:
    c = customer_make(actor=owner, branch=branch_a)
    created = _send(
        front_a_client,
        "POST",
        f"{API}/conversations",
        {"branch_id": branch_a.pk, "kind": "focus_group", "held_on": "2026-02-01",
         "topic": "新品试用", "notes": "反馈良好", "customer_ids": [c.pk, answered.customer_id]},
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    assert created.json()["participant_count"] == 2
    assert Conversation.objects.count() == 1
    listed = front_a_client.get(f"{API}/conversations").json()
    assert sorted(listed[0]["participant_ids"]) == sorted([c.pk, answered.customer_id])
    empty = _send(
        front_a_client,
        "POST",
        f"{API}/conversations",
        {"branch_id": branch_a.pk, "kind": "focus_group", "held_on": "2026-02-01",
         "topic": "t", "notes": "n", "customer_ids": []},
    )  # fmt: skip
    assert empty.status_code == 400
    assert empty.json()["code"] == "no_participants"
    improvement = _send(
        manager_a_client,
        "POST",
        f"{API}/improvements",
        {"you_said": "想要更多时段", "we_did": "晚上营业到九点", "response_ids": [answered.pk]},
    )
    assert improvement.status_code == 201
    assert improvement.json()["responses"] == 1
    pk = improvement.json()["id"]
    told = _send(manager_a_client, "POST", f"{API}/improvements/{pk}/notify")
    assert told.json() == {"queued": 1}
    assert Improvement.objects.get().notified_count == 1
    assert _send(front_a_client, "POST", f"{API}/improvements/{pk}/notify").status_code == 403
    managers = manager_a_client.get(f"{API}/managers").json()
    assert any(m["improvements"] == 1 and m["acted"] >= 1 for m in managers)
    assert any(m["conversations"] == 1 for m in managers)
