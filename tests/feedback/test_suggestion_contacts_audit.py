"""Reading who left a suggestion (the name and phone they chose to leave) is audited like a read
of a customer's file: on the page, in the API list and in the API's answer to handling one.
Those who are not shown the details, and suggestions left anonymously, write no such event."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.feedback import links, services
from liuke.feedback.models import Suggestion
from liuke.feedback.selectors import SUGGESTION_CONTACTS

pytestmark = pytest.mark.django_db


def _submit(manager: User, branch: Branch, **contact: str) -> Suggestion:
    box = services.box_ensure(actor=manager, branch_id=branch.pk)
    return services.suggestion_submit(signed=links.sign_box(box.token), body="灯光太暗", **contact)


def _contact_reads(user: User) -> list[list[str]]:
    """The audit events of `user` that name suggestions whose contact details they saw."""
    return [
        [f for f in e.fields if f.startswith(SUGGESTION_CONTACTS)]
        for e in AuditEvent.objects.filter(actor_id=user.pk).order_by("seq")
        if any(f.startswith(SUGGESTION_CONTACTS) for f in e.fields)
    ]


def test_reading_suggestion_contacts_is_audited_on_every_output(
    manager_a: User, manager_a_client: Client, branch_a: Branch
) -> None:
    named = _submit(manager_a, branch_a, contact_name="王女士", contact_phone="13911112222")
    _submit(manager_a, branch_a)  # anonymous: nothing personal to read
    field = f"{SUGGESTION_CONTACTS}{named.pk}"

    page = manager_a_client.get("/feedback/suggestions/")
    assert "13911112222" in page.content.decode()
    assert _contact_reads(manager_a) == [[field]]

    listed = manager_a_client.get("/api/v1/feedback/suggestions")
    assert "13911112222" in listed.content.decode()
    assert _contact_reads(manager_a) == [[field], [field]]

    handled = manager_a_client.post(
        f"/api/v1/feedback/suggestions/{named.pk}/handle",
        data=json.dumps({"status": "acted"}),
        content_type="application/json",
    )
    assert handled.json()["contact_phone"] == "13911112222"
    assert _contact_reads(manager_a) == [[field], [field], [field]]


def test_no_contact_read_is_recorded_for_those_not_shown_the_details(
    manager_a: User, front_a: User, front_a_client: Client, branch_a: Branch
) -> None:
    _submit(manager_a, branch_a, contact_name="王女士", contact_phone="13911112222")
    page = front_a_client.get("/feedback/suggestions/")
    assert page.status_code == 200
    assert "13911112222" not in page.content.decode()
    assert _contact_reads(front_a) == []
