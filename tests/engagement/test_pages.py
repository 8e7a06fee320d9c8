from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from tests.engagement.helpers import visit_with_followups
from tests.factories import customer_make, visit_make

from liuke.accounts.models import Branch, User
from liuke.accounts.policy import business_of
from liuke.audit.models import AuditEvent
from liuke.engagement import services
from liuke.engagement.choices import FollowUpStatus
from liuke.engagement.models import Contact, ContactReason, Task

pytestmark = pytest.mark.django_db

PAGES = [
    "engagement:followups",
    "engagement:tasks",
    "engagement:contacts",
    "engagement:contact_new",
    "engagement:outbox",
    "engagement:brief_today",
]


@pytest.mark.parametrize("name", [*PAGES, "engagement:reports", "engagement:reasons"])
def test_anonymous_visitors_are_sent_to_log_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/login" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_for_staff(
    client_for: Callable[[User], Client], beautician_a: User, name: str
) -> None:
    assert client_for(beautician_a).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["engagement:reports", "engagement:reasons"])
def test_manager_pages_are_refused_to_other_roles(
    client_for: Callable[[User], Client], manager_a: User, front_a: User, name: str
) -> None:
    assert client_for(manager_a).get(reverse(name)).status_code == 200
    assert client_for(front_a).get(reverse(name)).status_code == 404


def test_the_nav_has_one_entry(beautician_a_client: Client) -> None:
    page = beautician_a_client.get(reverse("customers:list")).content.decode()
    assert reverse("engagement:followups") in page


