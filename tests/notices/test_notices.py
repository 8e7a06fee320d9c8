"""The approver is told (issue 16, "nobody kept waiting"): a staff notice per recipient, in the
menu's badge and on the today page, for a borrowing request, a compensation to approve, an
escalated complaint and a callback due; never to whoever asked or whoever the matter is about."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.complaints.helpers import open_complaint
from tests.factories import customer_make
from tests.sales.shop import Shop, shop_make
from tests.web.test_nav_badges import _badge

from liuke.accounts.models import Branch, User
from liuke.complaints import jobs
from liuke.complaints import services as complaint_services
from liuke.customers import services as customer_services
from liuke.engagement.choices import TaskKind
from liuke.engagement.models import Task
from liuke.engagement.notify import callbacks_due_notify
from liuke.notices.choices import NoticeKind
from liuke.notices.models import StaffNotice

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def _told(kind: NoticeKind) -> set[int]:
    return set(StaffNotice.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_a_borrowing_request_tells_the_deciders_not_the_one_who_asked(
    owner: User,
    manager_a: User,
    front_a: User,
    beautician_a: User,
    manager_a_client: Client,
    client_for: object,
) -> None:
    key = customer_make(actor=manager_a, name="沈若兰", is_key_account=True, owner_id=manager_a.pk)
    customer_services.access_request(actor=beautician_a, customer_id=key.pk, reason="今天做护理")

    assert _told(NoticeKind.ACCESS_REQUEST) == {manager_a.pk, owner.pk}
    notice = StaffNotice.objects.get(recipient=manager_a)
    assert "沈若兰" not in (notice.url + notice.key)  # a notice names no customer
    assert notice.delivered_at is None  # queued for a staff channel

    today = manager_a_client.get(reverse("web:today")).content.decode()
    assert _badge(today, reverse("notices:list")) == 1
    assert "有同事申请查看重点客户档案" in today  # the notice's words, in the page's Chinese
    opened = manager_a_client.post(reverse("notices:open", args=[notice.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("customers:access")
    notice.refresh_from_db()
    assert notice.read_at is not None
    again = manager_a_client.get(reverse("web:today")).content.decode()
    assert _badge(again, reverse("notices:list")) == 0


def test_nobody_opens_or_reads_another_staff_member_s_notice(
    owner: User, manager_a: User, beautician_a: User, front_a_client: Client
) -> None:
    key = customer_make(actor=manager_a, name="沈若兰", is_key_account=True, owner_id=manager_a.pk)
    customer_services.access_request(actor=beautician_a, customer_id=key.pk, reason="护理")
    theirs = StaffNotice.objects.get(recipient=manager_a)
    response = front_a_client.post(reverse("notices:open", args=[theirs.pk]))
    assert response["Location"] == reverse("notices:list")
    front_a_client.post(reverse("notices:read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = front_a_client.get(reverse("notices:list")).content.decode()
    assert f'action="{reverse("notices:open", args=[theirs.pk])}"' not in page


def test_a_compensation_about_the_manager_is_for_the_owner_to_approve_and_be_told(
    shop: Shop, front_a: User, manager_a: User, owner: User
) -> None:
    c = open_complaint(front_a, shop, staff_id=manager_a.pk)
    r = complaint_services.complaint_resolve(
        actor=front_a, complaint_id=c.pk, kind="card_bonus", amount_fen=8000, card_id=shop.card.pk
    )
    assert r.status == "pending"
    assert _told(NoticeKind.COMPENSATION) == {owner.pk}
    notice = StaffNotice.objects.get(kind=NoticeKind.COMPENSATION)
    assert notice.url == reverse("complaints:approvals")


def test_a_compensation_goes_to_the_branch_manager_when_it_is_about_nobody(
    shop: Shop, front_a: User, manager_a: User
) -> None:
    c = open_complaint(front_a, shop)
    complaint_services.complaint_resolve(
        actor=front_a, complaint_id=c.pk, kind="card_bonus", amount_fen=8000, card_id=shop.card.pk
    )
    assert _told(NoticeKind.COMPENSATION) == {manager_a.pk}


def test_an_escalation_tells_the_senior_person_never_the_manager_it_is_about(
    shop: Shop, front_a: User, manager_a: User, owner: User
) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop, staff_id=manager_a.pk)
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        assert jobs.sweep()["escalated"] == 1
        jobs.sweep()
    assert _told(NoticeKind.ESCALATION) == {owner.pk}
    assert StaffNotice.objects.get().url == reverse("complaints:detail", args=[c.pk])


def test_a_severe_complaint_tells_whoever_it_is_escalated_to(
    shop: Shop, front_a: User, manager_a: User, owner: User
) -> None:
    open_complaint(front_a, shop, staff_id=manager_a.pk, severity="critical")
    assert _told(NoticeKind.ESCALATION) == {owner.pk}


def test_a_callback_due_tells_its_assignee_once(
    shop: Shop, front_a: User, beautician_a: User, branch_a: Branch
) -> None:
    now = timezone.now()
    for key, assignee, due_at in (
        ("c1", front_a, now - dt.timedelta(minutes=5)),
        ("c2", beautician_a, now + dt.timedelta(hours=2)),
    ):
        Task.objects.create(
            business_id=branch_a.business_id,
            branch=branch_a,
            customer=shop.customer,
            kind=TaskKind.CALLBACK,
            key=key,
            assignee=assignee,
            due_at=due_at,
        )
    assert callbacks_due_notify(now=now) == 1
    assert callbacks_due_notify(now=now) == 0
    assert _told(NoticeKind.CALLBACK_DUE) == {front_a.pk}
    assert callbacks_due_notify(now=now + dt.timedelta(hours=3)) == 1
    assert _told(NoticeKind.CALLBACK_DUE) == {front_a.pk, beautician_a.pk}
