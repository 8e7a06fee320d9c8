from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.engagement.helpers import visit_with_followups
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.engagement import selectors, services
from liuke.engagement.choices import FollowUpStatus, TaskKind
from liuke.engagement.models import Contact, ContactReason, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def reasons(owner: User) -> dict[str, ContactReason]:
    assert owner.business_id is not None
    services.defaults_ensure(business_id=owner.business_id)
    return {r.code: r for r in ContactReason.objects.filter(business_id=owner.business_id)}


def test_defaults_are_seeded_once_in_both_languages(owner: User) -> None:
    assert owner.business_id is not None
    services.defaults_ensure(business_id=owner.business_id)
    services.defaults_ensure(business_id=owner.business_id)
    codes = set(ContactReason.objects.values_list("code", flat=True))
    assert {"booking", "price", "result", "allergy", "balance", "complaint"} <= codes
    assert ContactReason.objects.count() == len(codes)
    booking = ContactReason.objects.get(code="booking")
    assert booking.response_zh.startswith("最快的方式")
    assert booking.response_en.startswith("The quickest way")


def test_an_unanswered_contact_becomes_a_callback_task(
    front_a: User, branch_a: Branch, reasons: dict[str, ContactReason]
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a, mobile="13812345678")
    before = timezone.now()
    contact = services.contact_log(
        actor=front_a,
        customer_id=customer.pk,
        channel="phone",
        direction="out",
        reason_id=reasons["booking"].pk,
        outcome="no_answer",
        wait_seconds=30,
        handle_seconds=60,
    )
    task = Task.objects.get(contact=contact)
    assert task.kind == TaskKind.CALLBACK
    assert task.assignee == front_a
    assert before + dt.timedelta(hours=2) <= task.due_at <= timezone.now() + dt.timedelta(hours=2)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.fields == ["contact"]
    assert event.customer_ids == [customer.pk]
    assert "13812345678" not in str(event.fields) + event.reason


def test_a_resolved_contact_opens_no_task(
    front_a: User, branch_a: Branch, reasons: dict[str, ContactReason]
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a)
    services.contact_log(
        actor=front_a,
        customer_id=customer.pk,
        channel="wechat",
        direction="in",
        reason_id=reasons["price"].pk,
        outcome="resolved",
    )
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"reason_id": 999999}, "invalid_reason"),
        ({"outcome": "maybe"}, "invalid_outcome"),
        ({"channel": "fax"}, "invalid_channel"),
        ({"wait_seconds": -1}, "invalid_duration"),
        ({"notes": "x" * 2001}, "too_long"),
        ({"notes": "bad\x00"}, "invalid_text"),
    ],
)
def test_bad_contact_input_is_refused_and_nothing_is_saved(
    front_a: User,
    branch_a: Branch,
    reasons: dict[str, ContactReason],
    change: dict[str, object],
    code: str,
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a)
    data: dict[str, object] = {
        "customer_id": customer.pk,
        "channel": "phone",
        "direction": "in",
        "reason_id": reasons["booking"].pk,
        "outcome": "callback",
        **change,
    }
    with pytest.raises(ServiceError) as caught:
        services.contact_log(actor=front_a, **data)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert not Contact.objects.exists()
    assert not Task.objects.exists()


def test_another_branchs_customer_is_not_found(
    front_b: User, front_a: User, branch_a: Branch, reasons: dict[str, ContactReason]
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a)
    with pytest.raises(NotFound):
        services.contact_log(
            actor=front_b,
            customer_id=customer.pk,
            channel="phone",
            direction="in",
            reason_id=reasons["booking"].pk,
            outcome="resolved",
        )


