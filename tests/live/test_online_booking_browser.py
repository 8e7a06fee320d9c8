"""Online booking in a real browser at a phone's width (390 px) against the production server:
a new customer opens 静安店's public booking page without logging in, picks a service and a
free time, proves her mobile with the one-time code (read, as the SMS would carry it, from the
queued code message), books, moves the booking to another time and cancels it. She sees none
of the salon's other customers. Screenshots: docs/screenshots/online-booking-times.png,
online-booking-code.png and online-booking-mine.png."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tests.live.conftest import PYTHON, ROOT, LiveServer
from tests.live.test_browser import browser, shoot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.live, pytest.mark.e2e]

PHONE = {"width": 390, "height": 844}
MOBILE = "13955556666"

#: The owner of 丽颜美容 works 09:00-21:00 every day at 静安店 and performs a new facial;
#: online booking is switched on; prints the booking page's path.
SETUP = r"""
import datetime as dt
import json

import django

django.setup()

from liuke.accounts.models import Branch, User
from liuke.appointments.models import BookingSettings
from liuke.appointments.public import links
from liuke.appointments.services import settings as booking_settings
from liuke.rosters import services as rosters
from liuke.sales.models import Service

owner = User.objects.get(username="owner")
branch = Branch.objects.get(business_id=owner.business_id, name="静安店")
service = Service.objects.create(
    business_id=owner.business_id, category="facial", name="在线补水护理", duration_min=60,
    price_fen=19800,
)
for weekday in range(7):
    rosters.roster_day_set(actor=owner, staff_id=owner.pk, branch_id=branch.pk, weekday=weekday,
                           work=[(dt.time(9), dt.time(21))])
BookingSettings.objects.update_or_create(
    business_id=owner.business_id,
    defaults={"online_enabled": True, "online_min_notice_hours": 0, "cancel_notice_hours": 2},
)
page = booking_settings.online_page_ensure(actor=owner, branch_id=branch.pk)
print(json.dumps({"path": "/book/" + links.PAGE.sign(page.token) + "/", "service": service.pk}))
"""

#: The newest one-time code's text, as the SMS gateway would receive it.
CODE = r"""
import django

django.setup()

from liuke.engagement.models import CodeMessage

print(CodeMessage.objects.order_by("-pk").values_list("text", flat=True).first())
"""


def _run(live: LiveServer, script: str) -> str:
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=live.env, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_customer_books_moves_and_cancels_on_a_phone(
    browser: Browser,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    setup = json.loads(_run(liuke_server, SETUP))
    context = browser.new_context(locale="zh-CN", viewport=PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    phone = context.new_page()
    phone.goto(liuke_server.url + setup["path"])
    expect(phone.locator("#online-booking h1")).to_contain_text("静安店")
    phone.locator("select[name=service]").select_option(str(setup["service"]))
    day = phone.locator("select[name=day] option").nth(1)  # tomorrow: the whole day is open
    phone.locator("select[name=day]").select_option(day.get_attribute("value") or "")
    times = phone.locator("#times .times button")
    expect(times.first).to_have_text("09:00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, screenshots, "online-booking-times.png")
    times.nth(4).click()  # 10:00
    phone.locator("input[name=name]").fill("林晓")
    phone.locator("input[name=mobile]").fill(MOBILE)
    phone.locator("#details button[type=submit]").click()
    expect(phone.locator("#code-form")).to_contain_text("139****6666")
    text = _run(liuke_server, CODE)
    code = re.search(r"\b(\d{6})\b", text)
    assert code, text
    phone.locator("input[name=code]").fill(code.group(1))
    shoot(phone, screenshots, "online-booking-code.png")
    phone.locator("#code-form button[type=submit]").click()
    expect(phone.locator("#booked-note")).to_contain_text("预约成功")
    booked = phone.locator("#mine .booked")
    expect(booked).to_have_count(1)
    expect(booked).to_contain_text("10:00")
    expect(booked).to_contain_text("在线补水护理")
    expect(phone.locator("body")).not_to_contain_text("张三")
    shoot(phone, screenshots, "online-booking-mine.png")

    # move it to 11:30 the same day
    booked.locator("a", has_text="改时间").click()
    expect(phone.locator("#online-booking .chosen")).to_be_visible()
    phone.locator("#times .times button", has_text="11:30").click()
    expect(phone.locator("#mine .booked")).to_contain_text("11:30")

    # and cancel it
    phone.locator("#mine .booked button[value=cancel]").click()
    expect(phone.locator("#no-bookings")).to_be_visible()
    context.close()
    assert liuke_server.new_errors() == []
