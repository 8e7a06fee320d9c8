"""Survey answers, the link's signature, expiry and single use, detractor routing, the
suggestion box, conversations and "you said, we did" notices, through the real services."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from tests.factories import customer_make
from tests.feedback.helpers import survey_link

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.customers.models import Customer
from liuke.engagement.choices import MessageKind, MessageStatus, TaskKind, TaskStatus
from liuke.engagement.models import Message, Task
from liuke.feedback import links, selectors, services
from liuke.feedback.models import (
    ConversationParticipant,
    SurveyInvitation,
    SurveyResponse,
)
from liuke.feedback.schemas import SETTING_FLAGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(owner: User, branch_a: Branch, front_a: User) -> Customer:
    return customer_make(
        actor=owner,
        branch=branch_a,
        name="林小雨",
        mobile="13911112222",
        marketing_consent=True,
        owner_id=front_a.pk,
    )


def test_an_answer_is_taken_once(customer: Customer, beautician_a: User) -> None:
    signed = survey_link(customer, served_by=beautician_a)
    answer = services.survey_answer(
        signed=signed,
        data={"satisfaction": "5", "recommend": "10", "ease": "4", "staff_rating": "5",
              "comment": "很舒服"},
    )  # fmt: skip
    assert (answer.satisfaction, answer.recommend, answer.ease, answer.staff_rating) == (
        5, 10, 4, 5,
    )  # fmt: skip
    assert answer.staff_id == beautician_a.pk
    assert not answer.is_detractor
    assert answer.followup_task is None
    assert SurveyInvitation.objects.get().answered_at is not None
    with pytest.raises(ServiceError) as again:
        services.survey_answer(signed=signed, data={"satisfaction": "1"})
    assert again.value.code == "link_invalid"
    assert SurveyResponse.objects.count() == 1
    assert services.survey_open(signed) is None
    # the public write is audited against the customer
    (event,) = [e for e in AuditEvent.objects.all() if e.fields == ["survey_response"]]
    assert event.customer_ids == [customer.pk]
    assert event.actor_label == "public:survey"


def test_a_tampered_or_foreign_link_is_refused(customer: Customer) -> None:
    signed = survey_link(customer)
    token, signature = signed.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other_token = links.new_token()
    for bad in (
        f"{token}.{flipped}",  # signature altered
        f"{other_token}.{signature}",  # token swapped under the old signature
        token,  # signature removed
        links.sign_box(token),  # signed for another purpose
        signed + "x",
        "",
        "x" * 500,
    ):
        assert services.survey_open(bad) is None, bad
        with pytest.raises(ServiceError) as refused:
            services.survey_answer(signed=bad, data={"satisfaction": "5"})
        assert refused.value.code == "link_invalid"
    # a well-signed token that names no invitation is refused the same way
    assert services.survey_open(links.sign_survey(other_token)) is None
    assert services.survey_open(signed) is not None  # the real link still works
    assert SurveyResponse.objects.count() == 0


def test_the_link_expires(customer: Customer) -> None:
    signed = survey_link(customer)
    invitation = SurveyInvitation.objects.get()
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=14)
    with time_machine.travel(invitation.expires_at + dt.timedelta(seconds=1)):
        assert services.survey_open(signed) is None
        with pytest.raises(ServiceError) as refused:
            services.survey_answer(signed=signed, data={"satisfaction": "5"})
        assert refused.value.code == "link_invalid"
    with time_machine.travel(invitation.expires_at - dt.timedelta(minutes=1)):
        assert services.survey_answer(signed=signed, data={"satisfaction": "5"})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"satisfaction": "6"}, "satisfaction"),
        ({"satisfaction": "0"}, "satisfaction"),
        ({"recommend": "11"}, "recommend"),
        ({"recommend": "-1"}, "recommend"),
        ({"ease": "3.5"}, "ease"),
        ({"recommend": "ten"}, "recommend"),
        ({"satisfaction": " 4"}, "satisfaction"),
        ({"recommend": "08"}, "recommend"),
    ],
)
def test_scores_out_of_range_are_refused_and_the_link_stays_usable(
    customer: Customer, data: dict[str, str], field: str
) -> None:
    signed = survey_link(customer)
    with pytest.raises(ServiceError) as refused:
        services.survey_answer(signed=signed, data=data)
    assert refused.value.code == "invalid_score"
    assert field in refused.value.fields
    assert SurveyInvitation.objects.get().answered_at is None
    assert services.survey_answer(signed=signed, data={"satisfaction": "4"})


def test_an_empty_answer_is_refused(customer: Customer) -> None:
    signed = survey_link(customer)
    with pytest.raises(ServiceError) as refused:
        services.survey_answer(signed=signed, data={"comment": "  "})
    assert refused.value.code == "empty_answer"


def test_questions_switched_off_are_not_recorded(customer: Customer, owner: User) -> None:
    services.settings_save(actor=owner, data={"ask_ease": False, "ask_staff": False})
    signed = survey_link(customer)
    answer = services.survey_answer(
        signed=signed, data={"satisfaction": "4", "ease": "1", "staff_rating": "1"}
    )
    assert answer.ease is None
    assert answer.staff_rating is None
    assert answer.satisfaction == 4


@pytest.mark.parametrize(
    "data",
    [{"recommend": "6"}, {"satisfaction": "2"}, {"satisfaction": "5", "recommend": "0"}],
)
def test_a_detractor_gets_a_callback_task_for_the_customers_owner(
    customer: Customer, front_a: User, data: dict[str, str]
) -> None:
    signed = survey_link(customer)
    before = timezone.now()
    answer = services.survey_answer(signed=signed, data=data)
    assert answer.is_detractor is True
    task = Task.objects.get(customer=customer, kind=TaskKind.FEEDBACK)
    assert answer.followup_task == task
    assert task.assignee_id == front_a.pk  # the customer's owner
    assert task.status == TaskStatus.OPEN
    assert task.key == f"survey:{answer.pk}"
    assert before + dt.timedelta(hours=23) < task.due_at <= timezone.now() + dt.timedelta(hours=24)


@pytest.mark.parametrize("data", [{"recommend": "7"}, {"satisfaction": "3", "recommend": "9"}])
def test_an_answer_that_is_not_a_detractor_raises_no_callback(
    customer: Customer, front_a: User, data: dict[str, str]
) -> None:
    answer = services.survey_answer(signed=survey_link(customer), data=data)
    assert answer.is_detractor is False
    assert not Task.objects.filter(customer=customer, kind=TaskKind.FEEDBACK).exists()
    assert answer.followup_task is None


def test_asking_for_a_complaint_opens_a_complaint_case(
    owner: User, branch_a: Branch, beautician_a: User, owner_client: Client
) -> None:
    """The answer becomes a complaint case in the customer's words (channel "feedback", the
    visit and the staff member who served), opened by the system actor and audited as such; its
    handler's first-response task is the callback, so no second callback task is raised."""
    from liuke.audit.models import AuditEvent
    from liuke.complaints.models import Complaint

    customer = customer_make(actor=owner, branch=branch_a, marketing_consent=True)
    signed = survey_link(customer, served_by=beautician_a)
    answer = services.survey_answer(
        signed=signed, data={"satisfaction": "4", "complaint_requested": "1", "comment": "退款"}
    )
    assert answer.complaint_requested
    assert answer.wants_contact
    assert not answer.is_detractor
    complaint = Complaint.objects.get(customer=customer)
    assert answer.complaint_id == complaint.pk
    assert complaint.channel == "feedback"
    assert (complaint.visit_id, complaint.staff_id) == (answer.visit_id, beautician_a.pk)
    assert complaint.branch_id == branch_a.pk
    assert complaint.description.startswith("退款")
    assert not Task.objects.filter(customer=customer, kind=TaskKind.FEEDBACK).exists()
    assert Task.objects.filter(customer=customer).exclude(kind=TaskKind.FEEDBACK).exists()
    labels = {
        e.actor_label
        for e in AuditEvent.objects.order_by("-seq")[:20]
        if customer.pk in e.customer_ids
    }
    assert "system:feedback" in labels
    page = owner_client.get(f"/feedback/responses/{answer.pk}/").content.decode()
    assert f'href="/complaints/{complaint.pk}/" id="response-complaint"' in page
    services.route_detractor(answer)  # again: still one case
    assert Complaint.objects.filter(customer=customer).count() == 1


