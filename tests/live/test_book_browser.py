"""The appointment book in a real browser against the production server, as the front desk
on a tablet-sized screen: book by tapping an empty time (the customer found by "zs"), drag an
appointment to another staff member, see a drag onto a busy staff member refused in words and
put back, open the appointment and mark the customer arrived. Screenshots of the book go into
docs/screenshots/ and the README."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from tests.live.conftest import PYTHON, ROOT, LiveServer
from tests.live.test_browser import browser, log_in, shoot, zh_page  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.e2e]

#: Two more beauticians at 静安店 and two appointments tomorrow at 10:00 (lin's and wu's), made
#: through the services; prints the ids.
SETUP = r"""
import datetime as dt, json, sys
from zoneinfo import ZoneInfo
import django
django.setup()
from django.utils import timezone
from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.appointments import services
from liuke.sales.models import Service

args = json.loads(sys.argv[1])
branch = Branch.objects.get(pk=args["branch"])
owner = User.objects.get(business=branch.business, role=Role.OWNER)
made = {}
for username, name in (("book-wu", "美容师小吴"), ("book-zhao", "美容师小赵")):
    user, _ = User.objects.get_or_create(
        username=username, defaults={"business": branch.business, "role": Role.BEAUTICIAN,
                                     "display_name": name})
    user.branches.add(branch)
    made[username] = user.pk
lin = User.objects.get(username="lin")
made["lin"] = lin.pk
facial = Service.objects.get(business=branch.business, name="深层清洁护理")
zone = ZoneInfo(branch.time_zone)
day = timezone.now().astimezone(zone).date() + dt.timedelta(days=1)
at_ten = dt.datetime.combine(day, dt.time(10), tzinfo=zone)
for staff, customer in ((lin.pk, args["li"]), (made["book-wu"], args["zhou"])):
    services.appointment_book(actor=owner, branch_id=branch.pk, customer_id=customer,
        items=[{"service_id": facial.pk, "staff_id": staff, "start_at": at_ten}])
made["day"] = day.isoformat()
print(json.dumps(made))
"""


def _setup(live: LiveServer) -> dict[str, int | str]:
    args = {
        "branch": live.seed["branches"]["jingan"],
        "li": live.customer_id("李娜"),
        "zhou": live.customer_id("周莎"),
    }
    result = subprocess.run(
        [PYTHON, "-c", SETUP, json.dumps(args)],
        cwd=ROOT, env=live.env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    made: dict[str, int | str] = json.loads(result.stdout.strip().splitlines()[-1])
    return made


def _column(page: Page, staff_id: int | str) -> Locator:
    return page.locator(f'section.book-col[data-staff="{staff_id}"]')


def _drag(page: Page, block: Locator, target: Locator) -> None:
    """Press on the block and move it, in small steps as a finger does, onto the same time of
    the target column."""
    block.wait_for()
    box = block.bounding_box()
    goal = target.locator(".book-body").bounding_box()
    assert box is not None
    assert goal is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + 12
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(goal["x"] + goal["width"] / 2, y, steps=12)
    page.mouse.up()


def test_the_front_desk_runs_the_day_from_the_book(
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
    screenshots: Path,
) -> None:
    made = _setup(liuke_server)
    page = zh_page
    log_in(page, liuke_server, liuke_server.front_desk)
    branch = liuke_server.seed["branches"]["jingan"]
    page.goto(f"{liuke_server.url}/appointments/?branch={branch}&day={made['day']}")
    lin, wu, zhao = (
        _column(page, made["lin"]),
        _column(page, made["book-wu"]),
        _column(page, made["book-zhao"]),
    )
    expect(lin.locator("article", has_text="李娜")).to_be_visible()

    # 1. tap lin's empty 11:30 (the grid starts at 09:00, 1.6 px a minute): the booking form
    lin.locator(".book-body").click(position={"x": 40, "y": 150 * 1.6 + 4})
    dialog = page.locator("#book-dialog")
    expect(dialog.locator("input[name=start_at]")).to_have_value(f"{made['day']}T11:30")
    dialog.locator("input[name=q]").fill("zs")
    dialog.locator("#book-customers label", has_text="张三").locator("input").check()
    dialog.locator("select[name=service_id]").select_option(label="深层清洁护理 · 60′")
    dialog.locator("button.primary").click()
    booked = lin.locator("article", has_text="张三")
    expect(booked).to_contain_text("11:30–12:30")
    expect(page.locator("#book-arrivals")).to_contain_text("张三")  # loaded beside the book
    shoot(page, screenshots, "book-day.png")

    # 2. drag 李娜 from lin to zhao (free at 10:00): saved, the page shows it in zhao's column
    with page.expect_navigation():  # saved: the page reloads with the server's times
        _drag(page, lin.locator("article", has_text="李娜"), zhao)
    expect(zhao.locator("article", has_text="李娜")).to_be_visible()
    expect(lin.locator("article", has_text="李娜")).to_have_count(0)

    # 3. drag it onto wu, busy with 周莎 at 10:00: refused in words, put back in zhao's column
    _drag(page, zhao.locator("article", has_text="李娜"), wu)
    message = page.locator(".book-message")
    expect(message).to_be_visible()
    expect(message).not_to_be_empty()
    expect(zhao.locator("article", has_text="李娜")).to_be_visible()
    expect(wu.locator("article", has_text="李娜")).to_have_count(0)
    shoot(page, screenshots, "book-refused-move.png")

    # 4. tap 张三's appointment: its card; mark her arrived
    booked.click()
    card = dialog.locator("#appt-card")
    expect(card).to_contain_text("张三")
    shoot(page, screenshots, "book-card.png")
    card.locator("button[data-status=arrived]").click()
    expect(lin.locator("article.status-arrived", has_text="张三")).to_be_visible()


def test_a_staff_members_week(
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
) -> None:
    page = zh_page
    log_in(page, liuke_server, liuke_server.front_desk)
    branch = liuke_server.seed["branches"]["jingan"]
    page.goto(f"{liuke_server.url}/appointments/?branch={branch}")
    page.locator("section.book-col h2 a", has_text="美容师小林").click()
    expect(page.locator("section.book-col")).to_have_count(7)
    expect(page).to_have_url(re.compile(r"/appointments/week/\?branch=\d+&staff=\d+&day="))
