"""Tencent Cloud SMS (腾讯云短信): SendSms of API 3.0 (version 2021-01-11), signed with
TC3-HMAC-SHA256 (`signing.tc3_authorization`); our out-id travels as SessionContext. Status
reports and replies arrive by the console's callback URLs, which carry no signature: the
webhook's URL holds a secret token (`ChannelAccount.hook_token_sha256`). Reports name the
message by its SerialNo (`sid`), which the send recorded.

Tencent documents no deduplication on SessionContext, so `dedupes_out_id` is False unless the
account's options say otherwise (see `aliyun` for what that means).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from liuke.engagement.channels import (
    ChannelError,
    Outcome,
    Outgoing,
    Receipt,
    SendResult,
    http,
)
from liuke.engagement.channels.base import SmsAdapter, json_list
from liuke.engagement.channels.signing import tc3_authorization

ENDPOINT = "https://sms.tencentcloudapi.com/"
VERSION = "2021-01-11"
CONTENT_TYPE = "application/json; charset=utf-8"
TEMPORARY_PREFIXES = ("LimitExceeded", "RequestLimitExceeded", "InternalError")


class TencentSms(SmsAdapter):
    name = "tencent"
    default_endpoint = ENDPOINT
    #: a reply's fields (mobile, text), the answer a webhook expects
    reply_fields = ("mobile", "text")
    answer: dict[str, Any] = {"result": 0, "errmsg": "OK"}
    default_region = "ap-guangzhou"

    def __init__(self, *, options: Mapping[str, Any], credentials: Mapping[str, str]) -> None:
        super().__init__(options=options, credentials=credentials)
        self.host = urlsplit(self.endpoint).netloc
        self.app_id = str(options.get("sdk_app_id") or "")

    def request(self, outgoing: Outgoing, *, timestamp: int) -> tuple[bytes, dict[str, str]]:
        """The body and headers of one signed SendSms request."""
        to = outgoing.to if outgoing.to.startswith("+") else f"+86{outgoing.to}"
        body = json.dumps(
            {
                "PhoneNumberSet": [to],
                "SmsSdkAppId": self.app_id,
                "SignName": self.sign_name,
                "TemplateId": outgoing.template,
                "TemplateParamSet": [str(v) for v in outgoing.params.values()],
                "SessionContext": outgoing.out_id,
            },
            ensure_ascii=False,
        ).encode()
        headers = {
            "Content-Type": CONTENT_TYPE,
            "Host": self.host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
            "Authorization": tc3_authorization(
                secret_id=self._credentials.get("secret_id", ""),
                secret_key=self._credentials.get("secret_key", ""),
                service="sms",
                host=self.host,
                action="SendSms",
                body=body,
                timestamp=timestamp,
                content_type=CONTENT_TYPE,
            ),
        }
        return body, headers

    def send(self, outgoing: Outgoing) -> SendResult:
        body, headers = self.request(outgoing, timestamp=int(time.time()))
        try:
            response = http.post(self.endpoint, data=body, headers=headers, timeout=self.timeout)
        except http.Failed as failed:
            return SendResult(failed.outcome, reason=failed.reason)
        try:
            answer = response.json().get("Response") or {}
        except (ValueError, AttributeError):
            answer = {}
        error = answer.get("Error")
        if isinstance(error, dict):
            return _failure(str(error.get("Code") or ""), str(error.get("Message") or ""))
        statuses = answer.get("SendStatusSet") or []
        if not statuses:
            outcome = Outcome.UNKNOWN if response.status_code >= 500 else Outcome.PERMANENT
            return SendResult(outcome, reason=f"{response.status_code}: no status")
        status = statuses[0]
        code = str(status.get("Code") or "")
        if code == "Ok":
            return SendResult(Outcome.SENT, provider_id=str(status.get("SerialNo") or ""))
        return _failure(code, str(status.get("Message") or ""))

    def receipts(self, body: bytes) -> list[Receipt]:
        out = []
        for item in json_list(body):
            sid = str(item.get("sid") or "")
            if not sid:
                raise ChannelError("a report without sid")
            delivered = item.get("report_status") == "SUCCESS"
            out.append(
                Receipt(
                    key=f"{sid}:{int(delivered)}",
                    delivered=delivered,
                    provider_id=sid,
                    reason="" if delivered else str(item.get("errmsg") or "")[:60],
                )
            )
        return out


def _failure(code: str, message: str) -> SendResult:
    reason = f"{code}: {message[:120]}"
    if code.startswith(TEMPORARY_PREFIXES):
        return SendResult(Outcome.TEMPORARY, reason=reason)
    return SendResult(Outcome.PERMANENT, reason=reason)
