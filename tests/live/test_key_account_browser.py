"""A key account in real browsers: the owner registers 沈若兰 as a key account in her own care;
the front desk sees only her minimal card, asks to borrow the file with a reason; the owner
approves; the front desk then reads the file (allergies first) on borrowed access. The
screenshots key-card.png, key-access.png, privacy.png and settings.png come from here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tests.live.conftest import LiveServer
from tests.live.test_browser import browser, log_in, new_context, shoot  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.e2e]


def test_borrowing_a_key_accounts_file(
    browser: Browser,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    owner_ctx = new_context(browser, "zh-CN")
    front_ctx = new_context(browser, "zh-CN")
    owner, front = owner_ctx.new_page(), front_ctx.new_page()
    blocked: list[str] = []
    for page in (owner, front):
        page.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
    try:
        # the owner registers her, a key account in the owner's own care
        log_in(owner, liuke_server, liuke_server.owner)
        owner.goto(f"{liuke_server.url}/customers/new/")
        owner.locator("input[name=name]").fill("沈若兰")
        owner.locator("input[name=mobile]").fill("13933334444")
        owner.locator("textarea[name=allergies]").fill("青霉素过敏")
        owner.locator("textarea[name=confidential_notes]").fill("董事长夫人，不谈价格")
        owner.locator("input[name=is_key_account]").check()
        me = owner.locator("select[name=owner_id] option", has_text="王老板").get_attribute("value")
        owner.locator("select[name=owner_id]").select_option(me)
        owner.locator("form.customer-form button[type=submit]").click()
        expect(owner).to_have_url(re.compile(r"/customers/\d+/$"))
        profile = owner.url

        # the front desk sees the minimal card only
        log_in(front, liuke_server, liuke_server.front_desk)
        front.goto(profile)
        card = front.locator("#key-account-card")
        expect(card).to_be_visible()
        expect(front.locator("#mobile")).to_have_text("139****4444")
        expect(front.locator("main")).not_to_contain_text("青霉素过敏")
        expect(front.locator("main")).not_to_contain_text("董事长夫人")
        front.locator("#reason").fill("今天下午代王老板接待她做面部护理")
        front.locator("form.stack button[type=submit]").click()
        expect(front.locator("#request-pending")).to_be_visible()
        shoot(front, screenshots, "key-card.png")

        # the owner approves on the key-account page
        owner.goto(f"{liuke_server.url}/customers/access/")
        row = owner.locator("#grants tbody tr", has_text="沈若兰")
        expect(row).to_contain_text("今天下午代王老板接待她做面部护理")
        shoot(owner, screenshots, "key-access.png")
        row.locator("button.primary").click()
        expect(owner.locator("#grants")).not_to_contain_text("沈若兰")

        # the front desk now reads the file, allergies first, on borrowed access
        front.goto(profile)
        expect(front.locator(".alert.danger")).to_contain_text("青霉素过敏")
        expect(front.locator("#mobile")).to_have_text("13933334444")
        expect(front.locator("main")).not_to_contain_text("董事长夫人")  # still confidential
        expect(front.locator(".alert.warn").first).to_be_visible()

        # the owner's data-rights page and settings
        owner.goto(profile.rstrip("/") + "/privacy/")
        expect(owner.locator("#export-button")).to_be_visible()
        shoot(owner, screenshots, "privacy.png")
        owner.goto(f"{liuke_server.url}/account/settings/")
        expect(owner.locator("input[name=grant_hours]")).to_have_value("24")
        shoot(owner, screenshots, "settings.png")
        assert blocked == []
    finally:
        owner_ctx.close()
        front_ctx.close()
