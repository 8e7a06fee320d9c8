"""The complaint services: opening, the ten steps and their closing rules, waiting for the
customer, resolutions through the sales ledger, compensation limits and approval, afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l
from tests.complaints.helpers import open_complaint, walk_to_close
from tests.sales.shop import Shop, balances

from liuke.accounts.models import User
from liuke.audit.models import AuditEvent
from liuke.complaints import selectors, services
from liuke.complaints.models import Complaint, ComplaintStep
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.engagement.models import Task
from liuke.sales.models import CardEntry, Refund, Visit

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_open_sets_targets_task_and_audit(shop: Shop, front_a: User, visit: Visit) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop, visit)
    assert c.severity == "medium"
    assert c.status == "open"
    assert c.response_due_at == T0 + dt.timedelta(hours=4)
    assert c.resolution_due_at == T0 + dt.timedelta(hours=72)
    assert c.response_warn_at == T0 + dt.timedelta(hours=3)  # 75 % of the target
    assert c.handler == front_a
    assert c.escalated_at is None
    assert c.staff == shop.beautician
    assert c.service_id == shop.facial.pk
    assert c.cause is not None
    assert c.cause.code == "allergy"
    task = Task.objects.get(key=f"complaint:{c.pk}")
    assert task.assignee == front_a
    assert task.due_at == c.response_due_at
    event = AuditEvent.objects.filter(action="create").latest("seq")
    assert list(event.customer_ids) == [shop.customer.pk]
    assert list(event.fields) == ["complaint"]


def test_high_severity_goes_to_a_senior_person_at_once(
    shop: Shop, front_a: User, manager_a: User
) -> None:
    c = open_complaint(front_a, shop, severity="high")
    assert c.escalated_at is not None
    assert c.escalation_reason == "severity"
    assert c.escalated_to == manager_a
    assert c.handler == manager_a
    assert Task.objects.get(key=f"complaint:{c.pk}:esc").assignee == manager_a


def test_the_feedback_app_opens_with_a_system_actor(shop: Shop, manager_a: User) -> None:
    actor = services.system_actor(business_id=shop.customer.business_id, label="feedback")
    c = services.complaint_open(
        actor=actor,
        customer_id=shop.customer.pk,
        channel="feedback",
        description="满意度1分：等了四十分钟没人理。",
        severity="low",
        cause_code="waiting",
    )
    assert c.opened_by is None
    assert c.handler == manager_a
    event = AuditEvent.objects.filter(action="create").latest("seq")
    assert event.actor_id is None
    assert event.actor_label == "system:feedback"
    other = services.system_actor(business_id=shop.customer.business_id + 999)
    with pytest.raises(NotFound):
        services.complaint_open(
            actor=other, customer_id=shop.customer.pk, channel="other", description="x"
        )


def test_open_refuses_bad_input_and_out_of_scope(shop: Shop, front_a: User, front_b: User) -> None:
    with pytest.raises(NotFound):
        open_complaint(front_b, shop)
    with pytest.raises(ServiceError) as err:
        open_complaint(front_a, shop, description="  ")
    assert err.value.code == "description_required"
    with pytest.raises(ServiceError) as err:
        open_complaint(front_a, shop, cause_code="nonsense")
    assert err.value.code == "invalid_cause"
    with pytest.raises(ServiceError) as err:
        open_complaint(front_a, shop, severity="apocalyptic")
    assert err.value.code == "invalid_severity"
    assert Complaint.objects.count() == 0


def test_auditor_cannot_open(shop: Shop, auditor: User) -> None:
    with pytest.raises(PermissionDenied):
        open_complaint(auditor, shop)


# --- the ten steps ---------------------------------------------------------------------------


def test_close_is_refused_until_restatement_actions_summary_and_resolution(
    shop: Shop, front_a: User
) -> None:
    c = open_complaint(front_a, shop)
    with pytest.raises(ServiceError) as err:
        services.complaint_close(actor=front_a, complaint_id=c.pk)
    assert err.value.code == "cannot_close"
    assert len(err.value.fields["__all__"]) == 4  # restatement, actions, summary, resolution
    # step 6 needs the customer's confirmation
    with pytest.raises(ServiceError) as err:
        services.complaint_step_record(
            actor=front_a, complaint_id=c.pk, step=6, restated_problem="皮肤过敏"
        )
    assert err.value.code == "restatement_unconfirmed"
    # step 9 needs the actions first, and the summary
    with pytest.raises(ServiceError) as err:
        services.complaint_step_record(actor=front_a, complaint_id=c.pk, step=9, summary="x")
    assert err.value.code == "actions_required"
    services.action_add(actor=front_a, complaint_id=c.pk, side="theirs", text="发照片")
    with pytest.raises(ServiceError) as err:
        services.complaint_step_record(actor=front_a, complaint_id=c.pk, step=9)
    assert err.value.code == "summary_required"
    with pytest.raises(ServiceError) as err:
        services.complaint_step_record(actor=front_a, complaint_id=c.pk, step=10)
    assert err.value.code == "use_close"
    c.refresh_from_db()
    assert c.status == "open"
    assert not ComplaintStep.objects.filter(complaint=c).exists()


def test_walk_all_ten_steps_to_closed(shop: Shop, front_a: User) -> None:
    c = open_complaint(front_a, shop)
    closed = walk_to_close(front_a, c, owner_id=front_a.pk)
    assert closed.status == "closed"
    assert closed.closed_by == front_a
    assert list(ComplaintStep.objects.filter(complaint=c).values_list("step", flat=True)) == list(
        range(1, 11)
    )
    assert closed.first_response_at is not None
    assert closed.resolved_at is not None
    # its tasks are done; the agreed action's task stays on the owner's list until done
    assert not Task.objects.filter(key__startswith=f"complaint:{c.pk}", status="open").exists()
    action_task = Task.objects.get(key__startswith="complaint-action:")
    assert action_task.status == "open"
    assert action_task.assignee == front_a
    with pytest.raises(ServiceError) as err:
        services.complaint_step_record(actor=front_a, complaint_id=c.pk, step=1)
    assert err.value.code == "complaint_closed"


def test_the_database_refuses_a_closed_case_without_summary(shop: Shop, front_a: User) -> None:
    c = open_complaint(front_a, shop)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=c.pk).update(status="closed", closed_at=timezone.now())


def test_recording_a_step_again_replaces_its_note(shop: Shop, front_a: User) -> None:
    c = open_complaint(front_a, shop)
    services.complaint_step_record(actor=front_a, complaint_id=c.pk, step=5, note="第一次")
    services.complaint_step_record(actor=front_a, complaint_id=c.pk, step=5, note="补充事实")
    assert ComplaintStep.objects.get(complaint=c, step=5).note == "补充事实"


# --- waiting for the customer ----------------------------------------------------------------


def test_waiting_pauses_the_timers(shop: Shop, front_a: User) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        services.complaint_wait(actor=front_a, complaint_id=c.pk, note="等顾客发照片")
    with time_machine.travel(T0 + dt.timedelta(hours=25), tick=False):
        timers = selectors.timers(Complaint.objects.get(pk=c.pk))
        assert [t.state for t in timers] == ["paused", "paused"]
        assert timers[0].minutes_left == 180  # frozen at the moment the wait began
        # the customer is back: a step ends the wait, and the targets move by 24 hours
        services.complaint_step_record(actor=front_a, complaint_id=c.pk, step=1)
    c.refresh_from_db()
    assert c.status == "open"
    assert c.paused_at is None
    assert c.paused_seconds == 24 * 3600
    assert c.first_response_at == T0 + dt.timedelta(hours=25)
    assert c.resolution_due_at == T0 + dt.timedelta(hours=72 + 24)
    assert c.response_due_at == T0 + dt.timedelta(hours=4 + 24)


def test_resume_without_a_wait_is_refused(shop: Shop, front_a: User) -> None:
    c = open_complaint(front_a, shop)
    with pytest.raises(ServiceError) as err:
        services.complaint_resume(actor=front_a, complaint_id=c.pk)
    assert err.value.code == "not_waiting"


# --- resolutions and compensation ------------------------------------------------------------


def test_front_desk_gives_a_voucher_within_the_limit(shop: Shop, front_a: User) -> None:
    c = open_complaint(front_a, shop)
    r = services.complaint_resolve(
        actor=front_a, complaint_id=c.pk, kind="voucher", amount_fen=3000
    )
    assert r.status == "applied"
    assert r.voucher_code.startswith(f"TS{c.pk}-")
    c.refresh_from_db()
    assert c.status == "resolved"
    assert c.resolved_at is not None


def test_above_the_limit_a_manager_approves(
    shop: Shop, front_a: User, manager_a: User, owner: User
) -> None:
    c = open_complaint(front_a, shop)
    before = balances(shop.card)
    r = services.complaint_resolve(
        actor=front_a, complaint_id=c.pk, kind="card_bonus", amount_fen=8000, card_id=shop.card.pk
    )
    assert r.status == "pending"
    assert balances(shop.card) == before
    assert Task.objects.get(key=f"complaint:{c.pk}:approve{r.pk}").assignee == manager_a
    c.refresh_from_db()
    assert c.status == "open"
    with pytest.raises(PermissionDenied):
        services.resolution_decide(actor=front_a, resolution_id=r.pk, approve=True)
    assert [x.pk for x in selectors.approvals(actor=manager_a)] == [r.pk]
    services.resolution_decide(actor=manager_a, resolution_id=r.pk, approve=True, note="同意")
    r.refresh_from_db()
    assert r.status == "applied"
    assert r.decided_by == manager_a
    assert r.card_entry is not None
    assert balances(shop.card) == (before[0], before[1] + 8000)
    assert CardEntry.objects.get(pk=r.card_entry.pk).kind == "bonus"
    c.refresh_from_db()
    assert c.status == "resolved"
    with pytest.raises(ServiceError) as err:
        services.resolution_decide(actor=owner, resolution_id=r.pk, approve=False)
    assert err.value.code == "already_decided"


def test_a_manager_cannot_approve_above_their_own_limit_or_their_own_request(
    shop: Shop, front_a: User, manager_a: User, owner: User
) -> None:
    c = open_complaint(front_a, shop)
    big = services.complaint_resolve(
        actor=front_a, complaint_id=c.pk, kind="voucher", amount_fen=200_000
    )
    with pytest.raises(ServiceError) as err:
        services.resolution_decide(actor=manager_a, resolution_id=big.pk, approve=True)
    assert err.value.code == "above_your_limit"
    services.resolution_decide(actor=owner, resolution_id=big.pk, approve=False, note="太多")
    big.refresh_from_db()
    assert big.status == "refused"
    services.limit_save(actor=owner, role="manager", limit_fen=1000)
    own = services.complaint_resolve(
        actor=manager_a, complaint_id=c.pk, kind="voucher", amount_fen=5000
    )
    assert own.status == "pending"
    with pytest.raises(ServiceError) as err:
        services.resolution_decide(actor=manager_a, resolution_id=own.pk, approve=True)
    assert err.value.code == "own_request"


def test_close_waits_for_a_pending_approval(shop: Shop, front_a: User, manager_a: User) -> None:
    c = open_complaint(front_a, shop)
    pending = services.complaint_resolve(
        actor=front_a, complaint_id=c.pk, kind="voucher", amount_fen=9000
    )
    with pytest.raises(ServiceError) as err:
        walk_to_close(front_a, c, owner_id=front_a.pk)
    assert err.value.code == "cannot_close"
    # the one thing missing (everything else was done by the walk)
    assert err.value.fields["__all__"] == [
        str(_l("a decision on the compensation waiting for approval"))
    ]
    services.resolution_decide(actor=manager_a, resolution_id=pending.pk, approve=True)
    assert services.complaint_close(actor=front_a, complaint_id=c.pk).status == "closed"


def test_a_refund_goes_through_the_sales_ledger(
    shop: Shop, front_a: User, owner: User, visit: Visit
) -> None:
    c = open_complaint(front_a, shop, visit)
    # front desk may not refund: the request waits for someone who may
    r = services.complaint_resolve(actor=front_a, complaint_id=c.pk, kind="refund")
    assert r.status == "pending"
    assert r.amount_fen == 10000
    assert not Refund.objects.exists()
    services.resolution_decide(actor=owner, resolution_id=r.pk, approve=True)
    r.refresh_from_db()
    refund = Refund.objects.get()
    assert r.refund == refund
    assert refund.reason == "complaint"
    assert refund.amount_fen == 10000
    visit.refresh_from_db()
    assert visit.status == "refunded"


def test_a_redo_and_an_exchange(shop: Shop, owner: User, visit: Visit) -> None:
    c = open_complaint(owner, shop, visit)
    redo = services.complaint_resolve(
        actor=owner, complaint_id=c.pk, kind="redo", amount_fen=10000, note="免费重做"
    )
    assert redo.status == "applied"
    assert redo.visit == visit
    line = visit.lines.get()
    ex = services.complaint_resolve(
        actor=owner,
        complaint_id=c.pk,
        kind="exchange",
        line_id=line.pk,
        exchange={
            "lines": [shop.line(shop.massage)],
            "payments": [{"method": "cash", "amount_fen": 20000}],
        },
    )
    assert ex.status == "applied"
    assert ex.refund is not None
    assert ex.refund.exchange_visit is not None
    assert ex.refund.reason == "exchange"


# --- afterwards ------------------------------------------------------------------------------


def test_cause_fix_then_customer_told(shop: Shop, front_a: User) -> None:
    c = open_complaint(front_a, shop)
    with pytest.raises(ServiceError) as err:
        services.complaint_cause_fix(actor=front_a, complaint_id=c.pk, cause_fix="培训")
    assert err.value.code == "not_resolved"
    walk_to_close(front_a, c, owner_id=front_a.pk)
    with pytest.raises(ServiceError) as err:
        services.complaint_customer_told(actor=front_a, complaint_id=c.pk)
    assert err.value.code == "no_cause_fix"
    services.complaint_cause_fix(
        actor=front_a, complaint_id=c.pk, cause_fix="护理前统一做皮肤测试，并记入档案"
    )
    c = services.complaint_customer_told(actor=front_a, complaint_id=c.pk, note="微信告知")
    assert c.customer_told_at is not None
    assert c.cause_fix_by == front_a


def test_recovery_is_computed_from_later_visits(shop: Shop, front_a: User, owner: User) -> None:
    with time_machine.travel(T0, tick=False):
        c = open_complaint(front_a, shop)
        walk_to_close(front_a, c, owner_id=front_a.pk)
    c.refresh_from_db()
    settings = selectors.settings_of(c.business_id)
    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        rec = selectors.recovery(c, settings)
        assert rec is not None
        assert not rec.came_back
        assert not rec.window_over
    # a visit 30 days later (¥100 cash) counts; one 120 days later does not
    for days in (30, 120):
        with time_machine.travel(T0 + dt.timedelta(days=days), tick=False):
            from liuke.sales import services as sales

            sales.checkout(
                actor=owner,
                data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
            )
    with time_machine.travel(T0 + dt.timedelta(days=130), tick=False):
        rec = selectors.recovery(c, settings)
        assert rec is not None
        assert rec.came_back
        assert rec.visits == 1
        assert rec.spend_fen == 10000
        report = selectors.report(actor=owner, days=365)
    assert report.recovery_counted == 1
    assert report.recovered == 1
    assert report.recovery_rate == 1.0


# --- settings ---------------------------------------------------------------------------------


def test_settings_validation_and_word_of_mouth(shop: Shop, owner: User, front_a: User) -> None:
    with pytest.raises(PermissionDenied):
        services.settings_save(actor=front_a, values={"wom_first": 3})
    with pytest.raises(ServiceError) as err:
        services.settings_save(actor=owner, values={"wom_first": -1, "warn_pct": "x"})
    assert set(err.value.fields) == {"wom_first", "warn_pct"}
    with pytest.raises(ServiceError) as err:
        services.settings_save(actor=owner, values={"response_low_min": 20000})
    assert "response_low_min" in err.value.fields  # after its own resolution target
    open_complaint(front_a, shop)
    open_complaint(front_a, shop)
    assert selectors.dashboard(actor=owner).reach_total == 2 * 67
    services.settings_save(actor=owner, values={"wom_first": 10, "wom_second": 2})
    board = selectors.dashboard(actor=owner)
    assert board.reach_each == 31
    assert board.reach_total == 62


def test_managers_extend_the_causes(owner: User, manager_a: User, front_a: User) -> None:
    cause = services.cause_save(
        actor=manager_a, code="parking", name_zh="停车不便", name_en="Parking"
    )
    assert cause.business_id == manager_a.business_id
    with pytest.raises(ServiceError) as err:
        services.cause_save(actor=manager_a, code="parking", name_zh="重复")
    assert err.value.code == "invalid_cause"
    with pytest.raises(PermissionDenied):
        services.cause_save(actor=front_a, code="x", name_zh="x")
    with pytest.raises(ServiceError):
        services.limit_save(actor=manager_a, role="front_desk", limit_fen=None)
    assert services.limit_save(actor=owner, role="front_desk", limit_fen=None).limit_fen is None


def test_erasing_the_customer_blanks_the_complaint_texts(
    shop: Shop, front_a: User, owner: User
) -> None:
    from liuke.customers.services import customer_anonymise

    c = open_complaint(front_a, shop)
    walk_to_close(front_a, c, owner_id=front_a.pk)
    services.complaint_cause_fix(actor=front_a, complaint_id=c.pk, cause_fix="统一做皮肤测试")
    assert customer_anonymise(actor=owner, customer_ids=[shop.customer.pk], reason="顾客要求") == 1
    c.refresh_from_db()
    assert c.status == "closed"
    assert (c.description, c.restated_problem, c.summary) == ("", "", "")
    assert c.cause_fix == "统一做皮肤测试"  # about the business, kept for the reports
    assert not c.steps.exclude(note="").exists()
    assert not c.actions.exclude(text="").exists()


def test_only_the_owner_sets_compensation_limits(owner: User, manager_a: User) -> None:
    """A manager approves compensation above the others' limits, so must not raise their own
    (nor lower anyone's): limits are the owner's."""
    for role, amount in (("manager", 100_000_000), ("front_desk", 0), ("owner", 0)):
        with pytest.raises(ServiceError) as refused:
            services.limit_save(actor=manager_a, role=role, limit_fen=amount)
        assert refused.value.code == "owner_only"
    assert services.limit_save(actor=owner, role="manager", limit_fen=200_000).limit_fen == 200_000


def test_the_limit_is_for_the_whole_case_not_each_resolution(shop: Shop, front_a: User) -> None:
    """Front desk may give ¥50 without approval: two ¥30 vouchers on one case make ¥60, so the
    second waits for a manager (a refused one does not count)."""
    c = open_complaint(front_a, shop)
    first = services.complaint_resolve(
        actor=front_a, complaint_id=c.pk, kind="voucher", amount_fen=3000
    )
    assert first.status == "applied"
    second = services.complaint_resolve(
        actor=front_a, complaint_id=c.pk, kind="voucher", amount_fen=3000
    )
    assert second.status == "pending"
