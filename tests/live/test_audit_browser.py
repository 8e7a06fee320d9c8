"""The audit pages in a real browser (Debian's Chromium via Playwright) against the production
server: the owner reads a few profiles, finds those reads in the log, exports it with a reason,
and acknowledges the unusual-reading flag the job raised. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.live.conftest import PYTHON, LiveServer, _run
from tests.live.test_browser import (  # noqa: F401 (fixture)
    browser,
    go_to,
    log_in,
    new_context,
    open_menu,
    shoot,
)

pytestmark = [pytest.mark.live, pytest.mark.e2e]

#: With the server's environment: a strict threshold for 丽颜美容, then the flag job.
STRICT = r"""
import django

django.setup()
from liuke.accounts.models import Business

Business.objects.filter(name="丽颜美容").update(audit_files_per_hour=2)
"""
RUN_JOB = r"""
import json

import django

django.setup()
from liuke.audit.tasks import flag_unusual_reading

print(json.dumps({"written": flag_unusual_reading()}))
"""


def _zh(browser: Browser) -> Page:  # noqa: F811
    return new_context(browser, "zh-CN").new_page()


def test_owner_browses_exports_and_acknowledges(
    browser: Browser,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    live = liuke_server
    _run([PYTHON, "-c", STRICT], live.env, "threshold")
    page = _zh(browser)
    log_in(page, live, live.owner)
    read = [live.customer_id(n) for n in ("张三", "李娜", "周莎")]
    for customer in read:
        page.goto(f"{live.url}/customers/{customer}/")

    go_to(page, "审计日志")
    expect(page).to_have_url(re.compile(r"/audit/$"))
    page.locator("#audit-filters select[name=action]").select_option("view")
    page.locator("#audit-filters input[name=customer_q]").fill("张三")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("tbody#rows tr[id^=event-]")
    expect(rows.first).to_contain_text("王老板")
    expect(rows.first).to_contain_text(f"#{read[0]}")
    expect(rows.first).not_to_contain_text("13812345678")
    page.locator("#audit-filters select[name=action]").select_option("")
    page.locator("#audit-filters input[name=customer_q]").fill("")
    page.get_by_role("button", name="筛选").click()
    shoot(page, screenshots, "audit-log.png")

    # Export: the reason is required; the file comes as a download; the export is in the log.
    page.locator("#export summary").click()
    page.locator("#export input[name=reason]").fill("月度审计抽查")
    page.locator("#export select[name=format]").select_option("csv")
    with page.expect_download() as download_info:
        page.locator("#export button[type=submit]").click()
    saved = tmp_path / "audit.csv"
    download_info.value.save_as(saved)
    exported = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert exported[0][:3] == ["seq", "occurred_at", "staff_id"]
    assert "export" in exported[1]
    assert "月度审计抽查" in exported[1]

    out = _run([PYTHON, "-c", RUN_JOB], live.env, "the flag job")
    assert json.loads(out.strip().splitlines()[-1])["written"] >= 1
    page.goto(f"{live.url}/audit/flags/")
    # (An export after 22:00 also raises a flag of its own: pick the "many files" one.)
    flag = page.locator("tr.open", has_text="一小时内打开大量客户档案").first
    expect(flag).to_contain_text("王老板")
    shoot(page, screenshots, "audit-flags.png")
    flag.locator("input[name=note]").fill("核对档案，正常")
    flag.get_by_role("button", name="确认已查看").click()
    expect(page.locator("tr", has_text="核对档案，正常")).to_contain_text("王老板 已确认")
    page.context.close()


def test_front_desk_has_no_audit_pages(
    browser: Browser,  # noqa: F811
    liuke_server: LiveServer,
) -> None:
    page = _zh(browser)
    log_in(page, liuke_server, liuke_server.front_desk)
    open_menu(page)
    expect(page.locator("nav.mainnav a", has_text="审计日志")).to_have_count(0)
    answer = page.goto(f"{liuke_server.url}/audit/")
    assert answer is not None
    assert answer.status == 404
    page.context.close()
