"""A follow-up's outcome is acted on, never closed silently (issue 16): "no answer" tries again
as the branch's settings say, "has an issue" opens a callback for a senior person, and an
unhappy customer's words become a complaint case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.engagement.helpers import visit_with_followups
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.complaints.models import Complaint
from liuke.engagement import services
from liuke.engagement.choices import FollowUpStatus, TaskKind
from liuke.engagement.models import FollowUp, Task

pytestmark = pytest.mark.django_db


def test_no_answer_tries_again_as_the_branch_says_then_closes(
    owner: User, manager_a: User, beautician_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    today = timezone.localdate()
    services.reminder_settings_save(
        actor=manager_a,
        branch_id=branch_a.pk,
        values={"no_answer_retries": 2, "no_answer_retry_days": 2},
    )
    for n in (1, 2):
        tried = services.followup_complete(
            actor=beautician_a, followup_id=day1.pk, outcome="no_answer", note="没接"
        )
        assert (tried.status, tried.outcome, tried.attempts) == (FollowUpStatus.OPEN, "", n)
        assert tried.due_on == today + dt.timedelta(days=2)
    last = services.followup_complete(actor=beautician_a, followup_id=day1.pk, outcome="no_answer")
    assert (last.status, last.outcome, last.attempts) == (FollowUpStatus.DONE, "no_answer", 2)
    assert last.planned_on == day1.planned_on  # the on-time rate still counts from the rule's day


def test_no_retries_set_closes_at_the_first_unanswered_call(
    owner: User, manager_a: User, beautician_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    services.reminder_settings_save(
        actor=manager_a, branch_id=branch_a.pk, values={"no_answer_retries": 0}
    )
    done = services.followup_complete(actor=beautician_a, followup_id=day1.pk, outcome="no_answer")
    assert done.status == FollowUpStatus.DONE


def test_the_retry_settings_are_checked_and_shown(
    manager_a: User, branch_a: Branch, manager_a_client: Client
) -> None:
    from liuke.core.errors import ServiceError

    with pytest.raises(ServiceError) as caught:
        services.reminder_settings_save(
            actor=manager_a, branch_id=branch_a.pk, values={"no_answer_retry_days": 0}
        )
    assert "no_answer_retry_days" in caught.value.fields
    page = manager_a_client.get(reverse("engagement:settings")).content.decode()
    assert 'name="no_answer_retries"' in page
    assert 'name="no_answer_retry_days"' in page


def test_an_issue_opens_a_callback_for_a_senior_person_with_what_was_said(
    owner: User, manager_a: User, beautician_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    services.followup_complete(
        actor=beautician_a, followup_id=day1.pk, outcome="issue", note="脸上有点红"
    )
    task = Task.objects.get(customer=customer, kind=TaskKind.FOLLOWUP_ISSUE)
    assert task.assignee_id == manager_a.pk
    assert task.status == "open"
    assert "脸上有点红" in task.note
    assert task.key == f"followup:{day1.pk}"


def test_an_issue_found_by_the_manager_who_served_goes_to_the_owner(
    owner: User, manager_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=manager_a)[0]
    services.followup_complete(actor=manager_a, followup_id=day1.pk, outcome="issue", note="不满意")
    task = Task.objects.get(customer=customer, kind=TaskKind.FOLLOWUP_ISSUE)
    assert task.assignee_id == owner.pk


def test_an_unhappy_customer_s_words_become_a_complaint_handled_by_a_senior_person(
    owner: User, manager_a: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    page = beautician_a_client.get(reverse("engagement:followups")).content.decode()
    url = reverse("complaints:from_followup", args=[day1.pk])
    assert f'formaction="{url}"' in page
    response = beautician_a_client.post(url, {"note": "做完过敏了，很生气"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    complaint = Complaint.objects.get(customer=customer)
    assert complaint.description == "做完过敏了，很生气"
    assert complaint.channel == "phone"
    assert complaint.visit_id == day1.visit_id
    assert complaint.staff_id == beautician_a.pk
    assert complaint.handler_id == manager_a.pk  # never the person it is about
    day1.refresh_from_db()
    assert (day1.status, day1.outcome) == (FollowUpStatus.DONE, "issue")
    # the case's first-response task is the callback: no second one
    assert not Task.objects.filter(kind=TaskKind.FOLLOWUP_ISSUE).exists()
    assert f"#{complaint.pk}" in response.content.decode()


def test_a_complaint_from_a_follow_up_needs_what_was_said_and_saves_nothing_without(
    owner: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    url = reverse("complaints:from_followup", args=[day1.pk])
    response = beautician_a_client.post(url, {"note": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert not Complaint.objects.exists()
    assert FollowUp.objects.get(pk=day1.pk).status == FollowUpStatus.OPEN
