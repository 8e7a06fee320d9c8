"""Alibaba Cloud SMS (阿里云短信): SendSms over the RPC API (version 2017-05-25), signed with
HMAC-SHA1 (`signing.aliyun_signature`); delivery reports and replies by the console's "HTTP batch
push" (SmsReport, SmsUp), which carry no signature: the webhook's URL holds a secret token
(`ChannelAccount.hook_token_sha256`).

Alibaba documents that SMS sending is not idempotent: OutId is echoed in the delivery report
but a repeated request sends again. So `dedupes_out_id` is False and an attempt whose outcome
is unknown is settled by its report, never by sending again (`liuke.engagement.delivery`).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from liuke.engagement.channels import (
    ChannelError,
    Outcome,
    Outgoing,
    Receipt,
    SendResult,
    http,
)
from liuke.engagement.channels.base import SmsAdapter, json_list
from liuke.engagement.channels.signing import aliyun_signature

ENDPOINT = "https://dysmsapi.aliyuncs.com/"
VERSION = "2017-05-25"
#: error codes that mean "not now" (flow control, the service busy): sent again later
TEMPORARY_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "Throttling.User",
        "Throttling",
        "ServiceUnavailable",
        "InternalError",
        "isp.SYSTEM_ERROR",
        "isp.RAM_PERMISSION_DENY",
    }
)


class AliyunSms(SmsAdapter):
    name = "aliyun"
    default_endpoint = ENDPOINT
    #: a reply's fields (mobile, text), the answer a webhook expects
    reply_fields = ("phone_number", "content")
    answer: dict[str, Any] = {"code": 0, "msg": "接收成功"}
    default_region = "cn-hangzhou"

    def request_params(self, outgoing: Outgoing, *, now: dt.datetime, nonce: str) -> dict[str, str]:
        params = {
            "AccessKeyId": self._credentials.get("access_key_id", ""),
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce,
            "SignatureVersion": "1.0",
            "Timestamp": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": VERSION,
            "PhoneNumbers": outgoing.to,
            "SignName": self.sign_name,
            "TemplateCode": outgoing.template,
            "TemplateParam": json.dumps(dict(outgoing.params), ensure_ascii=False),
            "OutId": outgoing.out_id,
        }
        params["Signature"] = aliyun_signature(
            params, self._credentials.get("access_key_secret", "")
        )
        return params

    def send(self, outgoing: Outgoing) -> SendResult:
        params = self.request_params(outgoing, now=dt.datetime.now(dt.UTC), nonce=str(uuid.uuid4()))
        try:
            response = http.post(self.endpoint, data=params, timeout=self.timeout)
        except http.Failed as failed:
            return SendResult(failed.outcome, reason=failed.reason)
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        code = str(answer.get("Code") or "")
        if code == "OK":
            return SendResult(Outcome.SENT, provider_id=str(answer.get("BizId") or ""))
        reason = f"{code or response.status_code}: {str(answer.get('Message') or '')[:120]}"
        if not code and response.status_code >= 500:
            return SendResult(Outcome.UNKNOWN, reason=reason)
        if code in TEMPORARY_CODES or response.status_code in (429, 503):
            return SendResult(Outcome.TEMPORARY, reason=reason)
        return SendResult(Outcome.PERMANENT, reason=reason)

    def receipts(self, body: bytes) -> list[Receipt]:
        out = []
        for item in json_list(body):
            biz_id, out_id = str(item.get("biz_id") or ""), str(item.get("out_id") or "")
            if not (biz_id or out_id):
                raise ChannelError("a report without biz_id or out_id")
            delivered = item.get("success") is True
            out.append(
                Receipt(
                    key=f"{biz_id}:{out_id}:{int(delivered)}",
                    delivered=delivered,
                    out_id=out_id,
                    provider_id=biz_id,
                    reason="" if delivered else f"{item.get('err_code') or ''}"[:60],
                )
            )
        return out
