"""What the SMS adapters share: their options, and reading the providers' webhook bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from liuke.engagement.channels import ChannelError, Inbound
from liuke.engagement.channels.http import TIMEOUT


class SmsAdapter:
    """Options common to the SMS providers (`ChannelAccount.options`): endpoint, region, sign
    name, `dedupes_out_id`, `rate_per_second`, `timeout` (seconds to wait for an answer)."""

    name = ""
    default_endpoint = ""
    default_region = ""
    reply_fields = ("mobile", "text")
    answer: dict[str, Any] = {}

    def __init__(self, *, options: Mapping[str, Any], credentials: Mapping[str, str]) -> None:
        self.endpoint = str(options.get("endpoint") or self.default_endpoint)
        self.region = str(options.get("region") or self.default_region)
        self.sign_name = str(options.get("sign_name") or "")
        self.dedupes_out_id = bool(options.get("dedupes_out_id", False))
        self.rate_per_second = float(options.get("rate_per_second") or 50)
        self.timeout = (TIMEOUT[0], float(options.get("timeout") or TIMEOUT[1]))
        self._credentials = dict(credentials)

    def inbound(self, body: bytes) -> list[Inbound]:
        mobile, text = self.reply_fields
        return [
            Inbound(mobile=str(item.get(mobile) or ""), text=str(item.get(text) or ""))
            for item in json_list(body)
        ]

    def webhook_answer(self) -> dict[str, Any]:
        return dict(self.answer)

    def __repr__(self) -> str:
        # never the secrets, whatever logs the object
        return f"{type(self).__name__}(endpoint={self.endpoint!r})"


def json_list(body: bytes) -> list[dict[str, Any]]:
    """A webhook body: a JSON list of objects (one object is a list of one)."""
    try:
        data = json.loads(body)
    except ValueError:
        raise ChannelError("not JSON") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ChannelError("not a list of reports")
    return data
