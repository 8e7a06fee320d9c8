"""A checkout in a real browser against the production server: 张三 has a facial paid by a
session of his package and a massage paid from his stored-value card (member price), the live
quote shows the figures, and the profile then shows one session and the money fewer. The
screenshots docs/screenshots/checkout.png and daily-close.png come from here."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.live.conftest import LiveServer
from tests.live.test_browser import browser, log_in, shoot, zh_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.live, pytest.mark.e2e]


def _sales(live: LiveServer) -> dict[str, Any]:
    sales: dict[str, Any] = live.seed["sales"]
    return sales


def _card_balance(page: Page, number: str) -> str:
    row = page.locator("#cards tbody tr", has_text=number)
    return row.locator("td.card-balance").inner_text().strip()


def _package_left(page: Page, name: str) -> str:
    row = page.locator("#packages tbody tr", has_text=name)
    return row.locator("td.package-remaining").inner_text().strip()


def test_checkout_with_a_package_session_and_stored_value(
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    page = zh_page
    # The strict Content-Security-Policy must not block anything the pages need.
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    seed = _sales(liuke_server)
    facial = seed["services"]["深层清洁护理"]
    massage = seed["services"]["肩颈舒缓按摩"]
    log_in(page, liuke_server, liuke_server.front_desk)

    customer_id = liuke_server.customer_id("张三")
    profile = f"{liuke_server.url}/customers/{customer_id}/"
    page.goto(profile)
    expect(page.locator("h1")).to_contain_text("张三")
    balance_before = _card_balance(page, "JA-VIP-0001")
    left_before = _package_left(page, "深层清洁10次卡")
    assert balance_before == "1,200.00"  # ¥1,000 paid + ¥200 bonus
    assert left_before.startswith("10 /")

    page.locator("#checkout-button").click()
    expect(page).to_have_url(re.compile(rf"/sales/checkout/\?customer={customer_id}$"))

    rows = page.locator("#lines .line-row")
    # rows come and go with the (data-attribute driven) buttons
    count = rows.count()
    page.locator("#add-line").click()
    expect(rows).to_have_count(count + 1)
    rows.nth(count).locator("button.remove").click()
    expect(rows).to_have_count(count)
    # line 1: the facial, by the beautician, paid with a session of the package
    rows.nth(0).locator("select[name=line_item]").select_option(f"s:{facial}")
    rows.nth(0).locator("select[name=line_staff]").select_option(str(seed["beautician"]))
    rows.nth(0).locator("select[name=line_package]").select_option(str(seed["package"]))
    # line 2: the massage at the 金卡 member price (88% of ¥198.00 = ¥174.24)
    rows.nth(1).locator("select[name=line_item]").select_option(f"s:{massage}")
    rows.nth(1).locator("select[name=line_staff]").select_option(str(seed["beautician"]))
    # the package covers facials only: it is not offered for the massage
    package_option = f"select[name=line_package] option[value='{seed['package']}']"
    expect(rows.nth(1).locator(package_option)).to_be_disabled()
    expect(rows.nth(0).locator(package_option)).to_be_enabled()
    page.locator("select[name=member_card_id]").select_option(str(seed["card"]))

    quote = page.locator("#quote")
    expect(quote.locator("#quote-total")).to_have_text("¥174.24")
    expect(quote.locator("#quote-remaining")).to_have_text("174.24")
    expect(quote).to_contain_text("深层清洁10次卡")

    # Picking the card fills in what is still due (no more than its balance), and the quote
    # then has nothing left to pay.
    pay = page.locator("#payments .pay-row").first
    pay.locator("select[name=pay_method]").select_option(f"card:{seed['card']}")
    expect(pay.locator("input[name=pay_amount]")).to_have_value("174.24")
    expect(quote.locator("#quote-remaining")).to_have_text("0.00")
    # Split: 100.00 on the card, the rest filled in on the second row when WeChat Pay is picked.
    pay.locator("input[name=pay_amount]").fill("100")
    expect(quote.locator("#quote-remaining")).to_have_text("74.24")
    second = page.locator("#payments .pay-row").nth(1)
    second.locator("select[name=pay_method]").select_option("wechat")
    expect(second.locator("input[name=pay_amount]")).to_have_value("74.24")
    expect(quote.locator("#quote-remaining")).to_have_text("0.00")
    # Back to the card paying it all, as the rest of the test expects.
    second.locator("button.remove").click()
    pay.locator("input[name=pay_amount]").fill("174.24")
    expect(quote.locator("#quote-remaining")).to_have_text("0.00")
    # a next visit is at most two years ahead (liuke.core.inputs.PlannedMoment)
    next_year = dt.date.today().year + 1
    page.locator("input[name=next_visit_at]").fill(f"{next_year}-01-15T15:00")
    page.locator("input[name=next_visit_at]").blur()
    shoot(page, screenshots, "checkout.png")

    page.locator("#checkout-submit").click()
    # The checkout ends on the receipt, ready to print; the visit is one click away.
    expect(page).to_have_url(re.compile(r"/sales/visits/\d+/receipt/$"))
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("深层清洁护理")
    expect(receipt).to_contain_text("JA-VIP-0001")
    expect(page.locator("#receipt-total")).to_have_text("174.24")
    shoot(page, screenshots, "receipt.png")
    page.locator("#receipt-back").click()
    expect(page).to_have_url(re.compile(r"/sales/visits/\d+/$"))
    lines = page.locator("#visit-lines")
    expect(lines).to_contain_text("深层清洁护理")
    expect(lines).to_contain_text("肩颈舒缓按摩")
    expect(page.locator("#visit-total")).to_have_text("174.24")

    page.goto(profile)
    assert _card_balance(page, "JA-VIP-0001") == "1,025.76"
    assert _package_left(page, "深层清洁10次卡").startswith("9 /")
    expect(page.locator("#visits tbody tr").first).to_contain_text("174.24")

    # The day's close at 静安店 shows the visit, the stored value and the session used.
    page.goto(
        f"{liuke_server.url}/sales/daily-close/?branch={liuke_server.seed['branches']['jingan']}"
    )
    expect(page.locator("main")).to_contain_text("174.24")
    shoot(page, screenshots, "daily-close.png")
    assert blocked == []
