"""A complaint in a real browser against the production server, walked through all ten steps to
closed: the front desk (小陈) opens it from 张三's profile, pauses the timers while waiting for
the customer, restates the problem and has it confirmed, gives a ¥30 voucher (within the front
desk's limit), agrees the actions, summarises and closes warmly; then the owner records the fix
and reads the reports. The screenshots docs/screenshots/complaint-new.png, complaint-steps.png,
complaint-closed.png, complaints.png and complaint-reports.png come from here."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.live.conftest import LiveServer
from tests.live.test_browser import browser, go_to, log_in, shoot, zh_page  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.e2e]


def _step(page: Page, n: int, note: str) -> None:
    form = page.locator(f"#step-form-{n}")
    form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    expect(page.locator(".msg.success").first).to_contain_text("已记录这一步")


def test_a_complaint_walked_through_the_ten_steps_to_closed(
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    page = zh_page
    live = liuke_server
    log_in(page, live, live.front_desk)
    page.goto(f"{live.url}/customers/{live.customer_id('张三')}/")
    section = page.locator("#complaints")
    expect(section.locator("#customer-complaints")).to_contain_text("没有投诉")
    section.locator("#profile-new-complaint").click()
    expect(page.locator("h1")).to_contain_text("新建投诉")
    expect(page.locator("h1")).to_contain_text("张三")
    form = page.locator("#complaint-form")
    form.locator("select[name=channel]").select_option("in_person")
    form.locator("select[name=severity]").select_option("medium")
    form.locator("select[name=cause_code]").select_option(label="等候时间太长")
    form.locator("textarea[name=description]").fill(
        "约了下午三点做深层清洁，等了四十分钟才开始，也没有人跟我解释一句。"
    )
    shoot(page, screenshots, "complaint-new.png")
    form.locator("button[type=submit]").click()

    # the guided page: step 1 of 10, both timers running, the story may reach 67 people
    expect(page.locator(".msg.success").first).to_contain_text("投诉已受理")
    expect(page.locator("#complaint-status")).to_have_text("处理中")
    expect(page.locator("#complaint-reach")).to_contain_text("67")
    expect(page.locator("#step-1")).to_contain_text("给顾客关切的事情予以语言上的缓冲")
    expect(page.locator("#step-2")).to_have_count(0)
    expect(page.locator("#step-progress")).to_have_attribute("value", "0")
    _step(page, 1, "先请顾客坐下，倒了杯水，让她把话说完。")
    _step(page, 2, "")
    _step(page, 3, "为让她久等、没有解释道歉。")
    _step(page, 4, "")
    # waiting for the customer: the timers pause, then run again
    page.locator("#wait-form input[name=note]").fill("顾客要先去接孩子，晚点再谈")
    page.locator("#wait-button").click()
    expect(page.locator("#complaint-status")).to_have_text("等待顾客回复")
    expect(page.locator("#timers")).to_contain_text("已暂停")
    page.locator("#resume-button").click()
    expect(page.locator("#complaint-status")).to_have_text("处理中")
    page.goto(page.url.split("?")[0] + "?step=5")
    _step(page, 5, "当天美容师排班重叠，前台没有提醒。")
    expect(page.locator("#step-progress")).to_have_attribute("value", "5")
    shoot(page, screenshots, "complaint-steps.png")

    # step 6: the restatement must be confirmed by the customer
    step6 = page.locator("#step-form-6")
    step6.locator("textarea[name=restated_problem]").fill(
        "预约后等了四十分钟，没有人解释，顾客觉得不被尊重。"
    )
    step6.locator("button[type=submit]").click()
    expect(page.locator(".msg.error").first).to_contain_text("顾客必须确认")
    step6 = page.locator("#step-form-6")
    step6.locator("textarea[name=restated_problem]").fill(
        "预约后等了四十分钟，没有人解释，顾客觉得不被尊重。"
    )
    step6.locator("input[name=confirmed]").check()
    step6.locator("button[type=submit]").click()
    expect(page.locator(".msg.success").first).to_contain_text("已记录这一步")
    _step(page, 7, "谢谢她愿意告诉我们。")

    # step 8: the options; she takes a ¥30 voucher (within the front desk's ¥50)
    resolve = page.locator("#resolve-form")
    resolve.locator("select[name=kind]").select_option("voucher")
    resolve.locator("input[name=amount]").fill("30")
    resolve.locator("input[name=note]").fill("下次护理抵用")
    resolve.locator("button[type=submit]").click()
    expect(page.locator("#resolutions")).to_contain_text("代金券")
    expect(page.locator("#resolutions")).to_contain_text("已执行")
    page.goto(page.url.split("?")[0] + "?step=8")
    _step(page, 8, "顾客选择代金券。")

    # step 9: the actions, ours and hers, then the summary read back to her
    actions = page.locator("#action-form")
    actions.locator("select[name=side]").select_option("ours")
    actions.locator("input[name=text]").fill("下次预约提前一天电话确认并准时开始")
    actions.locator("button[type=submit]").click()
    expect(page.locator("#actions tbody")).to_contain_text("下次预约提前一天电话确认")
    actions = page.locator("#action-form")
    actions.locator("select[name=side]").select_option("theirs")
    actions.locator("select[name=owner_id]").select_option("")
    actions.locator("input[name=text]").fill("下周告诉我们方便的时间")
    actions.locator("button[type=submit]").click()
    expect(page.locator("#actions tbody tr")).to_have_count(2)
    step9 = page.locator("#step-form-9")
    step9.locator("textarea[name=summary]").fill(
        "我们：下次提前一天确认、准时开始；送30元代金券。您：下周告诉我们方便的时间。"
    )
    step9.locator("button[type=submit]").click()
    expect(page.locator(".msg.success").first).to_contain_text("已记录这一步")

    # step 10: close warmly
    expect(page.locator("#close-blockers")).to_have_count(0)
    close = page.locator("#close-form")
    close.locator("textarea[name=note]").fill("顾客笑着离开，说下周再约。")
    close.locator("button[type=submit]").click()
    expect(page.locator(".msg.success").first).to_contain_text("投诉已结案")
    expect(page.locator("#complaint-status")).to_have_text("已结案")
    expect(page.locator("#step-progress")).to_have_attribute("value", "10")
    expect(page.locator("#complaint-reach")).to_have_count(0)
    page.goto(page.url.split("?")[0] + "?all=1")
    for n in range(1, 11):
        expect(page.locator(f"#step-{n} h2")).to_contain_text("✓")
    shoot(page, screenshots, "complaint-closed.png")

    # afterwards: the owner records what changed and reads the reports
    page.context.clear_cookies()
    log_in(page, live, live.owner)
    go_to(page, "投诉")
    page.locator("#complaint-filters select[name=status]").select_option("all")
    expect(page.locator("#complaints tbody tr")).to_have_count(1)
    expect(page.locator("#complaints")).to_contain_text("张三")
    shoot(page, screenshots, "complaints.png")
    page.locator("#complaints tbody a").first.click()
    fix = page.locator("#cause-fix-form")
    fix.locator("textarea[name=cause_fix]").fill(
        "前台每半小时核对一次排班，迟到十分钟以上主动告知。"
    )
    fix.locator("button[type=submit]").click()
    expect(page.locator("#after")).to_contain_text("前台每半小时核对一次排班")
    page.locator("#told-form input[name=note]").fill("微信告知")
    page.locator("#told-form button").click()
    expect(page.locator("#after")).to_contain_text("已告知顾客")
    page.goto(f"{live.url}/complaints/reports/?days=30")
    expect(page.locator("#report-total")).to_have_text("1")
    expect(page.locator("#by-cause")).to_contain_text("等候时间太长")
    expect(page.locator("#cause-chart canvas")).to_have_count(1)  # ECharts drew the chart
    shoot(page, screenshots, "complaint-reports.png")
