"""The staff pages per role: who sees results, answers and notes; who manages settings, the
QR code and "you said, we did"; and that pages show only customers in scope."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from tests.factories import customer_make
from tests.feedback.helpers import survey_link

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.feedback import services
from liuke.feedback.models import Conversation, Improvement, SurveyResponse, SurveySettings

pytestmark = pytest.mark.django_db

VIEW_PAGES = [
    "/feedback/",
    "/feedback/?group_by=staff",
    "/feedback/?group_by=service",
    "/feedback/?group_by=month",
    "/feedback/responses/",
    "/feedback/suggestions/",
    "/feedback/conversations/",
    "/feedback/improvements/",
]
MANAGE_PAGES = ["/feedback/box/", "/feedback/settings/"]


@pytest.fixture
def answered(owner: User, branch_a: Branch, beautician_a: User, front_a: User) -> SurveyResponse:
    customer = customer_make(
        actor=owner, branch=branch_a, name="林小雨", marketing_consent=True, owner_id=front_a.pk
    )
    return services.survey_answer(
        signed=survey_link(customer, served_by=beautician_a),
        data={"satisfaction": "2", "recommend": "4", "comment": "等了四十分钟"},
    )


@pytest.mark.parametrize(
    ("who", "view", "manage"),
    [
        ("owner", True, True),
        ("manager_a", True, True),
        ("front_a", True, False),
        ("auditor", True, False),
        ("beautician_a", False, False),
    ],
)
def test_pages_by_role(
    request: pytest.FixtureRequest,
    client_for: Callable[[User], Client],
    answered: SurveyResponse,
    who: str,
    view: bool,
    manage: bool,
) -> None:
    client = client_for(request.getfixturevalue(who))
    for url in VIEW_PAGES:
        assert client.get(url).status_code == (200 if view else 404), url
    for url in MANAGE_PAGES:
        assert client.get(url).status_code == (200 if manage else 404), url
    detail = client.get(f"/feedback/responses/{answered.pk}/")
    assert detail.status_code == (200 if view else 404)


def test_another_business_sees_nothing_of_ours(
    outsider_client: Client, answered: SurveyResponse, branch_a: Branch
) -> None:
    assert outsider_client.get(f"/feedback/responses/{answered.pk}/").status_code == 404
    for url in VIEW_PAGES + MANAGE_PAGES:
        text = outsider_client.get(url).content.decode()
        assert "林小雨" not in text, url
        assert branch_a.name not in text, url


def test_anonymous_staff_pages_redirect_to_login(client: Client) -> None:
    for url in VIEW_PAGES + MANAGE_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response["Location"], url


def test_results_and_answers_show_what_customers_said(
    owner_client: Client, answered: SurveyResponse, branch_a: Branch
) -> None:
    text = owner_client.get("/feedback/").content.decode()
    assert branch_a.name in text
    assert "-100" in text
    listed = owner_client.get("/feedback/responses/?detractors=1").content.decode()
    assert "林小雨" in listed
    assert "等了四十分钟" in listed
    assert AuditEvent.objects.filter(action="list", customer_ids=[answered.customer_id]).exists()
    detail = owner_client.get(f"/feedback/responses/{answered.pk}/").content.decode()
    assert "等了四十分钟" in detail


def test_another_branch_sees_neither_the_answer_nor_its_figures(
    front_b_client: Client, answered: SurveyResponse, branch_a: Branch
) -> None:
    assert front_b_client.get(f"/feedback/responses/{answered.pk}/").status_code == 404
    assert "林小雨" not in front_b_client.get("/feedback/responses/").content.decode()
    assert branch_a.name not in front_b_client.get("/feedback/").content.decode()


def test_the_qr_page_shows_a_printable_code_of_the_public_url(
    manager_a_client: Client, branch_a: Branch
) -> None:
    # branch_a came after its business, so it has no box yet: the manager makes one
    manager_a_client.post("/feedback/box/", {"branch": branch_a.pk})
    page = manager_a_client.get(f"/feedback/box/?branch={branch_a.pk}").content.decode()
    assert "<svg" in page
    svg = re.search(r"<svg[^>]*>", page)
    assert svg is not None
    # scaled by its viewBox, never clipped by a fixed size the CSS shrinks
    assert re.search(r'viewBox="0 0 (\d+) \1"', svg.group(0)), svg.group(0)
    assert " width=" not in svg.group(0)
    assert "/f/b/" in page
    assert "data-print" in page
    assert "<script" not in page.split("</head>")[1]
    first_url = page.split("/f/b/")[1].split("/")[0]
    manager_a_client.post("/feedback/box/", {"branch": branch_a.pk, "renew": "1"})
    renewed = manager_a_client.get(f"/feedback/box/?branch={branch_a.pk}").content.decode()
    assert first_url not in renewed


def test_settings_page_saves_and_refuses(owner_client: Client) -> None:
    ok = owner_client.post(
        "/feedback/settings/",
        {"is_enabled": "on", "ask_recommend": "on", "delay_hours": "4", "cooldown_days": "60",
         "valid_days": "7"},
    )  # fmt: skip
    assert ok.status_code == 302
    row = SurveySettings.objects.get()
    assert (row.delay_hours, row.cooldown_days, row.ask_satisfaction) == (4, 60, False)
    bad = owner_client.post("/feedback/settings/", {"ask_recommend": "on", "delay_hours": "999"})
    assert bad.status_code == 400
    assert SurveySettings.objects.get().delay_hours == 4


def test_front_desk_records_a_conversation(
    front_a_client: Client, front_a: User, owner: User, branch_a: Branch
) -> None:
    c = customer_make(actor=owner, branch=branch_a, name="赵敏")
    response = front_a_client.post(
        "/feedback/conversations/",
        {"kind": "face_to_face", "branch_id": branch_a.pk, "held_on": "2026-01-05",
         "topic": "肩颈护理体验", "notes": "希望增加热敷", "customer_ids": f"{c.pk}"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Conversation.objects.get().recorded_by == front_a
    page = front_a_client.get("/feedback/conversations/").content.decode()
    assert "赵敏" in page
    assert "希望增加热敷" in page
    refused = front_a_client.post(
        "/feedback/conversations/",
        {"kind": "face_to_face", "branch_id": branch_a.pk, "held_on": "2026-01-05",
         "topic": "t", "notes": "n", "customer_ids": ""},
    )  # fmt: skip
    assert refused.status_code == 400
    assert Conversation.objects.count() == 1


def test_a_manager_records_and_sends_you_said_we_did(
    manager_a_client: Client, front_a_client: Client, answered: SurveyResponse
) -> None:
    assert (
        front_a_client.post("/feedback/improvements/", {"you_said": "x", "we_did": "y"}).status_code
        == 404
    )
    response = manager_a_client.post(
        "/feedback/improvements/",
        {"you_said": "等候太久", "we_did": "周末加派前台", "response_ids": str(answered.pk)},
    )
    assert response.status_code == 302
    improvement = Improvement.objects.get()
    assert list(improvement.responses.all()) == [answered]
    sent = manager_a_client.post(f"/feedback/improvements/{improvement.pk}/notify/")
    assert sent.status_code == 302
    improvement.refresh_from_db()
    assert improvement.notified_count == 1


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_take_the_same_queries_for_more_rows(
    owner: User, owner_client: Client, branch_a: Branch, beautician_a: User
) -> None:
    """No query per row: the answer, conversation and notice lists cost the same for 2 rows
    as for 6 (the audit event is one insert either way)."""

    def add(n: int) -> None:
        for _ in range(n):
            c = customer_make(actor=owner, branch=branch_a, marketing_consent=True)
            answer = services.survey_answer(
                signed=survey_link(c, served_by=beautician_a),
                data={"satisfaction": "1", "comment": "慢"},
            )
            services.conversation_record(
                actor=owner, branch_id=branch_a.pk, kind="face_to_face",
                held_on="2026-01-05", topic="t", notes="n", customer_ids=[c.pk],
            )  # fmt: skip
            services.improvement_create(
                actor=owner, you_said="x", we_did="y", response_ids=[answer.pk]
            )

    urls = ["/feedback/responses/", "/feedback/conversations/", "/feedback/improvements/",
            "/api/v1/feedback/responses", "/feedback/"]  # fmt: skip
    add(2)
    owner_client.get(urls[-1])  # warm-up: the first request starts the session clocks (a write)
    before = {url: _queries(owner_client, url) for url in urls}
    add(4)
    after = {url: _queries(owner_client, url) for url in urls}
    assert after == before


def test_the_profile_shows_what_the_customer_told_us(
    answered: SurveyResponse,
    owner: User,
    front_a_client: Client,
    front_b_client: Client,
    beautician_a_client: Client,
) -> None:
    """The profile's feedback section (htmx panel): the answers with their scores and words,
    audited as a read of the customer; out of scope 404; a role without feedback.view 404."""
    customer = answered.customer
    profile = front_a_client.get(f"/customers/{customer.pk}/").content.decode()
    assert f'hx-get="/feedback/customers/{customer.pk}/panel/"' in profile
    url = f"/feedback/customers/{customer.pk}/panel/"
    before = AuditEvent.objects.count()
    panel = front_a_client.get(url)
    assert panel.status_code == 200
    text = panel.content.decode()
    assert "等了四十分钟" in text
    assert "2 / 5" in text
    assert "4 / 10" in text
    assert f'href="/feedback/responses/{answered.pk}/"' in text
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("seq").customer_ids == [customer.pk]
    assert front_b_client.get(url).status_code == 404
    assert beautician_a_client.get(url).status_code == 404


def test_a_key_account_s_card_leaves_the_customer_s_words_out(
    answered: SurveyResponse, owner: User, manager_a: User, front_a_client: Client
) -> None:
    from liuke.customers.models import Customer

    customer = answered.customer
    Customer.objects.filter(pk=customer.pk).update(is_key_account=True, owner_id=manager_a.pk)
    text = front_a_client.get(f"/feedback/customers/{customer.pk}/panel/").content.decode()
    assert "2 / 5" in text
    assert "等了四十分钟" not in text
    # nor on the answer's own page, in the list, or through the API
    for url in (f"/feedback/responses/{answered.pk}/", "/feedback/responses/"):
        page = front_a_client.get(url)
        assert page.status_code == 200, url
        assert "等了四十分钟" not in page.content.decode(), url
    api = front_a_client.get(f"/api/v1/feedback/responses?customer_id={customer.pk}")
    assert api.status_code == 200
    assert "等了四十分钟" not in api.content.decode()
    # the positive control: the customer's responsible person (a manager) reads her words
    manager = Client()
    manager.force_login(manager_a)
    assert "等了四十分钟" in manager.get(f"/feedback/responses/{answered.pk}/").content.decode()
