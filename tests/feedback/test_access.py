"""Writes that name customers in their body, out of scope: refused, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from tests.factories import customer_make
from tests.feedback.helpers import survey_link

from liuke.accounts.models import Branch, User
from liuke.feedback import services
from liuke.feedback.models import Conversation, Improvement

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["front_b", "outsider"])
def test_out_of_scope_customers_cannot_be_written_about(
    request: pytest.FixtureRequest,
    client_for: Callable[[User], Client],
    owner: User,
    branch_a: Branch,
    who: str,
) -> None:
    actor = request.getfixturevalue(who)
    client = client_for(actor)
    customer = customer_make(actor=owner, branch=branch_a, name="林小雨", marketing_consent=True)
    services.survey_answer(signed=survey_link(customer), data={"satisfaction": "1"})
    own_branch = actor.branches.first()
    conversation = client.post(
        "/api/v1/feedback/conversations",
        json.dumps(
            {"branch_id": own_branch.pk, "kind": "focus_group", "held_on": "2026-01-05",
             "topic": "t", "notes": "n", "customer_ids": [customer.pk]}
        ),
        content_type="application/json",
    )  # fmt: skip
    assert conversation.status_code == 404
    assert "林小雨" not in conversation.content.decode()
    page = client.post(
        "/feedback/conversations/",
        {"kind": "focus_group", "branch_id": own_branch.pk, "held_on": "2026-01-05",
         "topic": "t", "notes": "n", "customer_ids": str(customer.pk)},
    )  # fmt: skip
    assert page.status_code in (400, 404)
    assert "林小雨" not in page.content.decode()
    assert Conversation.objects.count() == 0


def test_an_owner_elsewhere_records_no_notice_about_our_answers(
    outsider_client: Client, owner: User, branch_a: Branch
) -> None:
    """An owner of another business may record notices, never about our answers."""
    customer = customer_make(actor=owner, branch=branch_a, name="林小雨", marketing_consent=True)
    answer = services.survey_answer(signed=survey_link(customer), data={"satisfaction": "1"})
    improvement = outsider_client.post(
        "/api/v1/feedback/improvements",
        json.dumps({"you_said": "x", "we_did": "y", "response_ids": [answer.pk]}),
        content_type="application/json",
    )
    assert improvement.status_code == 404
    assert Improvement.objects.count() == 0
