"""The complaint pages: the list with its word-of-mouth total, opening from the profile and
from a search, the guided ten-step page, approvals, settings, reports, the profile section."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.utils import timezone
from tests.complaints.helpers import open_complaint, walk_to_close
from tests.sales.shop import Shop

from liuke.accounts.models import User
from liuke.accounts.policy import business_of
from liuke.complaints import services
from liuke.complaints.models import (
    Complaint,
    ComplaintAction,
    ComplaintSettings,
    ComplaintStep,
)
from liuke.sales.models import Visit

if TYPE_CHECKING:
    # What the test client returns (a name only the type stubs define).
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr id="complaint-\d+">')


def _text(response: TestResponse) -> str:
    return response.content.decode()


def test_list_shows_reach_and_filters(shop: Shop, front_a: User, front_a_client: Client) -> None:
    open_complaint(front_a, shop)
    open_complaint(front_a, shop, severity="high", cause_code="rudeness")
    page = _text(front_a_client.get("/complaints/"))
    assert "67" in page
    assert 'id="word-of-mouth"' in page
    assert "<strong>134</strong>" in page
    assert len(ROW.findall(page)) == 2
    only = _text(front_a_client.get("/complaints/?cause=rudeness"))
    assert len(ROW.findall(only)) == 1
    assert len(ROW.findall(_text(front_a_client.get("/complaints/?escalated=true")))) == 1
    # nonsense in a filter falls back to the default list instead of failing
    assert front_a_client.get("/complaints/?severity=<x>&days=-3").status_code == 200


def test_open_from_the_profile(
    shop: Shop, front_a_client: Client, visit: Visit, front_a: User
) -> None:
    profile = _text(front_a_client.get(f"/customers/{shop.customer.pk}/"))
    assert f"/complaints/customers/{shop.customer.pk}/panel/" in profile
    form = front_a_client.get(f"/complaints/new/?customer={shop.customer.pk}")
    assert form.status_code == 200
    assert 'id="complaint-form"' in _text(form)
    refused = front_a_client.post(
        "/complaints/new/",
        {"customer_id": shop.customer.pk, "channel": "phone", "description": " "},
    )
    assert refused.status_code == 400
    assert Complaint.objects.count() == 0
    response = front_a_client.post(
        "/complaints/new/",
        {
            "customer_id": shop.customer.pk,
            "channel": "in_person",
            "severity": "medium",
            "cause_code": "result",
            "visit_id": visit.pk,
            "description": "做完护理效果跟宣传的不一样",
        },
    )
    c = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/{c.pk}/"
    assert c.visit == visit
    assert c.handler == front_a
    panel = _text(front_a_client.get(f"/complaints/customers/{shop.customer.pk}/panel/"))
    assert f"/complaints/{c.pk}/" in panel


def test_open_from_the_list_after_a_search(shop: Shop, front_a_client: Client) -> None:
    page = _text(front_a_client.get(f"/complaints/new/?q={shop.customer.name}"))
    # one match: the form for that customer at once
    assert 'id="complaint-form"' in page
    assert f'value="{shop.customer.pk}"' in page


def test_the_guided_page_one_step_at_a_time(
    shop: Shop, front_a: User, front_a_client: Client
) -> None:
    c = open_complaint(front_a, shop)
    page = _text(front_a_client.get(f"/complaints/{c.pk}/"))
    assert 'id="step-1"' in page
    assert 'id="step-2"' not in page  # one step at a time
    assert 'value="0"' in page  # progress 0 of 10
    response = front_a_client.post(f"/complaints/{c.pk}/step/", {"step": "1", "note": "先安抚"})
    assert response.status_code == 302
    # the next step, in view (its anchor), not the top of the page
    assert response["Location"] == f"/complaints/{c.pk}/?step=2#step-2"
    page = _text(front_a_client.get(response["Location"]))
    assert 'id="step-2"' in page
    assert 'id="step-progress" max="10" value="1"' in page
    everything = _text(front_a_client.get(f"/complaints/{c.pk}/?all=1"))
    assert all(f'id="step-{n}"' in everything for n in range(1, 11))
    # step 6 without the confirmation: the message, nothing saved
    refused = front_a_client.post(
        f"/complaints/{c.pk}/step/", {"step": "6", "restated_problem": "过敏"}, follow=True
    )
    assert "must confirm" in _text(refused) or "必须确认" in _text(refused)
    assert not c.steps.filter(step=6).exists()


def test_close_blockers_are_shown_and_the_case_closes(
    shop: Shop, front_a: User, front_a_client: Client
) -> None:
    c = open_complaint(front_a, shop)
    page = _text(front_a_client.get(f"/complaints/{c.pk}/?step=10"))
    assert 'id="close-blockers"' in page
    refused = front_a_client.post(f"/complaints/{c.pk}/close/", {"note": "x"})
    assert refused.status_code == 302
    c.refresh_from_db()
    assert c.status == "open"
    walk_to_close(front_a, c, owner_id=front_a.pk)
    page = _text(front_a_client.get(f"/complaints/{c.pk}/"))
    assert 'id="after"' in page
    assert 'id="cause-fix-form"' in page
    front_a_client.post(f"/complaints/{c.pk}/after/", {"what": "fix", "cause_fix": "先做皮试"})
    front_a_client.post(f"/complaints/{c.pk}/after/", {"what": "told", "note": "电话"})
    c.refresh_from_db()
    assert c.cause_fix == "先做皮试"
    assert c.customer_told_at is not None


def test_wait_action_and_resolution_forms(
    shop: Shop, front_a: User, front_a_client: Client
) -> None:
    c = open_complaint(front_a, shop)
    front_a_client.post(f"/complaints/{c.pk}/wait/", {"wait": "1", "note": "等照片"})
    c.refresh_from_db()
    assert c.status == "waiting"
    assert 'id="resume-button"' in _text(front_a_client.get(f"/complaints/{c.pk}/"))
    front_a_client.post(f"/complaints/{c.pk}/wait/", {})
    c.refresh_from_db()
    assert c.status == "open"
    due = str(timezone.localdate() + dt.timedelta(days=2))
    front_a_client.post(
        f"/complaints/{c.pk}/actions/",
        {"side": "ours", "text": "两天后回访", "owner_id": front_a.pk, "due_on": due},
    )
    assert c.actions.get().due_on == dt.date.fromisoformat(due)
    front_a_client.post(f"/complaints/{c.pk}/resolve/", {"kind": "voucher", "amount": "88.50"})
    r = c.resolutions.get()
    assert r.amount_fen == 8850
    assert r.status == "pending"  # above the front desk's ¥50
    front_a_client.post(f"/complaints/actions/{c.actions.get().pk}/done/")
    assert c.actions.get().done_at is not None


def test_approvals_page(
    shop: Shop,
    front_a: User,
    front_a_client: Client,
    manager_a_client: Client,
) -> None:
    c = open_complaint(front_a, shop)
    r = services.complaint_resolve(
        actor=front_a, complaint_id=c.pk, kind="voucher", amount_fen=9000
    )
    assert front_a_client.get("/complaints/approvals/").status_code == 404
    page = _text(manager_a_client.get("/complaints/approvals/"))
    assert f'id="resolution-{r.pk}"' in page
    manager_a_client.post(f"/complaints/approvals/{r.pk}/", {"decision": "approve"})
    r.refresh_from_db()
    assert r.status == "applied"


def test_settings_page(owner_client: Client, front_a_client: Client, owner: User) -> None:
    assert front_a_client.get("/complaints/settings/").status_code == 404
    page = _text(owner_client.get("/complaints/settings/"))
    assert 'name="response_high_min"' in page
    values = {
        "what": "settings",
        **{f"response_{s}_min": "60" for s in ("low", "medium", "high", "critical")},
        **{f"resolution_{s}_h": "24" for s in ("low", "medium", "high", "critical")},
        "warn_pct": "80",
        "escalate_severity": "critical",
        "wom_first": "8",
        "wom_second": "4",
        "recovery_days": "60",
    }
    owner_client.post("/complaints/settings/", values)
    settings = ComplaintSettings.objects.get(business_id=business_of(owner))
    assert settings.reach == 1 + 8 + 32
    assert settings.escalate_severity == "critical"
    owner_client.post("/complaints/settings/", {**values, "wom_first": "lots"})
    settings.refresh_from_db()
    assert settings.wom_first == 8  # refused, nothing saved
    owner_client.post(
        "/complaints/settings/", {"what": "limit", "role": "front_desk", "limit": "200"}
    )
    assert services.limit_for(business_of(owner), "front_desk") == 20000
    owner_client.post(
        "/complaints/settings/",
        {
            "what": "cause",
            "code": "parking",
            "name_zh": "停车难",
            "position": "5",
            "is_active": "on",
        },
    )
    assert "停车难" in _text(owner_client.get("/complaints/settings/"))
    # retire a cause: it stays in the taxonomy (old complaints keep it), not offered any more
    from liuke.complaints.models import ComplaintCause

    parking = ComplaintCause.objects.get(code="parking")
    owner_client.post(
        "/complaints/settings/",
        {"what": "cause", "cause_id": parking.pk, "code": "parking", "name_zh": "停车难",
         "position": "5"},
    )  # fmt: skip
    parking.refresh_from_db()
    assert parking.is_active is False
    offered = {c["code"] for c in owner_client.get("/api/v1/complaints/causes").json()}
    assert "parking" not in offered
    assert "broken_promise" in offered


def test_reports_page(
    shop: Shop, front_a: User, owner_client: Client, auditor_client: Client
) -> None:
    c = open_complaint(front_a, shop)
    walk_to_close(front_a, c, owner_id=front_a.pk)
    open_complaint(front_a, shop, cause_code="hygiene")
    page = _text(owner_client.get("/complaints/reports/?days=30"))
    assert '<strong id="report-total">2</strong>' in page
    assert 'id="cause-chart"' in page
    assert "complaints/reports.js" in page
    assert '<strong id="repeat-customers">1</strong>' in page
    assert auditor_client.get("/complaints/reports/").status_code == 200


def test_pages_in_chinese(shop: Shop, front_a: User, front_a_client: Client) -> None:
    c = open_complaint(front_a, shop)
    front_a_client.cookies["django_language"] = "zh-hans"
    page = _text(front_a_client.get(f"/complaints/{c.pk}/?all=1", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "重复顾客关切的问题" in page or "复述问题" in page
    assert "投诉" in page
    # a target days away reads in days and hours, not thousands of minutes
    timers = re.findall(r'data-timer="running">([^<]+)<', page)
    assert timers, page
    assert any("天" in t or "小时" in t for t in timers), timers
    assert not any(re.search(r"\d{3,} ?分钟", t) for t in timers), timers


@pytest.mark.parametrize("path", ["/complaints/?status=all", "/complaints/approvals/"])
def test_lists_make_the_same_queries_for_3_or_12_complaints(
    shop: Shop, front_a: User, owner: User, path: str
) -> None:
    """No query per row (N+1): the list of 12 costs what the list of 3 does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from tests.factories import customer_make

    client = Client()
    client.force_login(owner)

    def add(n: int) -> None:
        for _ in range(n):
            customer = customer_make(actor=owner, branch=shop.branch)
            c = services.complaint_open(
                actor=front_a, customer_id=customer.pk, channel="phone", description="等太久"
            )
            services.complaint_resolve(
                actor=front_a, complaint_id=c.pk, kind="voucher", amount_fen=9000
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    add(3)
    queries()  # the first request also loads the session and the business's defaults
    few = queries()
    add(9)
    assert queries() == few


def test_an_exchange_from_the_page(
    shop: Shop, owner: User, owner_client: Client, visit: Visit
) -> None:
    """The facial (¥100, cash) given back for a massage (¥200), paid by WeChat at its price."""
    from liuke.sales.models import Payment, Refund

    c = open_complaint(owner, shop, visit)
    page = _text(owner_client.get(f"/complaints/{c.pk}/?step=8"))
    assert 'id="exchange-fields"' in page
    owner_client.post(
        f"/complaints/{c.pk}/resolve/",
        {
            "kind": "exchange",
            "line_id": visit.lines.get().pk,
            "service_id": shop.massage.pk,
            "performer_id": shop.beautician.pk,
            "method": "wechat",
        },
    )
    r = c.resolutions.get()
    assert r.status == "applied"
    refund = Refund.objects.get()
    assert r.refund == refund
    assert refund.reason == "exchange"
    assert refund.exchange_visit is not None
    assert refund.exchange_visit.total_fen == 20000
    assert Payment.objects.filter(
        visit=refund.exchange_visit, method="wechat"
    ).get().amount_fen == (20000)
    # no line chosen: refused with its message, nothing written
    owner_client.post(f"/complaints/{c.pk}/resolve/", {"kind": "exchange", "method": "cash"})
    assert c.resolutions.count() == 1


def test_a_key_account_s_complaint_is_part_of_its_file(
    shop: Shop,
    front_a: User,
    manager_a: User,
    beautician_a: User,
    front_a_client: Client,
    manager_a_client: Client,
) -> None:
    """Front desk may take a key account's complaint down, but the case goes to the customer's
    responsible person and is not readable without the full file (page 403, API 403, no step
    can be recorded); the manager reads it."""
    from liuke.customers.models import Customer

    Customer.objects.filter(pk=shop.customer.pk).update(
        is_key_account=True, owner_id=beautician_a.pk
    )
    c = open_complaint(front_a, shop)
    assert c.handler_id == beautician_a.pk
    assert front_a_client.get(f"/complaints/{c.pk}/").status_code == 403
    api = front_a_client.get(f"/api/v1/complaints/{c.pk}")
    assert api.status_code == 403
    assert "脸上发红" not in api.content.decode()
    front_a_client.post(f"/complaints/{c.pk}/step/", {"step": "1", "note": "x"})
    assert not c.steps.exists()
    page = manager_a_client.get(f"/complaints/{c.pk}/")
    assert page.status_code == 200
    assert "脸上发红" in page.content.decode()


def test_the_pages_refuse_what_the_api_refuses_and_save_nothing(
    shop: Shop, front_a: User, front_a_client: Client
) -> None:
    """The guided page's forms are read by the API's input models: a date that is not one, a
    side that does not exist or a step out of range is refused with a message; before, a
    mistyped due date was dropped without a word and the action saved without it."""
    c = open_complaint(front_a, shop)
    url = f"/complaints/{c.pk}"
    steps = ComplaintStep.objects.filter(complaint=c).count()
    for path, sent in (
        ("actions/", {"side": "theirs", "text": "来店", "due_on": "2026-13-45"}),
        ("actions/", {"side": "nobody", "text": "回电"}),
        ("step/", {"step": "12", "note": "x"}),
    ):
        response = front_a_client.post(f"{url}/{path}", sent, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"], sent
    assert not ComplaintAction.objects.filter(complaint=c).exists()
    assert ComplaintStep.objects.filter(complaint=c).count() == steps
    front_a_client.post(f"{url}/actions/", {"side": "theirs", "text": "来店", "due_on": ""})
    assert ComplaintAction.objects.filter(complaint=c, due_on=None).count() == 1


def test_a_mistyped_cause_id_is_refused_not_read_as_a_new_cause(
    owner_client: Client, owner: User
) -> None:
    """The settings forms are read through typed inputs (liuke.complaints.schemas): a cause's
    id that is not a number once read as "no id", so an edit added a new cause."""
    from liuke.complaints.models import ComplaintCause

    cause = ComplaintCause.objects.filter(business_id=business_of(owner)).order_by("pk").first()
    assert cause is not None
    before = ComplaintCause.objects.count()
    response = owner_client.post(
        "/complaints/settings/",
        {"what": "cause", "cause_id": f"{cause.pk}x", "code": "parking2", "name_zh": "停车难",
         "position": "5", "is_active": "on"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert ComplaintCause.objects.count() == before
    assert not ComplaintCause.objects.filter(code="parking2").exists()
    assert "已保存" not in _text(response)  # the refusal's message, not "Saved."
