"""Each message's state, channel and reason on the customer's profile and the messages page."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from tests.engagement.delivery_helpers import message_make, run_dispatch, sms_business
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.engagement import delivery
from liuke.engagement.choices import MessageKind, MessageStatus

MORNING = dt.datetime(2026, 3, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_the_profile_and_the_messages_page_show_each_messages_state(
    owner: User,
    branch_a: Branch,
    front_a_client: Client,
    front_b_client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delivery, "CONCURRENCY", 1)  # the fake's script answers in order
    customer = customer_make(actor=owner, branch=branch_a, mobile="13812345678")
    sent = message_make(customer, kind=MessageKind.REBOOKING, key="r")
    failed = message_make(customer, kind=MessageKind.CARD_EXPIRY, key="c")
    with time_machine.travel(MORNING), sms_business(customer.business_id) as (fake, _a):
        fake.script.append("")  # the first goes through
        fake.script.append("bad_number")
        run_dispatch()
    sent.refresh_from_db()
    failed.refresh_from_db()
    assert (sent.status, failed.status) == (MessageStatus.SENT, MessageStatus.FAILED)
    profile = front_a_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert f'id="cmsg-{sent.pk}" data-status="sent"' in profile
    assert f'id="cmsg-{failed.pk}" data-status="failed"' in profile
    assert "isv.MOBILE_NUMBER_ILLEGAL" in profile  # the reason of the failure
    assert "Rebooking reminder" in profile or "预约提醒" in profile  # why it was sent
    page = front_a_client.get(reverse("engagement:outbox") + "?status=failed").content.decode()
    assert f'id="msg-{failed.pk}"' in page
    assert f'id="msg-{sent.pk}"' not in page
    other = front_b_client.get(reverse("engagement:outbox") + "?status=failed").content.decode()
    assert f'id="msg-{failed.pk}"' not in other  # another branch's front desk
