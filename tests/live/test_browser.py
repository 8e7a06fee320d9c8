"""The pages in a real browser: Debian's headless Chromium driven by Playwright, against the
production server of conftest.py. The screenshots in docs/screenshots/ come from here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.live.conftest import LiveServer

pytestmark = [pytest.mark.live, pytest.mark.e2e]

VIEWPORT = {"width": 1280, "height": 900}
CJK = re.compile(r"[\u3400-\u9fff]")

#: What the flow test changes 张三's mobile to.
NEW_MOBILE = "13987654321"


@pytest.fixture(scope="module")
def browser(chromium: Browser) -> Browser:
    """The browser tests' Chromium: one for all of tests/live (conftest.py's `chromium`); each
    test still opens a context of its own (cookies, storage, viewport)."""
    return chromium


def new_context(browser: Browser, locale: str) -> BrowserContext:
    context = browser.new_context(locale=locale, viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def zh_page(browser: Browser) -> Iterator[Page]:
    context = new_context(browser, "zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def en_page(browser: Browser) -> Iterator[Page]:
    context = new_context(browser, "en-US")
    yield context.new_page()
    context.close()


def log_in(page: Page, live: LiveServer, credentials: tuple[str, str]) -> None:
    page.goto(f"{live.url}/login/")
    page.locator("input[name=username]").fill(credentials[0])
    page.locator("input[name=password]").fill(credentials[1])
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/today/$"))  # everyone lands on their day


def open_menu(page: Page) -> None:
    """Open the navigation menu (the top bar's one button; its entries grouped by task)."""
    menu = page.locator("details[data-navmenu]")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    expect(page.locator("nav.mainnav")).to_be_visible()


def go_to(page: Page, label: str) -> None:
    """Follow the navigation entry `label`, through the menu."""
    open_menu(page)
    # the label, and the count of what waits there when there is some ("回访 2")
    entry = re.compile(rf"^{re.escape(label)}(\s+\d+)?$")
    page.locator("nav.mainnav a", has_text=entry).click()


def shoot(page: Page, folder: Path, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays on top of the image
    page.screenshot(path=str(folder / name), full_page=True, animations="disabled")


def history_rows(page: Page) -> list[list[str]]:
    """The change history table of a profile: [when, who, what, field, old, new] per row."""
    rows = page.locator("#history table tbody tr")
    return [
        [cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(rows.count())
    ]


def test_find_by_initials_change_mobile_and_see_history(
    zh_page: Page, liuke_server: LiveServer, screenshots: Path
) -> None:
    """Log in, find 张三 by "zs", open the profile, change the mobile, see old → new."""
    page = zh_page
    page.goto(f"{liuke_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("input[name=username]")).to_be_visible()  # logged out: the login page
    shoot(page, screenshots, "login.png")

    log_in(page, liuke_server, liuke_server.owner)
    go_to(page, "客户")
    rows = page.locator("#rows tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 20  # a full first page (张三, created first, is on the second)
    expect(page.locator("#rows")).to_contain_text("唐嫣")
    shoot(page, screenshots, "customers.png")

    # The search box in the top bar: live results (htmx) as one types the initials.
    box = page.locator("#quick-q")
    box.click()
    box.press_sequentially("zs", delay=80)
    hit = page.locator("#quick-results li[role=option] a", has_text="张三")
    expect(hit).to_be_visible()
    expect(page.locator("#quick-results")).to_contain_text("zhangsan")
    shoot(page, screenshots, "search.png")

    hit.click()
    customer_id = liuke_server.customer_id("张三")
    expect(page).to_have_url(f"{liuke_server.url}/customers/{customer_id}/")
    expect(page.locator("h1")).to_contain_text("张三")
    expect(page.locator("dd#mobile")).to_have_text("13812345678")
    before = history_rows(page)
    shoot(page, screenshots, "profile.png")

    page.locator(f"a[href='/customers/{customer_id}/edit/']").click()
    expect(page).to_have_url(f"{liuke_server.url}/customers/{customer_id}/edit/")
    mobile = page.locator("input[name=mobile]")
    expect(mobile).to_have_value("13812345678")
    mobile.fill(NEW_MOBILE)
    shoot(page, screenshots, "edit.png")
    page.locator("form.customer-form button[type=submit]").click()

    expect(page).to_have_url(f"{liuke_server.url}/customers/{customer_id}/")
    expect(page.locator("dd#mobile")).to_have_text(NEW_MOBILE)
    history = history_rows(page)
    added = history[: len(history) - len(before)]
    assert history[len(added) :] == before
    # Only the mobile changed. (A date field the browser cannot read, e.g. "1988/03/15" from
    # the Chinese date format in an <input type=date>, comes back empty and erases the birthday.)
    assert len(added) == 1, f"saving the mobile changed other fields too: {added}"
    when, who, _what, _field, old, new = added[0]
    assert (old, new) == ("13812345678", NEW_MOBILE)
    assert who == "王老板"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", when), when
    shoot(page, screenshots, "history.png")  # the full page: the history is at its foot

    # The search finds the customer by the new number and its last four digits.
    for query in (NEW_MOBILE, "4321"):
        box = page.locator("#quick-q")
        box.fill("")
        box.press_sequentially(query, delay=30)
        expect(page.locator("#quick-results li[role=option]", has_text="张三")).to_be_visible()


def test_invalid_mobile_is_refused_and_nothing_saved(
    en_page: Page, liuke_server: LiveServer
) -> None:
    page = en_page
    log_in(page, liuke_server, liuke_server.front_desk)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    customer_id = liuke_server.customer_id("李娜")
    profile = f"{liuke_server.url}/customers/{customer_id}/"
    page.goto(profile)
    expect(page.locator("dd#mobile")).to_have_text("13712345002")
    before = history_rows(page)

    page.goto(f"{profile}edit/")
    page.locator("input[name=mobile]").fill("12345")
    page.locator("input[name=preferences], textarea[name=preferences]").fill("想试试新项目")
    page.locator("form.customer-form button[type=submit]").click()

    expect(page).to_have_url(f"{profile}edit/")  # the form again, not the profile
    error = page.locator(".field.has-error:has(input[name=mobile]) .error")
    expect(error).to_have_text("Enter a valid mainland China mobile number.")
    expect(page.locator("form.customer-form [role=alert]").first).to_contain_text(
        "Nothing was saved"
    )
    expect(page.locator("input[name=mobile]")).to_have_value("12345")  # kept for correcting

    page.goto(profile)
    expect(page.locator("dd#mobile")).to_have_text("13712345002")
    expect(page.locator("body")).not_to_contain_text("想试试新项目")
    assert history_rows(page) == before


def test_pages_for_the_queues(zh_page: Page, liuke_server: LiveServer, screenshots: Path) -> None:
    page = zh_page
    log_in(page, liuke_server, liuke_server.owner)

    page.goto(f"{liuke_server.url}/customers/to-confirm/")
    stale = page.locator("table tbody tr[id^=stale-]")
    expect(stale.first).to_be_visible()
    for name in ("刘洋", "杨丽", "何炅"):
        expect(page.locator("table tbody")).to_contain_text(name)
    shoot(page, screenshots, "to-confirm.png")

    page.goto(f"{liuke_server.url}/customers/duplicates/")
    sections = page.locator("main section.card")
    expect(sections.filter(has_text="王晓明").filter(has_text="王小明")).to_have_count(1)
    expect(sections.filter(has_text="李娜")).to_have_count(1)
    shoot(page, screenshots, "duplicates.png")

    page.goto(f"{liuke_server.url}/branches/")
    expect(page.locator("main")).to_contain_text("静安店")
    expect(page.locator("main")).to_contain_text("浦东店")


def test_language_switch(zh_page: Page, liuke_server: LiveServer) -> None:
    """Chinese for a zh-CN browser, English after the switch, and back."""
    page = zh_page
    log_in(page, liuke_server, liuke_server.front_desk)
    nav = page.locator("nav.mainnav a").first
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    # the menu is closed: its links have text, not rendered text
    chinese_label = nav.text_content() or ""
    assert CJK.search(chinese_label), f"the navigation is not in Chinese: {chinese_label!r}"

    page.locator(".langswitch select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{liuke_server.url}/today/")
    expect(nav).to_have_text("Today")
    expect(page.locator("#quick-q")).to_have_attribute(
        "placeholder", "Name, pinyin, zs, phone, last 4, card"
    )

    page.locator(".langswitch select").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(nav).to_have_text(chinese_label)
