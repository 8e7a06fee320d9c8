"""One-time code messages: queued with the number for the channel only, handed over by the
dispatch to a channel that sends codes, blanked once handed over or expired."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from tests.engagement.delivery_helpers import TEMPLATES, sms_business

from liuke.accounts.models import Branch
from liuke.engagement import dispatch
from liuke.engagement.choices import MessageStatus
from liuke.engagement.models import CodeMessage
from liuke.engagement.services import codes

pytestmark = pytest.mark.django_db


def _send(branch: Branch, **more: Any) -> CodeMessage:
    return codes.code_send(
        business_id=branch.business_id, branch_id=branch.pk, mobile="+86 139 1234 5678",
        text="验证码 123456", **more,
    )  # fmt: skip


def test_without_a_code_channel_the_code_waits_then_expires(branch_a: Branch) -> None:
    row = _send(branch_a)
    assert (row.mobile, row.mobile_last4) == ("13912345678", "5678")
    assert row.mobile_hash == codes.mobile_hash("13912345678")
    assert dispatch.dispatch()["codes_handed"] == 0
    row.refresh_from_db()
    assert row.status == MessageStatus.QUEUED
    CodeMessage.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert dispatch.dispatch()["codes_expired"] == 1
    row.refresh_from_db()
    assert (row.status, row.mobile, row.text) == (MessageStatus.CANCELLED, "", "")
    assert row.mobile_last4 == "5678"


def test_the_business_sms_account_gets_the_number_and_the_text_once(branch_a: Branch) -> None:
    """Through the same adapter as every message: a local fake of Alibaba Cloud's SMS API that
    checks each request's signature."""
    templates: dict[str, Any] = {str(kind): spec for kind, spec in TEMPLATES.items()}
    templates[codes.CODE_TEMPLATE] = {"id": "SMS_300", "params": ["text"]}
    with sms_business(branch_a.business_id, templates=templates) as (fake, _account):
        row = _send(branch_a)
        assert dispatch.dispatch(enqueue=lambda ids: None)["codes_handed"] == 1
        assert dispatch.dispatch(enqueue=lambda ids: None)["codes_handed"] == 0
    assert [(s.to, s.template) for s in fake.sent] == [("13912345678", "SMS_300")]
    assert "验证码 123456" in str(fake.sent[0].params)
    row.refresh_from_db()
    assert (row.status, row.mobile, row.text) == (MessageStatus.SENT, "", "")
