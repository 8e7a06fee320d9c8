"""A brand-new salon, from `liuke createowner` to its first customer's receipt, through the pages
only, in a real browser against the production server:

1. the owner adds a second branch and invites two staff (a beautician and a front desk);
2. sets up the menu: a category and a service with its price and clean-up time, a card tier
   (金卡, 88 % of list, 80 % on facials) with a top-up bonus rule (充1000送200), and a package
   template;
3. registers a customer, issues her a 金卡 card, tops it up (the bonus rule applies) and sells
   her the template's package;
4. sets the beauticians' commission plan (10 % of services);
5. checks her out: a facial paid with a package session, a second facial at the member price
   paid from the card; the receipt shows both and prints; the consumption notice is queued in
   the outbox; the beautician's monthly commission statement shows the visit's commission.

The screenshots of the setup pages (staff, menu, tiers, templates, commission plans) and of this
receipt and statement go into docs/screenshots/ and the README's "Setting up a salon" section.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from tests.live.conftest import PYTHON, ROOT, LiveServer
from tests.live.test_browser import browser, log_in, shoot, zh_page  # noqa: F401
from tests.live.test_setup_browser import _invite

pytestmark = [pytest.mark.live, pytest.mark.e2e]

OWNER = ("jiayi", "Jia-yi-mei-rong-2026!")


def _createowner(live: LiveServer) -> None:
    result = subprocess.run(
        [
            PYTHON, "-m", "liuke.cli", "createowner",
            "--username", OWNER[0], "--password", OWNER[1],
            "--business", "佳怡美容", "--branch", "徐家汇店",
        ],
        cwd=ROOT, env=live.env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _pick(select: Locator, text: str) -> None:
    """Choose the option whose text holds `text` (labels carry more: a tier's percentage, a
    template's sessions and price, a card's balance)."""
    value = select.locator("option", has_text=text).first.get_attribute("value")
    assert value, f"no option {text!r}"
    select.select_option(value)


def _open(page: Page, form: str) -> Locator:
    """A form folded in a <details> of the profile, unfolded."""
    page.locator(f"details:has({form}) > summary").click()
    return page.locator(form)


def _branch_and_staff(page: Page, live: LiveServer, screenshots: Path) -> None:
    page.goto(f"{live.url}/account/branches/")
    add = page.locator("#branch-add")
    add.locator("input[name=name]").fill("静安寺店")
    add.locator("input[name=address]").fill("上海市静安区南京西路 1699 号")
    add.locator("input[name=phone]").fill("021-62470000")
    add.locator("button[type=submit]").click()
    expect(page.locator("#branches tbody tr")).to_have_count(2)
    page.goto(f"{live.url}/account/staff/")
    _invite(page, "小琳", ("mobile", "139 1234 5678"), "beautician", branches=2)
    _invite(page, "小周", ("email", "zhou@example.cn"), "front_desk", branches=1)
    page.reload()
    expect(page.locator("#staff tbody tr")).to_have_count(3)
    shoot(page, screenshots, "setup-staff.png")


def _menu(page: Page, live: LiveServer, screenshots: Path) -> None:
    page.goto(f"{live.url}/sales/catalogue/")
    expect(page.locator("#categories td.empty")).to_have_count(1)  # every list starts empty
    # the new category's boxes sit in the table's last row, under the headings
    category = page.locator("#category-new")
    category.locator("input[name=name]").fill("面部护理")
    category.locator("select[name=kind]").select_option("facial")
    category.locator("button[type=submit]").click()
    expect(page.locator("#categories tr[id^=category-]")).to_have_count(1)
    service = page.locator("#services > form")
    service.locator("input[name=name]").fill("补水保湿护理")
    service.locator("input[name=duration_min]").fill("75")
    service.locator("input[name=cleanup_min]").fill("10")
    service.locator("input[name=price]").fill("398")
    service.locator("button[type=submit]").click()
    # the service's own page opens; the menu lists it at its price
    expect(page).to_have_url(re.compile(r"/sales/catalogue/services/\d+/$"))
    page.goto(f"{live.url}/sales/catalogue/")
    expect(page.locator("#services tbody tr")).to_have_count(1)
    expect(page.locator("#services")).to_contain_text("398.00")
    shoot(page, screenshots, "setup-menu.png")

    page.goto(f"{live.url}/sales/catalogue/tiers/")
    tier = page.locator("#tiers > form")
    tier.locator("input[name=name]").fill("金卡")
    tier.locator("input[name=discount_pct]").fill("88")
    tier.locator("input[name^=pct_]").first.fill("80")
    tier.locator("input[name=min_topup]").fill("1000")
    tier.locator("input[name=validity_months]").fill("24")
    tier.locator("button[type=submit]").click()
    expect(page.locator("#tiers tr[id^=tier-]")).to_have_count(1)
    rule = page.locator("#rules > form")
    rule.locator("input[name=pay]").fill("1000")
    rule.locator("input[name=bonus]").fill("200")
    rule.locator("button[type=submit]").click()
    expect(page.locator("#rules tr[id^=rule-]")).to_have_count(1)
    expect(page.locator("#rules tr[id^=rule-] input[name=bonus]")).to_have_value("200.00")
    shoot(page, screenshots, "setup-tiers.png")

    page.goto(f"{live.url}/sales/catalogue/templates/")
    template = page.locator("#new-template form")
    template.locator("input[name=name]").fill("补水保湿护理10次")
    template.locator("input[name=sessions]").fill("10")
    template.locator("input[name=price]").fill("3280")
    template.locator("input[name=service_ids]").first.check()
    template.locator("button[type=submit]").click()
    expect(page.locator("section[id^=template-]")).to_have_count(1)
    shoot(page, screenshots, "setup-templates.png")


def _commission_plan(page: Page, live: LiveServer, screenshots: Path) -> None:
    """The beauticians' plan: 10 % of the services they perform (提成)."""
    page.goto(f"{live.url}/sales/commissions/plans/")
    plan = page.locator("#new-plan form")
    plan.locator("input[name=name]").fill("美容师提成")
    plan.locator("select[name=role]").select_option("beautician")
    plan.locator("input[name=service_pct]").fill("10")
    plan.locator("button[type=submit]").click()
    expect(page.locator("section[id^=plan-]")).to_have_count(1)
    expect(page.locator("section[id^=plan-] input[name=service_pct]")).to_have_value("10")
    shoot(page, screenshots, "setup-commission-plans.png")


