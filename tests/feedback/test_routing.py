"""An unhappy answer about a staff member goes to their manager, never to the person named
(issue 16: a detractor's callback went to the very beautician it complained about, because she
was the customer's responsible person)."""

from __future__ import annotations

import pytest
from tests.factories import customer_make
from tests.feedback.helpers import survey_link

from liuke.accounts.models import Branch, User
from liuke.complaints.models import Complaint
from liuke.engagement.choices import TaskKind
from liuke.engagement.models import Task
from liuke.feedback import services

pytestmark = pytest.mark.django_db


def test_a_detractor_about_the_responsible_beautician_goes_to_her_manager(
    owner: User, manager_a: User, beautician_a: User, branch_a: Branch
) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, marketing_consent=True, owner_id=beautician_a.pk
    )
    answer = services.survey_answer(
        signed=survey_link(customer, served_by=beautician_a),
        data={"recommend": "2", "staff_rating": "1", "comment": "态度不好"},
    )
    task = Task.objects.get(customer=customer, kind=TaskKind.FEEDBACK)
    assert task.assignee_id == manager_a.pk
    assert answer.followup_task == task


def test_a_detractor_about_another_staff_member_goes_to_the_manager_too(
    owner: User, manager_a: User, beautician_a: User, front_a: User, branch_a: Branch
) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, marketing_consent=True, owner_id=front_a.pk
    )
    services.survey_answer(
        signed=survey_link(customer, served_by=beautician_a), data={"satisfaction": "1"}
    )
    assert Task.objects.get(customer=customer, kind=TaskKind.FEEDBACK).assignee_id == manager_a.pk


def test_an_answer_about_the_manager_goes_to_the_owner(
    owner: User, manager_a: User, branch_a: Branch
) -> None:
    customer = customer_make(
        actor=owner, branch=branch_a, marketing_consent=True, owner_id=manager_a.pk
    )
    services.survey_answer(
        signed=survey_link(customer, served_by=manager_a), data={"recommend": "0"}
    )
    assert Task.objects.get(customer=customer, kind=TaskKind.FEEDBACK).assignee_id == owner.pk


def test_a_complaint_asked_for_about_the_manager_is_not_handled_by_the_manager(
    owner: User, manager_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a, marketing_consent=True)
    services.survey_answer(
        signed=survey_link(customer, served_by=manager_a),
        data={"satisfaction": "1", "complaint_requested": "1", "comment": "店长态度差"},
    )
    complaint = Complaint.objects.get(customer=customer)
    assert complaint.staff_id == manager_a.pk
    assert complaint.handler_id == owner.pk
    first = Task.objects.get(key=f"complaint:{complaint.pk}")
    assert first.assignee_id == owner.pk
