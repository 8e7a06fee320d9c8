"""Whoever owns a follow-up or a callback sees the number to call, with a one-tap `tel:` link,
while the work is open (issue 16: the beautician who served saw the mobile masked even as the
customer's responsible person, and no list offered a call)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.engagement.helpers import visit_with_followups
from tests.factories import customer_make, user_make

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.audit.models import AuditEvent
from liuke.engagement import selectors, services
from liuke.engagement.models import ContactReason

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"


def test_the_beautician_who_owns_a_follow_up_sees_the_number_and_a_call_link(
    owner: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a, mobile=MOBILE)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    assert day1.assignee_id == beautician_a.pk
    assert not policy.show_full_mobile(beautician_a)  # the role alone sees it masked
    (row,) = selectors.followups(actor=beautician_a, view="today")
    assert (row.phone, row.tel) == (MOBILE, MOBILE)
    page = beautician_a_client.get(reverse("engagement:followups")).content.decode()
    assert f'href="tel:{MOBILE}"' in page
    # the read of the number is audited against the customer
    assert any(
        e.fields == ["mobile"] and e.customer_ids == [customer.pk] and e.actor_id == beautician_a.pk
        for e in AuditEvent.objects.all()
    )
    api = beautician_a_client.get("/api/v1/engagement/followups").json()
    assert [f["mobile"] for f in api] == [MOBILE]


def test_the_number_is_masked_once_the_follow_up_is_done(
    owner: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a, mobile=MOBILE)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    services.followup_complete(actor=beautician_a, followup_id=day1.pk, outcome="satisfied")
    (row,) = selectors.followups(actor=beautician_a, view="done")
    assert (row.phone, row.tel) == ("139****5678", "")
    page = beautician_a_client.get(reverse("engagement:followups") + "?view=done")
    assert "tel:" not in page.content.decode()
    assert MOBILE not in page.content.decode()


def test_the_responsible_person_sees_the_number_of_work_assigned_to_someone_else(
    owner: User, beautician_a: User, branch_a: Branch, business: Business
) -> None:
    other = user_make(business=business, role=Role.BEAUTICIAN, branches=[branch_a])
    customer = customer_make(actor=owner, branch=branch_a, mobile=MOBILE, owner_id=other.pk)
    visit_with_followups(customer=customer, served_by=beautician_a)
    assert (
        policy.present_work_mobile(other, customer, assignee_id=beautician_a.pk, is_open=True)
        == MOBILE
    )
    shown = policy.present_work_mobile(other, customer, assignee_id=beautician_a.pk, is_open=True)
    assert shown == MOBILE
    after = policy.present_work_mobile(other, customer, assignee_id=beautician_a.pk, is_open=False)
    assert after == "139****5678"


def test_a_key_account_s_number_stays_with_those_who_look_after_it(
    owner: User, manager_a: User, beautician_a: User, branch_a: Branch
) -> None:
    key = customer_make(
        actor=owner, branch=branch_a, mobile=MOBILE, is_key_account=True, owner_id=manager_a.pk
    )
    visit_with_followups(customer=key, served_by=beautician_a)
    (row,) = selectors.followups(actor=beautician_a, view="today")
    assert (row.phone, row.tel) == ("139****5678", "")
    (mine,) = selectors.followups(actor=manager_a, view="today")
    assert mine.tel == MOBILE


def test_a_callback_task_shows_its_owner_the_number(
    owner: User, beautician_a: User, front_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    services.defaults_ensure(business_id=branch_a.business_id)
    customer = customer_make(actor=owner, branch=branch_a, mobile=MOBILE)
    reason = ContactReason.objects.filter(business_id=branch_a.business_id).first()
    assert reason is not None
    services.contact_log(
        actor=beautician_a,
        customer_id=customer.pk,
        channel="phone",
        direction="out",
        reason_id=reason.pk,
        outcome="no_answer",
    )
    (task,) = selectors.tasks(actor=beautician_a)
    assert task.tel == MOBILE
    page = beautician_a_client.get(reverse("engagement:tasks")).content.decode()
    assert f'href="tel:{MOBILE}"' in page
