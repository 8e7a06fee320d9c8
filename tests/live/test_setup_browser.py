"""A brand-new business sets itself up in a real browser, against the production server: the
owner made by `liuke createowner` sees the first-run checklist, adds a second branch, invites
two staff members; one of them opens the link, sets a password and logs in. The screenshot
docs/screenshots/staff.png comes from here."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.live.conftest import PYTHON, ROOT, LiveServer
from tests.live.test_browser import browser, log_in, new_context, shoot, zh_page  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.e2e]

OWNER = ("xinkai", "Xin-kai-mei-rong-2026!")
MEI_PASSWORD = "Mei-li-mima-2026!"


def _createowner(live: LiveServer) -> None:
    result = subprocess.run(
        [
            PYTHON, "-m", "liuke.cli", "createowner",
            "--username", OWNER[0], "--password", OWNER[1],
            "--business", "新开美容", "--branch", "人民广场店",
        ],
        cwd=ROOT, env=live.env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _invite(page: Page, name: str, contact: tuple[str, str], role: str, branches: int) -> str:
    form = page.locator("#invite form")
    form.locator("input[name=display_name]").fill(name)
    form.locator(f"input[name={contact[0]}]").fill(contact[1])
    form.locator("select[name=role]").select_option(role)
    boxes = form.locator("input[name=branch_ids]")
    for i in range(boxes.count()):
        if i < branches:
            boxes.nth(i).check()
        else:
            boxes.nth(i).uncheck()
    form.locator("button[type=submit]").click()
    expect(page.locator("#invite-link")).to_contain_text(name)  # the htmx answer is in
    link = page.locator("#invite-link input")
    value = link.input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/welcome/[\w-]+\.[\w-]+/", value), value
    return value


def test_a_new_business_adds_a_branch_and_invites_its_staff(
    zh_page: Page,  # noqa: F811
    browser: Browser,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    _createowner(liuke_server)
    page = zh_page
    log_in(page, liuke_server, OWNER)
    checklist = page.locator("#checklist")
    expect(checklist).to_be_visible()
    expect(checklist.locator("#step-branches")).to_contain_text("○")

    # A second branch, from the checklist's first step.
    checklist.locator("#step-branches a").click()
    expect(page).to_have_url(f"{liuke_server.url}/account/branches/")
    expect(page.locator("#branches tbody tr")).to_have_count(1)
    add = page.locator("#branch-add")
    add.locator("input[name=name]").fill("南京西路店")
    add.locator("input[name=address]").fill("上海市静安区南京西路 1266 号")
    add.locator("input[name=phone]").fill("021-62880000")
    add.locator("input[name=receipt_footer]").fill("谢谢光临，欢迎再来")
    add.locator("button[type=submit]").click()
    expect(page.locator("#branches tbody tr")).to_have_count(2)
    expect(page.locator("#branches")).to_contain_text("南京西路店")

    # Two staff: a beautician in both branches (by mobile), a front desk in the first (e-mail).
    page.goto(f"{liuke_server.url}/account/staff/")
    mei_link = _invite(page, "小美", ("mobile", "139 0000 1111"), "beautician", branches=2)
    wang_link = _invite(page, "小王", ("email", "wang@example.cn"), "front_desk", branches=1)
    assert mei_link != wang_link
    page.reload()
    rows = page.locator("#staff tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#staff")).to_contain_text("13900001111")
    expect(page.locator("#staff")).to_contain_text("wang@example.cn")
    shoot(page, screenshots, "staff.png")

    # 小美 opens her link in a browser of her own, sets a password and logs in.
    context = new_context(browser, "zh-CN")
    try:
        mei = context.new_page()
        mei.goto(mei_link)
        expect(mei.locator("h1")).to_be_visible()
        expect(mei.locator("main")).to_contain_text("小美")
        mei.locator("input[name=password]").fill(MEI_PASSWORD)
        mei.locator("input[name=password_again]").fill(MEI_PASSWORD)
        mei.locator("form button[type=submit]").last.click()
        expect(mei).to_have_url(f"{liuke_server.url}/login/")
        log_in(mei, liuke_server, ("13900001111", MEI_PASSWORD))
        expect(mei.locator(".who")).to_contain_text("小美")
        expect(mei.locator("#checklist")).to_have_count(0)  # owners only
        # the link worked once
        mei.goto(mei_link)
        expect(mei.locator("main")).not_to_contain_text("小美")
    finally:
        context.close()

    # Back to the owner: the staff step of the checklist is done.
    page.goto(f"{liuke_server.url}/account/setup/")
    expect(page.locator("#step-staff")).to_contain_text("✓")