def test_route_detractor_is_idempotent(customer: Customer) -> None:
    answer = services.survey_answer(signed=survey_link(customer), data={"recommend": "2"})
    services.route_detractor(answer)
    services.route_detractor(answer)
    assert Task.objects.filter(kind=TaskKind.FEEDBACK).count() == 1


def test_settings_are_validated(owner: User, front_a: User) -> None:
    with pytest.raises(PermissionDenied):
        services.settings_save(actor=front_a, data={"delay_hours": 3})
    for field, bad in (("delay_hours", 169), ("cooldown_days", -1), ("valid_days", 0),
                       ("valid_days", "x")):  # fmt: skip
        with pytest.raises(ServiceError) as refused:
            services.settings_save(actor=owner, data={field: bad})
        assert field in refused.value.fields
    with pytest.raises(ServiceError) as refused:
        services.settings_save(
            actor=owner,
            data={f: False for f in SETTING_FLAGS if f != "is_enabled"},
        )
    assert refused.value.code == "no_question"
    saved = services.settings_save(actor=owner, data={"delay_hours": "5", "valid_days": 3})
    assert (saved.delay_hours, saved.valid_days) == (5, 3)


# --- suggestion box -----------------------------------------------------------------------------


def test_a_suggestion_anonymous_or_named(manager_a: User, branch_a: Branch, front_a: User) -> None:
    box = services.box_ensure(actor=manager_a, branch_id=branch_a.pk)
    signed = links.sign_box(box.token)
    anonymous = services.suggestion_submit(signed=signed, body="希望周末延长营业时间")
    assert anonymous.is_anonymous
    assert anonymous.branch == branch_a
    named = services.suggestion_submit(
        signed=signed, body="停车不方便", contact_name="王女士", contact_phone="139 1111 3333"
    )
    assert named.contact_phone == "13911113333"
    assert not named.is_anonymous
    with pytest.raises(ServiceError) as refused:
        services.suggestion_submit(signed=signed, body="x", contact_phone="12345")
    assert refused.value.code == "invalid_phone"
    with pytest.raises(ServiceError) as refused:
        services.suggestion_submit(signed=signed, body="   ")
    assert refused.value.code == "required"
    # a new code retires the old printout
    services.box_ensure(actor=manager_a, branch_id=branch_a.pk, renew=True)
    with pytest.raises(ServiceError) as refused:
        services.suggestion_submit(signed=signed, body="还能提交吗")
    assert refused.value.code == "link_invalid"
    # front desk may not handle suggestions; a manager may
    with pytest.raises(PermissionDenied):
        services.suggestion_handle(actor=front_a, suggestion_id=named.pk, status="acted")
    done = services.suggestion_handle(
        actor=manager_a, suggestion_id=named.pk, status="acted", note="已联系停车场"
    )
    assert done.status == "acted"
    assert done.handled_by == manager_a