def test_todays_follow_up_completed_leaves_the_list(
    owner: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a, name="周静")
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    page = beautician_a_client.get(reverse("engagement:followups")).content.decode()
    assert f'id="fu-{day1.pk}"' in page
    assert "周静" in page
    url = reverse("engagement:followup_complete", args=[day1.pk])
    # htmx: the row is replaced by a done line
    response = beautician_a_client.post(
        url, {"outcome": "satisfied", "note": "很满意"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    day1.refresh_from_db()
    assert day1.status == FollowUpStatus.DONE
    page = beautician_a_client.get(reverse("engagement:followups")).content.decode()
    assert f'id="fu-{day1.pk}"' not in page


def test_a_follow_up_without_outcome_shows_the_message_and_stays_open(
    owner: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    url = reverse("engagement:followup_complete", args=[day1.pk])
    response = beautician_a_client.post(url, {"outcome": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "请从列表中选择。" in response.content.decode()  # the default language: Chinese
    day1.refresh_from_db()
    assert day1.status == FollowUpStatus.OPEN


def test_another_branch_cannot_complete_a_follow_up(
    owner: User, beautician_a: User, branch_a: Branch, front_b_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    url = reverse("engagement:followup_complete", args=[day1.pk])
    assert front_b_client.post(url, {"outcome": "satisfied"}).status_code == 404


def test_a_callers_number_finds_the_customer_and_the_contact_is_logged(
    front_a: User, branch_a: Branch, front_a_client: Client
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a, name="何丽", mobile="13912340000")
    page = front_a_client.get(reverse("engagement:contact_new"), {"q": "13912340000"})
    html = page.content.decode()
    assert "何丽" in html
    assert 'name="reason_id"' in html  # one match: the form opens at once
    reason = ContactReason.objects.get(code="allergy")
    best = front_a_client.get(reverse("engagement:reason_response"), {"reason_id": reason.pk})
    assert (
        reason.response_zh in best.content.decode() or reason.response_en in best.content.decode()
    )
    response = front_a_client.post(
        reverse("engagement:contact_new"),
        {
            "customer_id": customer.pk,
            "channel": "phone",
            "direction": "in",
            "reason_id": reason.pk,
            "outcome": "complaint",
            "notes": "用了精华后发红",
            "wait_minutes": "2",
            "handle_minutes": "5",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.wait_seconds, contact.handle_seconds) == (120, 300)
    assert Task.objects.filter(contact=contact).exists()
    tasks = front_a_client.get(reverse("engagement:tasks")).content.decode()
    assert "何丽" in tasks


def test_bad_contact_input_shows_the_message_and_saves_nothing(
    front_a: User, branch_a: Branch, front_a_client: Client
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a)
    response = front_a_client.post(
        reverse("engagement:contact_new"),
        {
            "customer_id": customer.pk,
            "channel": "phone",
            "direction": "in",
            "reason_id": "",
            "outcome": "resolved",
            "notes": "记下的内容",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请选择联系原因。" in html
    assert "记下的内容" in html  # what was typed is kept
    assert not Contact.objects.exists()


def test_the_brief_puts_allergies_first_and_is_audited(
    owner: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    customer = customer_make(
        actor=owner,
        branch=branch_a,
        name="吴敏",
        allergies="对果酸过敏",
        preferences="喜欢安静",
    )
    visit_with_followups(customer=customer, served_by=beautician_a)
    html = beautician_a_client.get(reverse("engagement:brief", args=[customer.pk])).content.decode()
    assert html.index("对果酸过敏") < html.index("喜欢安静")
    assert "data-print" in html  # the print button (app.js; no inline script under the CSP)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.action == "view"
    assert event.customer_ids == [customer.pk]


def test_the_brief_of_another_branchs_customer_is_not_found(
    owner: User, branch_a: Branch, front_b_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a)
    assert front_b_client.get(reverse("engagement:brief", args=[customer.pk])).status_code == 404


def test_todays_customers_lists_the_visits_of_the_day(
    owner: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    customer = customer_make(actor=owner, branch=branch_a, name="郑爽")
    visit_with_followups(customer=customer, served_by=beautician_a, days_ago=0)
    html = beautician_a_client.get(reverse("engagement:brief_today")).content.decode()
    assert "郑爽" in html


def test_the_manager_edits_a_reason(manager_a: User, manager_a_client: Client) -> None:
    assert manager_a.business_id is not None
    services.defaults_ensure(business_id=manager_a.business_id)
    reason = ContactReason.objects.get(code="price")
    response = manager_a_client.post(
        reverse("engagement:reasons"),
        {
            "reason_id": reason.pk,
            "code": "price",
            "name_zh": "价格咨询",
            "name_en": "Price question",
            "response_zh": "最划算的方式是办一张储值卡，立享会员价。",
            "position": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    reason.refresh_from_db()
    assert reason.response_zh.startswith("最划算的方式")
    bad = manager_a_client.post(reverse("engagement:reasons"), {"code": "x y", "name_zh": ""})
    assert bad.status_code == 400


def test_the_profile_offers_quick_contact_entry_and_the_brief(
    front_a: User, branch_a: Branch, front_a_client: Client
) -> None:
    customer = customer_make(actor=front_a, branch=branch_a)
    html = front_a_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert f"{reverse('engagement:contact_new')}?customer={customer.pk}" in html
    assert reverse("engagement:brief", args=[customer.pk]) in html
    form = front_a_client.get(reverse("engagement:contact_new"), {"customer": customer.pk})
    assert 'id="contact-form"' in form.content.decode()


def test_the_outbox_page_lists_ready_messages_and_marks_them_sent(
    owner: User, front_a: User, branch_a: Branch, front_a_client: Client
) -> None:
    import datetime as dt

    import time_machine

    from liuke.engagement import dispatch, jobs
    from liuke.engagement.models import Message

    customer_make(
        actor=owner,
        branch=branch_a,
        name="陈晨",
        birthday=dt.date(1995, 6, 8),
        marketing_consent=True,
    )
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        jobs.daily_run()
        dispatch.dispatch()
    html = front_a_client.get(reverse("engagement:outbox")).content.decode()
    assert "陈晨您好，6月8日是您的生日" in html  # no gender given: the full name
    message = Message.objects.get()
    response = front_a_client.post(reverse("engagement:outbox_sent", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.sent_by == front_a


def test_the_manager_sets_rules_templates_and_reminders(
    manager_a: User,
    front_a: User,
    branch_a: Branch,
    manager_a_client: Client,
    front_a_client: Client,
) -> None:
    from liuke.engagement.models import BranchReminderSettings, FollowUpRule, MessageTemplate

    url = reverse("engagement:settings")
    assert front_a_client.get(url).status_code == 404
    assert manager_a_client.get(url).status_code == 200
    # a rule for nail services only, on day 14
    response = manager_a_client.post(
        url,
        {
            "form": "rule",
            "category": "nails",
            "day": "14",
            "purpose_zh": "两周回访：检查美甲",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert FollowUpRule.objects.filter(category="nails", day=14, is_active=True).exists()
    # the same day and category again is refused with the message in the page
    again = manager_a_client.post(
        url, {"form": "rule", "category": "nails", "day": "14", "purpose_zh": "重复"}
    )
    assert again.status_code == 400
    assert "已有" in again.content.decode() or "already" in again.content.decode()
    # a template with an unknown placeholder is refused; a good one is saved
    bad = manager_a_client.post(
        url, {"form": "template", "kind": "birthday", "body_zh": "{name}您好 {phone}"}
    )
    assert bad.status_code == 400
    assert MessageTemplate.objects.get(kind="birthday").body_zh.startswith("{salutation}您好")
    good = manager_a_client.post(
        url, {"form": "template", "kind": "birthday", "body_zh": "{first_name}，生日快乐！"}
    )
    assert good.status_code == 302
    assert MessageTemplate.objects.get(kind="birthday").body_zh == "{first_name}，生日快乐！"
    # reminder settings of the manager's branch
    saved = manager_a_client.post(
        url,
        {"form": "settings", "branch_id": branch_a.pk, "birthday_days_ahead": "3",
         "lapsed_margin_pct": "30", "lapsed_default_days": "120", "expiry_days_ahead": "21",
         "rebooking_days_ahead": "2"},
    )  # fmt: skip
    assert saved.status_code == 302
    settings = BranchReminderSettings.objects.get(branch=branch_a)
    assert (settings.birthday_days_ahead, settings.lapsed_default_days) == (3, 120)
    refused = manager_a_client.post(
        url, {"form": "settings", "branch_id": branch_a.pk, "lapsed_default_days": "-1"}
    )
    assert refused.status_code == 400


def test_a_category_rule_follows_up_only_visits_with_that_service(
    owner: User, beautician_a: User, branch_a: Branch
) -> None:
    import datetime as dt

    from django.utils import timezone

    from liuke.engagement import jobs
    from liuke.engagement.models import FollowUp
    from liuke.sales.models import Service

    jobs.prepare()
    services.rule_save(actor=owner, category="nails", day=14, purpose_zh="两周回访：检查美甲")
    nails = Service.objects.create(
        business_id=business_of(owner), category="nails", name="美甲", duration_min=60,
        price_fen=9800,
    )  # fmt: skip
    facial = Service.objects.create(
        business_id=business_of(owner), category="facial", name="补水护理", duration_min=60,
        price_fen=19800,
    )  # fmt: skip
    visits = {}
    for service in (nails, facial):
        customer = customer_make(actor=owner, branch=branch_a)
        visit = visit_make(
            customer=customer,
            at=timezone.now() - dt.timedelta(hours=2),
            total_fen=service.price_fen,
            served_by=beautician_a,
            lines=[(beautician_a, service, service.price_fen)],
        )
        visits[service.category] = visit
    jobs.followups_create()
    days = {
        category: sorted(FollowUp.objects.filter(visit=v).values_list("rule__day", flat=True))
        for category, v in visits.items()
    }
    assert days == {"nails": [1, 7, 14, 30], "facial": [1, 7, 30]}


def test_reschedule_from_the_page_and_a_bad_day(
    owner: User, beautician_a: User, branch_a: Branch, beautician_a_client: Client
) -> None:
    import datetime as dt

    from django.utils import timezone

    customer = customer_make(actor=owner, branch=branch_a)
    day1 = visit_with_followups(customer=customer, served_by=beautician_a)[0]
    url = reverse("engagement:followup_reschedule", args=[day1.pk])
    bad = beautician_a_client.post(url, {"due_on": "not a day"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    later = timezone.localdate() + dt.timedelta(days=3)
    moved = beautician_a_client.post(url, {"due_on": later.isoformat(), "note": "客户出差"})
    assert moved.status_code == 302
    assert moved["Location"] == reverse("engagement:followups")
    day1.refresh_from_db()
    assert day1.due_on == later


@pytest.mark.parametrize("name", ["engagement:followups", "engagement:tasks", "engagement:outbox"])
def test_list_pages_do_not_query_per_row(
    owner: User,
    manager_a: User,
    beautician_a: User,
    branch_a: Branch,
    manager_a_client: Client,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    name: str,
) -> None:
    from liuke.engagement.models import ContactReason as Reason

    services.defaults_ensure(business_id=owner.business_id or 0)
    reason = Reason.objects.get(code="booking")
    for _ in range(12):
        customer = customer_make(actor=owner, branch=branch_a)
        visit_with_followups(customer=customer, served_by=beautician_a)
        services.contact_log(
            actor=manager_a, customer_id=customer.pk, channel="phone", direction="out",
            reason_id=reason.pk, outcome="no_answer",
        )  # fmt: skip
    with django_assert_max_num_queries(25):
        response = manager_a_client.get(reverse(name))
    assert response.status_code == 200


def test_the_best_response_in_english(front_a: User, front_a_client: Client) -> None:
    services.defaults_ensure(business_id=front_a.business_id or 0)
    reason = ContactReason.objects.get(code="allergy")
    response = front_a_client.get(
        reverse("engagement:reason_response"),
        {"reason_id": reason.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert "Best response" in html
    assert reason.response_en in html
    followups = front_a_client.get(reverse("engagement:followups"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Due today" in followups.content.decode()


def test_the_report_page_filters_by_branch(
    owner: User, front_a: User, branch_a: Branch, branch_b: Branch, owner_client: Client
) -> None:
    services.defaults_ensure(business_id=owner.business_id or 0)
    reason = ContactReason.objects.get(code="price")
    customer = customer_make(actor=front_a, branch=branch_a)
    services.contact_log(
        actor=front_a, customer_id=customer.pk, channel="phone", direction="in",
        reason_id=reason.pk, outcome="callback",
    )  # fmt: skip
    url = reverse("engagement:reports")
    assert 'id="contacts-total">1<' in owner_client.get(url).content.decode()
    assert (
        'id="contacts-total">1<' in owner_client.get(url, {"branch": branch_a.pk}).content.decode()
    )
    assert (
        'id="contacts-total">0<' in owner_client.get(url, {"branch": branch_b.pk}).content.decode()
    )
    assert 'id="unresolved-share">100.0%<' in owner_client.get(url).content.decode()


def test_the_profile_panel_shows_open_work_and_contacts(
    owner: User, front_a: User, beautician_a: User, branch_a: Branch, front_a_client: Client,
    front_b_client: Client,
) -> None:  # fmt: skip
    customer = customer_make(actor=owner, branch=branch_a, name="冯媛")
    visit_with_followups(customer=customer, served_by=beautician_a)
    profile = front_a_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    panel_url = reverse("engagement:customer_panel", args=[customer.pk])
    assert panel_url in profile
    panel = front_a_client.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert "次日关怀" in panel  # the follow-ups are the beautician's, but shown on the profile
    assert front_b_client.get(panel_url).status_code == 404


def test_the_brief_lists_the_customer_s_open_complaint_cases(
    owner: User, front_a: User, branch_a: Branch, front_a_client: Client
) -> None:
    from liuke.complaints import services as complaints

    customer = customer_make(actor=owner, branch=branch_a, name="郑洁")
    url = reverse("engagement:brief", args=[customer.pk])
    assert "做完面部护理后脸发红" not in front_a_client.get(url).content.decode()
    case = complaints.complaint_open(
        actor=front_a,
        customer_id=customer.pk,
        channel="in_person",
        description="做完面部护理后脸发红，没人提醒过敏风险",
    )
    html = front_a_client.get(url).content.decode()
    assert f'href="/complaints/{case.pk}/"' in html
    assert "做完面部护理后脸发红" in html
    assert "Resolve the open complaint first" in html or "先处理未结的投诉" in html


def test_a_mistyped_id_or_number_in_a_settings_form_is_refused_not_dropped(
    manager_a: User, branch_a: Branch, manager_a_client: Client
) -> None:
    """The forms are read through typed inputs (liuke.engagement.schemas): a rule's id that is
    not a number once read as "no id" and added a second rule instead of changing the first;
    a reason's the same; a contact's minutes must be a whole number."""
    from liuke.engagement.models import FollowUpRule

    rule = services.rule_save(actor=manager_a, category="", day=3, purpose_zh="三天回访")
    url = reverse("engagement:settings")
    before = FollowUpRule.objects.count()
    response = manager_a_client.post(
        url,
        {"form": "rule", "rule_id": f"{rule.pk}x", "day": "5", "purpose_zh": "五天回访"},
    )
    assert response.status_code == 400
    assert FollowUpRule.objects.count() == before
    rule.refresh_from_db()
    assert (rule.day, rule.purpose_zh) == (3, "三天回访")
    reason = ContactReason.objects.filter(business_id=business_of(manager_a)).first()
    assert reason is not None
    reasons = ContactReason.objects.count()
    edited = manager_a_client.post(
        reverse("engagement:reasons"),
        {"reason_id": f"{reason.pk}x", "code": "changed", "name_zh": "改", "response_zh": "话术"},
    )
    assert edited.status_code == 400
    assert ContactReason.objects.count() == reasons
    customer = customer_make(actor=manager_a, branch=branch_a)
    logged = manager_a_client.post(
        reverse("engagement:contact_new") + f"?customer={customer.pk}",
        {"channel": "phone", "direction": "in", "reason_id": reason.pk, "outcome": "resolved",
         "wait_minutes": "2.5"},
    )  # fmt: skip
    assert logged.status_code == 400
    assert not Contact.objects.exists()
