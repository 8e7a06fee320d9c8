"""A business sending SMS through a local fake provider, and messages to send."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test import override_settings

from liuke.bench.sms_fake import FakeSms, fake_sms_server
from liuke.customers.models import Customer
from liuke.engagement import delivery, dispatch
from liuke.engagement.channels.config import hook_token_digest
from liuke.engagement.choices import MessageKind
from liuke.engagement.delivery_models import ChannelAccount, DeliverySettings
from liuke.engagement.models import Message, MessageTemplate

CREDENTIALS = {
    "aliyun-test": {"access_key_id": "LTAI-test", "access_key_secret": "aliyun-secret"},
    "tencent-test": {"secret_id": "AKID-test", "secret_key": "tencent-secret"},
}
HOOK_TOKEN = "hook-token-0123456789abcdef"
TEMPLATES = {
    MessageKind.REBOOKING: {"id": "SMS_100", "params": ["salutation", "date"]},
    MessageKind.BIRTHDAY: {"id": "SMS_200", "params": ["salutation", "optout"]},
}


def fake_provider(*, dedupe: bool = False) -> FakeSms:
    return FakeSms(
        aliyun_keys={"LTAI-test": "aliyun-secret"},
        tencent_keys={"AKID-test": "tencent-secret"},
        dedupe=dedupe,
        late_seconds=0.6,
    )


@contextmanager
def sms_business(
    business_id: int, *, provider: str = "aliyun", dedupe: bool = False, **options: Any
) -> Iterator[tuple[FakeSms, ChannelAccount]]:
    """The business sends by SMS through `provider`, served by a local fake."""
    fake = fake_provider(dedupe=dedupe)
    with fake_sms_server(fake), override_settings(CHANNEL_CREDENTIALS=CREDENTIALS):
        account = ChannelAccount.objects.create(
            business_id=business_id,
            channel="sms",
            provider=provider,
            options={
                "endpoint": fake.url,
                "sign_name": "丽颜美容",
                "sdk_app_id": "1400000001",
                "templates": TEMPLATES,
                "rate_per_second": 10_000,
                "timeout": 0.3,
                "dedupes_out_id": dedupe,
                **options,
            },
            credentials_key=f"{provider}-test",
            hook_token_sha256=hook_token_digest(HOOK_TOKEN),
        )
        DeliverySettings.objects.update_or_create(
            business_id=business_id, defaults={"channel": "sms"}
        )
        yield fake, account


def message_make(
    customer: Customer,
    *,
    kind: str = MessageKind.REBOOKING,
    marketing: bool = False,
    key: str = "k1",
) -> Message:
    MessageTemplate.objects.get_or_create(
        business_id=customer.business_id, kind=kind, defaults={"body_zh": "{salutation}您好"}
    )
    return Message.objects.create(
        business_id=customer.business_id,
        branch_id=customer.branch_id,
        customer=customer,
        kind=kind,
        key=key,
        is_marketing=marketing,
        occasion_on=dt.date(2026, 3, 3),
    )


def run_dispatch() -> dict[str, int]:
    """The dispatch job with its delivery jobs run here, at once."""
    return dispatch.dispatch(enqueue=delivery.deliver)