def test_a_manager_cannot_open_another_branchs_box(manager_a: User, branch_b: Branch) -> None:
    with pytest.raises(ServiceError) as refused:
        services.box_ensure(actor=manager_a, branch_id=branch_b.pk)
    assert refused.value.code == "invalid_branch"


# --- conversations ------------------------------------------------------------------------------


def test_conversation_notes_are_recorded_against_the_customers(
    front_a: User, owner: User, branch_a: Branch, branch_b: Branch
) -> None:
    a = customer_make(actor=owner, branch=branch_a)
    b = customer_make(actor=owner, branch=branch_a)
    elsewhere = customer_make(actor=owner, branch=branch_b)
    conversation = services.conversation_record(
        actor=front_a,
        branch_id=branch_a.pk,
        kind="focus_group",
        held_on=timezone.localdate().isoformat(),
        topic="新疗程体验",
        notes="两位顾客希望疗程后有书面护理建议。",
        customer_ids=[a.pk, b.pk, a.pk],
    )
    assert set(
        ConversationParticipant.objects.filter(conversation=conversation).values_list(
            "customer_id", flat=True
        )
    ) == {a.pk, b.pk}
    with pytest.raises(NotFound):  # a customer out of the actor's scope
        services.conversation_record(
            actor=front_a, branch_id=branch_a.pk, kind="face_to_face",
            held_on=timezone.localdate(), topic="t", notes="n", customer_ids=[elsewhere.pk],
        )  # fmt: skip
    with pytest.raises(ServiceError) as refused:
        services.conversation_record(
            actor=front_a, branch_id=branch_a.pk, kind="face_to_face",
            held_on=timezone.localdate() + dt.timedelta(days=5), topic="t", notes="n",
            customer_ids=[a.pk],
        )  # fmt: skip
    assert refused.value.code == "invalid_date"


