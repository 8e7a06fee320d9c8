"""Feedback in a real browser against the production server: 周莎 agrees to receive messages
and gets a survey after her visit with 小陈 (the real survey job and dispatch write the
message; neither 张三 and 李娜 nor 美容师小林, whom the follow-up test counts on), opens its link
without logging in, answers as an unhappy customer, and cannot use the link again; the owner
sees the answer in the results and the callback task it opened; the suggestion box's QR page
leads to a public form that takes a suggestion. Then the rate limit holds across the
server's two worker processes. Screenshots: docs/screenshots/survey-public.png,
feedback-results.png and suggestion-qr.png."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.live.conftest import PYTHON, ROOT, LiveServer
from tests.live.test_browser import (  # noqa: F401 (fixtures)
    browser,
    go_to,
    log_in,
    new_context,
    shoot,
    zh_page,
)

pytestmark = [pytest.mark.live, pytest.mark.e2e]

#: 周莎 gives her marketing consent (through the service, as at the front desk) and had a
#: facial with 小陈 three hours ago; the survey job and the engagement dispatch run as the huey
#: consumer would run them. Prints the survey message.
SETUP = r"""
import datetime as dt
import json
import sys

import django

django.setup()

from django.utils import timezone

from liuke.accounts.models import User
from liuke.customers.models import Customer
from liuke.customers.services import customer_update
from liuke.engagement import dispatch
from liuke.engagement.models import Message
from liuke.feedback import jobs
from liuke.sales.models import Visit

args = json.loads(sys.argv[1])
front = User.objects.get(username="front")
owner = User.objects.get(username="owner")
customer_update(actor=owner, customer_id=args["customer"], data={"marketing_consent": True})
customer = Customer.objects.get(pk=args["customer"])
when = timezone.now() - dt.timedelta(hours=3)
Visit.objects.create(business_id=customer.business_id, branch_id=customer.branch_id,
                     customer=customer, visited_at=when, visited_on=timezone.localdate(when),
                     total_fen=12800, served_by=front)
report = jobs.surveys_run()
dispatch.dispatch()
message = Message.objects.get(customer=customer, kind="survey")
print(json.dumps({"report": report, "body": message.body, "status": message.status}))
"""


def _survey_message(live: LiveServer) -> dict[str, object]:
    result = subprocess.run(
        [PYTHON, "-c", SETUP, json.dumps({"customer": live.customer_id("周莎")})],
        cwd=ROOT, env=live.env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_customer_answers_a_survey_from_its_link(
    browser: Browser,  # noqa: F811
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    message = _survey_message(liuke_server)
    assert message["status"] == "ready"
    body = str(message["body"])
    found = re.search(rf"{re.escape(liuke_server.url)}/f/s/[A-Za-z0-9_\-.]+/", body)
    assert found, body
    link = found.group(0)
    assert body.startswith("周女士您好")  # surname and 女士, as a salon addresses her

    # the customer's phone: a browser that never logged in
    customer = new_context(browser, "zh-CN")
    phone = customer.new_page()
    phone.goto(link)
    expect(phone.locator("#survey h1")).to_contain_text("周女士，您好")
    expect(phone.locator("#survey")).to_contain_text("静安店")
    expect(phone.locator("#q-staff legend")).to_contain_text("小陈")
    expect(phone.locator("body")).not_to_contain_text("周莎")
    expect(phone.locator("body")).not_to_contain_text("13612345003")
    phone.locator("#q-satisfaction input[value='2']").check()
    phone.locator("#q-recommend input[value='3']").check()
    phone.locator("#q-ease input[value='3']").check()
    phone.locator("#q-staff input[value='4']").check()
    phone.locator("textarea[name=comment]").fill("等了四十分钟才开始，希望改进")
    phone.locator("input[name=wants_contact]").check()
    shoot(phone, screenshots, "survey-public.png")
    phone.locator("#survey button[type=submit]").click()
    expect(phone.locator("#thanks")).to_contain_text("谢谢您")
    # the link is spent
    phone.goto(link)
    expect(phone.locator("#link-invalid")).to_contain_text("此链接已失效")
    customer.close()

    # the owner sees it, and the unhappy answer opened a callback for 周莎's owner
    page = zh_page
    log_in(page, liuke_server, liuke_server.owner)
    go_to(page, "顾客反馈")
    expect(page.locator("#response-rate")).to_contain_text("100%")
    expect(page.locator("#results tbody")).to_contain_text("静安店")
    expect(page.locator("#results tbody")).to_contain_text("-100")
    page.locator("select[name=group_by]").select_option("staff")
    expect(page.locator("#results tbody")).to_contain_text("小陈")
    shoot(page, screenshots, "feedback-results.png")
    page.goto(f"{liuke_server.url}/feedback/responses/?detractors=1")
    expect(page.locator("#responses tbody")).to_contain_text("周莎")
    expect(page.locator("#responses tbody")).to_contain_text("等了四十分钟")
    page.goto(f"{liuke_server.url}/engagement/tasks/")
    expect(page.locator("#tasks tbody")).to_contain_text("周莎")


def test_the_suggestion_box_qr_leads_to_a_public_form(
    browser: Browser,  # noqa: F811
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    page = zh_page
    log_in(page, liuke_server, liuke_server.owner)
    page.goto(f"{liuke_server.url}/feedback/box/")
    expect(page.locator("#qr svg")).to_be_visible()
    url = page.locator("#qr-card .muted").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(liuke_server.url)}/f/b/[A-Za-z0-9_\-.]+/", url), url
    shoot(page, screenshots, "suggestion-qr.png")

    visitor = new_context(browser, "zh-CN")
    form = visitor.new_page()
    form.goto(url)
    expect(form.locator("#suggestion-box h1")).to_contain_text("意见箱")
    form.locator("textarea[name=body]").fill("希望等候区能提供热茶")
    form.locator("#suggestion-box button[type=submit]").click()
    expect(form.locator("#thanks")).to_be_visible()
    visitor.close()
    page.goto(f"{liuke_server.url}/feedback/suggestions/")
    expect(page.locator("#suggestions tbody")).to_contain_text("希望等候区能提供热茶")
    expect(page.locator("#suggestions tbody")).to_contain_text("匿名")


def test_probing_links_is_limited_across_worker_processes(liuke_server: LiveServer) -> None:
    """Twenty-five guessed links from one address, spread over gunicorn's two workers by the
    kernel: the first twenty are answered "not valid", the rest "too many" (the count is in
    the database; per-process counters would each let twenty through)."""
    statuses = []
    for i in range(25):
        request = urllib.request.Request(f"{liuke_server.url}/f/s/guess-{i}/")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
    # the earlier tests spent one or two "bad link" hits of this window at most
    assert statuses.count(429) >= 5
    assert set(statuses) == {404, 429}
    first_refusal = statuses.index(429)
    assert all(s == 429 for s in statuses[first_refusal:])