def test_follow_up_done_leaves_todays_list(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1, *_rest = visit_with_followups(customer=customer, served_by=beautician_a)
    assert [f.pk for f in selectors.followups(actor=beautician_a, view="today")] == [day1.pk]
    with pytest.raises(ServiceError) as caught:
        services.followup_complete(actor=beautician_a, followup_id=day1.pk, outcome="issue")
    assert caught.value.code == "note_required"
    services.followup_complete(
        actor=beautician_a, followup_id=day1.pk, outcome="satisfied", note="皮肤状态很好"
    )
    day1.refresh_from_db()
    assert day1.status == FollowUpStatus.DONE
    assert day1.done_by == beautician_a
    assert selectors.followups(actor=beautician_a, view="today") == []
    assert [f.pk for f in selectors.followups(actor=beautician_a, view="done")] == [day1.pk]
    with pytest.raises(ServiceError) as again:
        services.followup_complete(actor=beautician_a, followup_id=day1.pk, outcome="satisfied")
    assert again.value.code == "followup_closed"


def test_reschedule_and_the_on_time_rate(
    owner: User, manager_a: User, beautician_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1, day7, _day30 = visit_with_followups(customer=customer, served_by=beautician_a, days_ago=8)
    today = timezone.localdate()
    with pytest.raises(ServiceError) as caught:
        services.followup_reschedule(
            actor=beautician_a, followup_id=day7.pk, due_on=today - dt.timedelta(days=1)
        )
    assert caught.value.code == "invalid_due"
    moved = services.followup_reschedule(
        actor=beautician_a, followup_id=day7.pk, due_on=today + dt.timedelta(days=2), note="出差"
    )
    assert moved.planned_on == day7.planned_on
    assert moved.reschedules == 1
    services.followup_complete(actor=beautician_a, followup_id=day1.pk, outcome="satisfied")
    # day 1 was done a week late, day 7 is still open: 0 of 2 on time
    staff, branches = selectors.on_time_rates(actor=manager_a)
    assert [(r.label, r.due, r.on_time) for r in staff] == [("美容师小林", 2, 0)]
    assert [(r.label, r.rate) for r in branches] == [("静安店", 0.0)]
    with pytest.raises(PermissionDenied):
        selectors.on_time_rates(actor=beautician_a)


def test_a_staff_member_sees_own_follow_ups_a_manager_everyones(
    owner: User, manager_a: User, beautician_a: User, front_a: User, front_b: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    visit_with_followups(customer=customer, served_by=beautician_a)
    assert len(selectors.followups(actor=beautician_a)) == 1
    assert selectors.followups(actor=front_a) == []  # not hers
    assert len(selectors.followups(actor=manager_a)) == 1
    assert selectors.followups(actor=front_b) == []  # another branch


def test_reasons_are_managed_by_managers_only(
    manager_a: User, front_a: User, reasons: dict[str, ContactReason]
) -> None:
    with pytest.raises(PermissionDenied):
        services.reason_save(actor=front_a, code="gift", name_zh="礼品卡", response_zh="…")
    reason = services.reason_save(
        actor=manager_a,
        code="gift",
        name_zh="礼品卡",
        name_en="Gift card",
        response_zh="最快的方式是在前台直接购买，可以马上使用。",
    )
    assert reason.business_id == manager_a.business_id
    with pytest.raises(ServiceError) as caught:
        services.reason_save(actor=manager_a, code="gift", name_zh="重复", response_zh="x")
    assert caught.value.code == "invalid_reason_data"
    assert "code" in caught.value.fields


def test_the_report_counts_unresolved_reasons(
    front_a: User, manager_a: User, branch_a: Branch, reasons: dict[str, ContactReason]
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a)
    for reason, outcome in [
        ("result", "complaint"),
        ("result", "callback"),
        ("result", "resolved"),
        ("booking", "booked"),
    ]:
        services.contact_log(
            actor=front_a,
            customer_id=customer.pk,
            channel="phone",
            direction="in",
            reason_id=reasons[reason].pk,
            outcome=outcome,
        )
    report = selectors.contact_report(actor=manager_a)
    assert report.total == 4
    assert report.unresolved == 2
    assert report.unresolved_share == 50.0
    assert report.unresolved_reasons[0]["reason_id"] == reasons["result"].pk
    assert report.unresolved_reasons[0]["unresolved"] == 2


def test_unassigned_follow_ups_are_seen_by_the_branch_staff(
    owner: User, front_a: User, front_b: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)  # no owner, nobody served
    day1 = visit_with_followups(customer=customer, served_by=None)[0]
    assert day1.assignee_id is None
    assert [f.pk for f in selectors.followups(actor=front_a)] == [day1.pk]
    assert selectors.followups(actor=front_b) == []