# --- you said, we did ---------------------------------------------------------------------------


def test_you_said_we_did_tells_the_customers_with_consent_once(
    owner: User, manager_a: User, branch_a: Branch
) -> None:
    willing = customer_make(actor=owner, branch=branch_a, marketing_consent=True)
    answer_w = services.survey_answer(
        signed=survey_link(willing), data={"satisfaction": "2", "comment": "等太久"}
    )
    unwilling = customer_make(actor=owner, branch=branch_a, marketing_consent=True)
    answer_u = services.survey_answer(
        signed=survey_link(unwilling), data={"satisfaction": "3", "comment": "等太久"}
    )
    from liuke.customers.services import customer_update

    customer_update(actor=owner, customer_id=unwilling.pk, data={"marketing_consent": False})
    box = services.box_ensure(actor=manager_a, branch_id=branch_a.pk)
    suggestion = services.suggestion_submit(signed=links.sign_box(box.token), body="等候区太挤")
    improvement = services.improvement_create(
        actor=manager_a,
        you_said="等候时间太长",
        we_did="周末增加一位前台并启用预约提醒",
        branch_id=branch_a.pk,
        response_ids=[answer_w.pk, answer_u.pk],
        suggestion_ids=[suggestion.pk],
    )
    suggestion.refresh_from_db()
    assert suggestion.status == "acted"
    assert services.improvement_notify(actor=manager_a, improvement_id=improvement.pk) == 1
    assert services.improvement_notify(actor=manager_a, improvement_id=improvement.pk) == 0
    message = Message.objects.get(kind=MessageKind.YOU_SAID)
    assert message.customer == willing
    assert message.is_marketing
    assert message.status == MessageStatus.QUEUED
    from liuke.engagement import dispatch

    dispatch.dispatch()
    message.refresh_from_db()
    assert "周末增加一位前台" in message.body
    assert message.status == MessageStatus.READY
    improvement.refresh_from_db()
    assert improvement.notified_count == 1


def test_customer_scores_for_analytics(owner: User, branch_a: Branch) -> None:
    a = customer_make(actor=owner, branch=branch_a, marketing_consent=True)
    b = customer_make(actor=owner, branch=branch_a, marketing_consent=True)
    start = timezone.now() - dt.timedelta(days=100)
    for days, data in (
        (0, {"satisfaction": "2", "recommend": "3"}),
        (40, {"satisfaction": "5", "recommend": "9"}),
        (80, {"satisfaction": "4"}),  # no recommend: the latest one given stays 9
    ):
        with time_machine.travel(start + dt.timedelta(days=days, hours=4)):
            visited = timezone.now() - dt.timedelta(hours=3)
            services.survey_answer(signed=survey_link(a, visited_at=visited), data=data)
    services.survey_answer(signed=survey_link(b), data={"recommend": "7"})
    scores = selectors.customer_scores(owner.business_id or 0)
    assert scores[a.pk].latest_recommend == 9
    assert scores[a.pk].mean_satisfaction == pytest.approx(11 / 3, abs=0.01)
    assert scores[a.pk].answers == 3
    assert scores[b.pk].latest_recommend == 7
    assert scores[b.pk].mean_satisfaction is None
    assert set(selectors.customer_scores(owner.business_id or 0, customer_ids=[b.pk])) == {b.pk}
    assert selectors.customer_scores((owner.business_id or 0) + 999) == {}