def _commission_statement(page: Page, live: LiveServer, screenshots: Path) -> None:
    """小琳's month: 10 % of the package session's value (¥3,280 / 10 = ¥328.00 → ¥32.80) and
    of the facial paid from the card (¥318.40 → ¥31.84): ¥64.64."""
    page.goto(f"{live.url}/sales/commissions/")
    row = page.locator("#statements tbody tr", has_text="小琳")
    expect(row).to_contain_text("64.64")
    row.locator("a", has_text="小琳").click()
    expect(page).to_have_url(re.compile(r"/sales/commissions/staff/\d+/\?month="))
    expect(page.locator("#statement-total")).to_have_text("64.64")
    lines = page.locator("#lines tbody tr")
    expect(lines).to_have_count(2)
    expect(page.locator("#lines")).to_contain_text("32.80")
    expect(page.locator("#lines")).to_contain_text("31.84")
    shoot(page, screenshots, "setup-commission-statement.png")


def _customer_with_card_and_package(page: Page, live: LiveServer) -> str:
    page.goto(f"{live.url}/customers/new/")
    page.locator("input[name=name]").fill("顾晓雯")
    page.locator("input[name=mobile]").fill("13812345678")
    page.locator("form.customer-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    profile = page.url
    issue = _open(page, "form[action$='/cards/']")
    issue.locator("input[name=number]").fill("JY0001")
    _pick(issue.locator("select[name=tier_id]"), "金卡")
    issue.locator("button[type=submit]").click()
    cards = page.locator("#cards")
    expect(cards).to_contain_text("JY0001")
    topup = page.locator("form.topup").first
    topup.locator("input[name=amount]").fill("1000")
    topup.locator("select[name=method]").select_option("wechat")
    topup.locator("button[type=submit]").click()
    # ¥1,000 paid + ¥200 from the bonus rule
    expect(page.locator("#cards td.card-balance").first).to_have_text("1,200.00")
    sell = _open(page, "form[action$='/packages/']")
    _pick(sell.locator("select[name=template_id]"), "补水保湿护理10次")
    sell.locator("select[name=method]").select_option("alipay")
    sell.locator("button[type=submit]").click()
    expect(page.locator("#packages td.package-remaining").first).to_contain_text("10")
    return profile


def _checkout(page: Page, live: LiveServer, profile: str) -> None:
    page.goto(profile)
    page.locator("#checkout-button").click()
    expect(page).to_have_url(re.compile(r"/sales/checkout/\?customer=\d+$"))
    rows = page.locator("#lines .line-row")
    if rows.count() < 2:
        page.locator("#add-line").click()
    expect(rows).to_have_count(2)
    for row in (rows.nth(0), rows.nth(1)):
        _pick(row.locator("select[name=line_item]"), "补水保湿护理")
        # the staff list is the branch's staff who perform the service, loaded as it is picked
        expect(row.locator("select[name=line_staff] option", has_text="小琳")).to_have_count(1)
        _pick(row.locator("select[name=line_staff]"), "小琳")
    _pick(rows.nth(0).locator("select[name=line_package]"), "补水保湿护理10次")
    _pick(page.locator("select[name=member_card_id]"), "JY0001")
    quote = page.locator("#quote")
    # the second facial at the tier's facial price: 80 % of ¥398.00
    expect(quote.locator("#quote-total")).to_have_text("¥318.40")
    pay = page.locator("#payments .pay-row").first
    _pick(pay.locator("select[name=pay_method]"), "JY0001")
    expect(pay.locator("input[name=pay_amount]")).to_have_value("318.40")
    expect(quote.locator("#quote-remaining")).to_have_text("0.00")
    page.locator("#checkout-submit").click()
    expect(page).to_have_url(re.compile(r"/sales/visits/\d+/receipt/$"))


def _receipt_prints(page: Page, screenshots: Path) -> None:
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("佳怡美容")
    expect(receipt).to_contain_text("补水保湿护理")
    expect(page.locator("#receipt-total")).to_have_text("318.40")
    expect(receipt).to_contain_text("JY0001")  # the card's deduction and what is left
    expect(receipt).to_contain_text("881.60")  # ¥1,200.00 − ¥318.40
    package = receipt.locator("tr", has_text="补水保湿护理10次")
    expect(package).to_contain_text(re.compile(r"1\D+9"))  # the package: 1 used, 9 left
    shoot(page, screenshots, "setup-receipt.png")
    # Print: the button calls the browser's print; on paper only the receipt shows.
    # (a function: evaluating an expression that ends in one would call it)
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    expect(page.locator(".receipt-tools")).to_be_hidden()
    expect(receipt).to_be_visible()
    page.emulate_media(media="screen")


def _notice_queued(page: Page, live: LiveServer) -> None:
    found = 0
    for status in ("queued", "ready"):
        page.goto(f"{live.url}/engagement/outbox/?status={status}")
        found += page.locator("#outbox tbody tr", has_text="顾晓雯").count()
    assert found >= 1, "the consumption notice is in the outbox"


def test_a_new_salon_is_set_up_and_checks_out_its_first_customer(
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    _createowner(liuke_server)
    page = zh_page
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, liuke_server, OWNER)
    _branch_and_staff(page, liuke_server, screenshots)
    _menu(page, liuke_server, screenshots)
    _commission_plan(page, liuke_server, screenshots)
    profile = _customer_with_card_and_package(page, liuke_server)
    _checkout(page, liuke_server, profile)
    _receipt_prints(page, screenshots)
    _notice_queued(page, liuke_server)
    _commission_statement(page, liuke_server, screenshots)
    assert blocked == []
    assert liuke_server.new_errors() == []
