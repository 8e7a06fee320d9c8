"""The customer-value dashboards in a real browser, on the real server, for the demo salon
(built by the demo generator in a business of its own, 留客示范美容, so the other live tests'
salon is untouched): every dashboard draws its chart under the strict Content-Security-Policy,
in Chinese and in English, and the refresh button queues a job that a real huey consumer runs
while the page shows its progress. The screenshots docs/screenshots/analytics-*.png come from
here."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.live.conftest import PYTHON, ROOT, LiveServer, _run
from tests.live.test_browser import browser, log_in, new_context, shoot  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.e2e]

BOSS = ("demo_boss", "Demo-boss-2026!")
DEMO_SCRIPT = r"""
import json
import sys

import django

django.setup()

from liuke.analytics.services import figures_refresh
from liuke.demo import data
from liuke.demo.generator import demo_business, generate_demo

# The live salon already carries the demo's name: the demo gets one of its own here.
data.BUSINESS_NAME = "留客示范美容"

if demo_business() is None:
    generate_demo(customers=600, seed=11, username=sys.argv[1], password=sys.argv[2],
                  progress=False)
business = demo_business()
result = figures_refresh(business=business)
print(json.dumps({"business": business.pk, "customers": result.customers}))
"""
#: (path, screenshot, the chart that must be drawn or None)
BOARDS = [
    ("/analytics/", "analytics-at-risk.png", "#rfm-chart"),
    ("/analytics/revenue/", "analytics-revenue.png", "#revenue-chart"),
    ("/analytics/rates/", "analytics-rates.png", "#rates-branch-chart"),
    ("/analytics/cohorts/", "analytics-cohorts.png", "#cohort-chart"),
    ("/analytics/value/", "analytics-value.png", "#value-chart"),
    ("/analytics/key-accounts/", "analytics-key-accounts.png", None),
    ("/analytics/referrals/", "analytics-referrals.png", "#referral-chart"),
]


@pytest.fixture(scope="module")
def demo(liuke_server: LiveServer) -> dict[str, Any]:
    out = _run([PYTHON, "-c", DEMO_SCRIPT, *BOSS], liuke_server.env, "demo salon")
    demo: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return demo


@contextlib.contextmanager
def consumer(live: LiveServer) -> Iterator[subprocess.Popen[bytes]]:
    """The job consumer as `liuke serve` starts it, on the server's database and queue."""
    log = live.log_path.with_name("huey.log")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [PYTHON, "-m", "django", "run_huey", "--workers", "1", "--worker-type", "thread"],
            cwd=ROOT,
            env=live.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _csp_watch(page: Page) -> list[str]:
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: blocked.append(f"error: {e}"))
    return blocked


def test_every_dashboard_draws_in_chinese_and_english(
    browser: Browser,  # noqa: F811
    liuke_server: LiveServer,
    demo: dict[str, Any],
    screenshots: Path,
) -> None:
    assert demo["customers"] > 100
    context = new_context(browser, "zh-CN")
    page = context.new_page()
    blocked = _csp_watch(page)
    try:
        log_in(page, liuke_server, BOSS)
        for path, picture, chart in BOARDS:
            page.goto(f"{liuke_server.url}{path}")
            expect(page.locator("nav.tabs a.active")).to_have_count(1)
            if chart:
                expect(page.locator(chart)).to_have_attribute("data-drawn", "1")
                expect(page.locator(f"{chart} canvas").first).to_be_visible()
            shoot(page, screenshots, picture)
        # the lists name customers with their responsible staff member
        page.goto(f"{liuke_server.url}/analytics/key-accounts/")
        expect(page.locator("#key-list tbody tr").first).to_be_visible()
        expect(page.locator("#key-potential tbody tr a").first).to_be_visible()
        page.goto(f"{liuke_server.url}/analytics/referrals/")
        expect(page.locator("#referrers tbody tr a").first).to_be_visible()
        # a branch chosen in the filter stays chosen across the tabs
        page.goto(f"{liuke_server.url}/analytics/revenue/")
        page.locator("select[name=branch]").select_option(index=1)
        expect(page).to_have_url(re.compile(r"branch=\d+"))
        page.locator("#tab-cohorts").click()
        expect(page).to_have_url(re.compile(r"/cohorts/\?branch=\d+"))
        expect(page.locator("#cohort-chart")).to_have_attribute("data-drawn", "1")
    finally:
        context.close()
    english = new_context(browser, "en-US")
    page = english.new_page()
    blocked += _csp_watch(page)
    try:
        log_in(page, liuke_server, BOSS)
        page.goto(f"{liuke_server.url}/analytics/revenue/")
        expect(page.locator("#revenue h2")).to_have_text("Revenue trend")
        expect(page.locator("#revenue-chart")).to_have_attribute("data-drawn", "1")
    finally:
        english.close()
    assert blocked == []


def test_refresh_button_runs_the_job_with_a_progress_bar(
    browser: Browser,  # noqa: F811
    liuke_server: LiveServer,
    demo: dict[str, Any],
    screenshots: Path,
) -> None:
    context = new_context(browser, "zh-CN")
    page = context.new_page()
    blocked = _csp_watch(page)
    try:
        log_in(page, liuke_server, BOSS)
        page.goto(f"{liuke_server.url}/analytics/value/")
        status_url = f"{liuke_server.url}/analytics/refresh/status/"
        # no consumer yet: the job waits in the queue and the page shows it
        page.locator("#refresh-button").click()
        expect(page).to_have_url(f"{liuke_server.url}/analytics/value/")
        expect(page.locator("#refresh-progress")).to_be_visible()
        expect(page.locator("#refresh-button")).to_be_disabled()
        assert page.request.get(status_url).json()["status"] == "queued"
        shoot(page, screenshots, "analytics-refresh.png")
        with consumer(liuke_server):
            # the consumer takes the job; the page polls and reloads when it is done
            expect(page.locator("#refresh-progress")).to_be_hidden(timeout=60_000)
        done = page.request.get(status_url).json()
        assert (done["status"], done["percent"]) == ("done", 100)
        expect(page.locator("#value-chart")).to_have_attribute("data-drawn", "1")
    finally:
        context.close()
    assert blocked == []
