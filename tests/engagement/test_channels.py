"""The SMS adapters against a local fake provider that checks signatures as documented."""

from __future__ import annotations

import json
import socket

import pytest
from tests.engagement.delivery_helpers import fake_provider

from liuke.bench.sms_fake import fake_sms_server
from liuke.engagement.channels import ChannelError, Outcome, Outgoing
from liuke.engagement.channels.aliyun import AliyunSms
from liuke.engagement.channels.tencent import TencentSms

ALIYUN_KEYS = {"access_key_id": "LTAI-test", "access_key_secret": "aliyun-secret"}
TENCENT_KEYS = {"secret_id": "AKID-test", "secret_key": "tencent-secret"}
TEXT = Outgoing(
    out_id="lk42",
    to="13812345678",
    text="",
    template="SMS_100",
    params={"salutation": "张女士", "date": "3月9日"},
)


def _options(url: str) -> dict[str, object]:
    return {"endpoint": url, "sign_name": "丽颜美容", "sdk_app_id": "1400000001", "timeout": 0.3}


@pytest.mark.parametrize("adapter", [AliyunSms, TencentSms])
def test_a_signed_request_is_accepted_and_sends_the_template(adapter: type) -> None:
    keys = ALIYUN_KEYS if adapter is AliyunSms else TENCENT_KEYS
    with fake_sms_server(fake_provider()) as fake:
        result = adapter(options=_options(fake.url), credentials=keys).send(TEXT)
    assert result.outcome == Outcome.SENT, result.reason
    [sent] = fake.sent
    assert result.provider_id == sent.provider_id
    assert sent.out_id == "lk42"
    assert sent.template == "SMS_100"
    # Alibaba takes the number as it is and the parameters by name; Tencent the number with
    # its country code and the parameters by position (TemplateParamSet)
    expected = (
        ("13812345678", {"salutation": "张女士", "date": "3月9日"})
        if adapter is AliyunSms
        else ("+8613812345678", ["张女士", "3月9日"])
    )
    assert (sent.to, sent.params) == expected


@pytest.mark.parametrize(
    ("adapter", "code"),
    [(AliyunSms, "SignatureDoesNotMatch"), (TencentSms, "AuthFailure.SignatureFailure")],
)
def test_a_wrong_secret_is_refused_by_the_signature_check(adapter: type, code: str) -> None:
    keys = ALIYUN_KEYS if adapter is AliyunSms else TENCENT_KEYS
    wrong = {k: (v + "x" if "secret" in k and k != "secret_id" else v) for k, v in keys.items()}
    with fake_sms_server(fake_provider()) as fake:
        result = adapter(options=_options(fake.url), credentials=wrong).send(TEXT)
    assert result.outcome == Outcome.PERMANENT
    assert result.reason.startswith(code)
    assert fake.sent == []


def test_the_aliyun_fake_checks_every_signed_parameter() -> None:
    """A parameter changed after signing (the template) breaks the signature; a nonce used
    twice is refused (replay)."""
    import datetime as dt

    from liuke.engagement.channels import http

    with fake_sms_server(fake_provider()) as fake:
        adapter = AliyunSms(options=_options(fake.url), credentials=ALIYUN_KEYS)
        params = adapter.request_params(TEXT, now=dt.datetime.now(dt.UTC), nonce="n-1")
        tampered = {**params, "TemplateCode": "SMS_999"}
        assert http.post(fake.url, data=tampered).json()["Code"] == "SignatureDoesNotMatch"
        assert http.post(fake.url, data=params).json()["Code"] == "OK"
        assert http.post(fake.url, data=params).json()["Code"] == "SignatureNonceUsed"
    assert len(fake.sent) == 1


def test_the_tencent_fake_checks_the_signed_body() -> None:
    from liuke.engagement.channels import http

    with fake_sms_server(fake_provider()) as fake:
        adapter = TencentSms(options=_options(fake.url), credentials=TENCENT_KEYS)
        import time

        body, headers = adapter.request(TEXT, timestamp=int(time.time()))
        changed = body.replace(b"13812345678", b"13900000000")
        answer = http.post(fake.url, data=changed, headers=headers).json()["Response"]
        assert answer["Error"]["Code"] == "AuthFailure.SignatureFailure"
        stale, stale_headers = adapter.request(TEXT, timestamp=int(time.time()) - 3600)
        answer = http.post(fake.url, data=stale, headers=stale_headers).json()["Response"]
        assert answer["Error"]["Code"] == "AuthFailure.SignatureExpire"
    assert fake.sent == []


@pytest.mark.parametrize("adapter", [AliyunSms, TencentSms])
@pytest.mark.parametrize(
    ("trick", "outcome", "sent"),
    [
        ("throttle", Outcome.TEMPORARY, 0),
        ("bad_number", Outcome.PERMANENT, 0),
        ("error500", Outcome.UNKNOWN, 0),
        ("timeout", Outcome.UNKNOWN, 1),
        ("reset", Outcome.UNKNOWN, 1),
    ],
)
def test_provider_errors_become_outcomes(
    adapter: type, trick: str, outcome: Outcome, sent: int
) -> None:
    keys = ALIYUN_KEYS if adapter is AliyunSms else TENCENT_KEYS
    with fake_sms_server(fake_provider()) as fake:
        fake.script.append(trick)
        result = adapter(options=_options(fake.url), credentials=keys).send(TEXT)
    assert result.outcome == outcome
    assert len(fake.sent) == sent
    assert "13812345678" not in result.reason  # the reason is kept: never the number


def test_a_refused_connection_is_temporary() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    adapter = AliyunSms(options=_options(f"http://127.0.0.1:{port}/"), credentials=ALIYUN_KEYS)
    assert adapter.send(TEXT).outcome == Outcome.TEMPORARY


def test_reports_and_replies_are_read_in_each_providers_shape() -> None:
    aliyun = AliyunSms(options={}, credentials={})
    [ok, failed] = aliyun.receipts(
        json.dumps(
            [
                {"phone_number": "13812345678", "success": True, "err_code": "DELIVERED",
                 "biz_id": "B1", "out_id": "lk7", "report_time": "2026-03-02 10:00:00"},
                {"phone_number": "13812345678", "success": False, "err_code": "MK:0001",
                 "biz_id": "B2", "out_id": "lk8"},
            ]
        ).encode()
    )  # fmt: skip
    assert (ok.delivered, ok.out_id, ok.provider_id) == (True, "lk7", "B1")
    assert (failed.delivered, failed.reason) == (False, "MK:0001")
    [reply] = aliyun.inbound(
        json.dumps([{"phone_number": "13812345678", "content": "退订", "sign_name": "x"}]).encode()
    )
    assert (reply.mobile, reply.text) == ("13812345678", "退订")
    tencent = TencentSms(options={}, credentials={})
    [report] = tencent.receipts(
        json.dumps([{"sid": "S1", "report_status": "FAIL", "errmsg": "MN:0001",
                     "mobile": "13812345678", "nationcode": "86"}]).encode()
    )  # fmt: skip
    assert (report.delivered, report.provider_id, report.reason) == (False, "S1", "MN:0001")
    [reply] = tencent.inbound(
        json.dumps({"mobile": "13812345678", "nationcode": "86", "text": "TD"}).encode()
    )
    assert reply.text == "TD"
    with pytest.raises(ChannelError):
        tencent.receipts(b"not json")
    assert "secret" not in repr(AliyunSms(options={}, credentials=ALIYUN_KEYS))
