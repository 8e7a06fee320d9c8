"""A business's channel, built from its `ChannelAccount` and its secrets.

Secrets live in `settings.CHANNEL_CREDENTIALS` (name → {key: value}), which the settings read
from the JSON file named by `LIUKE_CHANNEL_CREDENTIALS_FILE`; an account names its entry
(`credentials_key`). So the database never holds a provider's secret, and a copy of the database
cannot send in the salon's name.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings

from liuke.engagement.channels import Channel
from liuke.engagement.channels.aliyun import AliyunSms
from liuke.engagement.channels.email import EmailChannel
from liuke.engagement.channels.outbox import OutboxChannel
from liuke.engagement.channels.tencent import TencentSms
from liuke.engagement.delivery_models import ChannelAccount, Provider

#: provider → the class that speaks its API
PROVIDERS: dict[str, Callable[..., Channel]] = {
    Provider.OUTBOX: OutboxChannel,
    Provider.ALIYUN: AliyunSms,
    Provider.TENCENT: TencentSms,
    Provider.SMTP: EmailChannel,
}
OUTBOX = "outbox"


def credentials(key: str) -> Mapping[str, str]:
    table: Mapping[str, Mapping[str, str]] = getattr(settings, "CHANNEL_CREDENTIALS", {}) or {}
    if not key:
        return {}
    try:
        return table[key]
    except KeyError:
        raise LookupError(f"no channel credentials named {key!r} in the settings") from None


def channel_of(account: ChannelAccount) -> Channel:
    return PROVIDERS[account.provider](
        options=account.options or {}, credentials=credentials(account.credentials_key)
    )


def account_for(business_id: int, channel: str) -> ChannelAccount | None:
    if channel == OUTBOX:
        return None
    return ChannelAccount.objects.filter(
        business_id=business_id, channel=channel, is_active=True
    ).first()


def hook_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hook_token_new(account: ChannelAccount) -> str:
    """A new webhook URL token for the account (the old one stops working); returned once, to
    be given to the provider's console, and kept only as its digest."""
    token = secrets.token_urlsafe(24)
    account.hook_token_sha256 = hook_token_digest(token)
    account.save(update_fields=["hook_token_sha256", "updated_at"])
    return token


def account_by_hook_token(token: str) -> ChannelAccount | None:
    """The account whose webhook URL carries `token` (only the token's digest is stored)."""
    if len(token) < 20:
        return None
    digest = hook_token_digest(token)
    account = ChannelAccount.objects.filter(hook_token_sha256=digest, is_active=True).first()
    if account is None or not hmac.compare_digest(account.hook_token_sha256 or "", digest):
        return None
    return account


def template_of(account: ChannelAccount | None, kind: str) -> tuple[str, list[str]]:
    """The provider's template id for a message kind and the names of its parameters, in the
    order the provider numbers them (options: {"templates": {kind: {"id": …, "params": […]}}})."""
    if account is None:
        return "", []
    spec: Any = (account.options or {}).get("templates", {}).get(kind) or {}
    return str(spec.get("id") or ""), [str(p) for p in spec.get("params") or []]
