"""Follow-ups in a real browser against the production server: the beautician 林 opens today's
follow-ups, completes one with an outcome, and it leaves the list. Also logs a contact from a
caller's number with the best response shown as soon as the reason is picked, and shows the
customer brief. The screenshots docs/screenshots/followups.png, contact.png and brief.png come
from here.

The visits and follow-ups are added to the live server's database by a script run with the
server's environment: the visits through the sales model, the follow-ups by the real job."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.live.conftest import PYTHON, ROOT, LiveServer
from tests.live.test_browser import browser, go_to, log_in, shoot, zh_page  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.e2e]

BEAUTICIAN = ("lin", "Beautician-2026!")

#: Yesterday 张三 and 李娜 had a facial with 林; the job plans their follow-ups (day 1 = today).
SETUP = r"""
import datetime as dt
import json
import sys

import django

django.setup()

from django.utils import timezone

from liuke.accounts.models import User
from liuke.customers.models import Customer
from liuke.engagement import jobs
from liuke.engagement.models import FollowUp
from liuke.sales.models import Visit

args = json.loads(sys.argv[1])
lin = User.objects.get(username="lin")
when = timezone.now() - dt.timedelta(days=1)
ids = []
for customer_id in args["customers"]:
    customer = Customer.objects.get(pk=customer_id)
    visit = Visit.objects.create(business_id=customer.business_id, branch_id=customer.branch_id,
                                 customer=customer, visited_at=when,
                                 visited_on=timezone.localdate(when), total_fen=12800,
                                 served_by=lin)
    ids.append(visit.pk)
jobs.prepare()
jobs.followups_create()
today = timezone.localdate()
print(json.dumps({f.customer_id: f.pk for f in FollowUp.objects.filter(visit_id__in=ids,
                                                                       due_on=today)}))
"""


def _plan(live: LiveServer, names: list[str]) -> dict[str, int]:
    customers = [live.customer_id(n) for n in names]
    result = subprocess.run(
        [PYTHON, "-c", SETUP, json.dumps({"customers": customers})],
        cwd=ROOT, env=live.env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    by_customer = json.loads(result.stdout.strip().splitlines()[-1])
    return {name: by_customer[str(live.customer_id(name))] for name in names}


def test_todays_follow_up_is_completed_and_leaves_the_list(
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    page = zh_page
    planned = _plan(liuke_server, ["张三", "李娜"])
    log_in(page, liuke_server, BEAUTICIAN)
    go_to(page, "回访")
    expect(page.locator("h1")).to_contain_text("回访")
    rows = page.locator("#followups tbody tr.followup-row")
    expect(rows).to_have_count(2)
    expect(page.locator("#count-today")).to_have_text("2")
    row = page.locator(f"#fu-{planned['张三']}")
    expect(row).to_contain_text("张三")
    expect(row).to_contain_text("次日关怀")
    shoot(page, screenshots, "followups.png")

    done = row.locator("form.followup-done")
    done.locator("select[name=outcome]").select_option("satisfied")
    done.locator("input[name=note]").fill("皮肤状态很好，约了下周三")
    done.locator("button[type=submit].primary").click()
    # htmx swaps the row for a "done" line; after a reload it is gone from today's list
    expect(page.locator(f"#fu-{planned['张三']}")).to_contain_text("已完成：满意")
    page.reload()
    expect(page.locator(f"#fu-{planned['张三']}")).to_have_count(0)
    expect(page.locator(f"#fu-{planned['李娜']}")).to_be_visible()
    expect(page.locator("#count-today")).to_have_text("1")

    page.locator("#view-done").click()
    expect(page.locator(f"#fu-{planned['张三']}")).to_contain_text("满意")


def test_a_callers_number_opens_the_contact_form_with_the_best_response(
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    page = zh_page
    log_in(page, liuke_server, liuke_server.front_desk)
    page.goto(f"{liuke_server.url}/engagement/contacts/new/")
    search = page.locator("#caller-search")
    search.locator("input[name=q]").fill("13712345002")  # 李娜's mobile
    search.locator("button").click()
    expect(page.locator("h1")).to_contain_text("李娜")
    expect(page.locator(".alert").first).to_contain_text("对果酸过敏")
    page.locator("select[name=reason_id]").select_option(label="过敏反应")
    expect(page.locator("#best-response")).to_contain_text("请先停止使用相关产品")
    page.locator("select[name=outcome]").select_option("complaint")
    page.locator("textarea[name=notes]").fill("做完补水护理后脸颊发红")
    shoot(page, screenshots, "contact.png")
    page.locator("button[type=submit]", has_text="保存联系记录").click()
    expect(page.locator(".messages")).to_contain_text("联系已记录")

    page.goto(f"{liuke_server.url}/engagement/tasks/")
    expect(page.locator("#tasks tbody")).to_contain_text("李娜")
    page.goto(f"{liuke_server.url}/engagement/brief/{liuke_server.customer_id('李娜')}/")
    expect(page.locator("#brief-health")).to_contain_text("对果酸过敏")
    expect(page.locator("#brief-actions")).to_contain_text("先处理未结的投诉")
    shoot(page, screenshots, "brief.png")
