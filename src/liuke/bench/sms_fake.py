"""A local stand-in for the Alibaba Cloud and Tencent Cloud SMS APIs (tests and `liuke bench`).

It checks each request's signature the way the providers document it, written here on its own
from the documentation (not with the adapters' code, so a mistake there is caught), refuses a
replayed nonce or a stale timestamp, and answers with the providers' success and error shapes.
What it accepted is kept in `sent`. `script` makes the next requests fail on purpose:
"throttle", "bad_number", "error500", "timeout" (the message is taken, the answer comes too
late), "reset" (taken, the connection dropped). With `dedupe`, a repeated out-id answers the
first send's id and sends nothing (a provider that deduplicates).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclasses.dataclass
class Sent:
    provider: str
    out_id: str
    to: str
    template: str
    params: Any
    provider_id: str


@dataclasses.dataclass
class FakeSms:
    aliyun_keys: dict[str, str] = dataclasses.field(default_factory=dict)
    tencent_keys: dict[str, str] = dataclasses.field(default_factory=dict)
    dedupe: bool = False
    late_seconds: float = 1.5
    sent: list[Sent] = dataclasses.field(default_factory=list)
    script: list[str] = dataclasses.field(default_factory=list)
    requests: int = 0
    url: str = ""
    _nonces: set[str] = dataclasses.field(default_factory=set)
    _by_out: dict[str, str] = dataclasses.field(default_factory=dict)
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    _ids: Iterator[int] = dataclasses.field(default_factory=lambda: itertools.count(1))

    def take(self, provider: str, out_id: str, to: str, template: str, params: Any) -> str:
        with self._lock:
            if self.dedupe and out_id in self._by_out:
                return self._by_out[out_id]
            provider_id = f"{provider[0].upper()}{next(self._ids):08d}"
            self.sent.append(Sent(provider, out_id, to, template, params, provider_id))
            self._by_out[out_id] = provider_id
            return provider_id

    def next_trick(self) -> str:
        with self._lock:
            self.requests += 1
            return self.script.pop(0) if self.script else ""


# --- Alibaba Cloud RPC signature (signature version 1.0) ----------------------------------------


def _pct(text: str) -> str:
    # RFC 3986 percent-encoding, as the documentation spells it out: encode with the form
    # encoder, then undo its three differences
    return (
        urllib.parse.quote_plus(text, encoding="utf-8")
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~")
    )


def aliyun_expected(params: dict[str, str], secret: str, method: str) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    query = "&".join(_pct(k) + "=" + _pct(v) for k, v in pairs)
    string_to_sign = method + "&" + _pct("/") + "&" + _pct(query)
    mac = hmac.new((secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"), "sha1")
    return base64.b64encode(mac.digest()).decode("ascii")


def _aliyun(fake: FakeSms, method: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request_id = f"R{time.monotonic_ns()}"
    for name in ("AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "PhoneNumbers"):
        if not params.get(name):
            return 400, {"Code": "MissingParameter", "Message": name, "RequestId": request_id}
    secret = fake.aliyun_keys.get(params["AccessKeyId"])
    if secret is None:
        return 404, {"Code": "InvalidAccessKeyId.NotFound", "RequestId": request_id}
    if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
        return 400, {"Code": "InvalidParameter", "RequestId": request_id}
    given = params["Signature"]
    if not hmac.compare_digest(given, aliyun_expected(params, secret, method)):
        return 400, {"Code": "SignatureDoesNotMatch", "Message": "sig", "RequestId": request_id}
    stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if abs((datetime.now(UTC) - stamp).total_seconds()) > 900:
        return 400, {"Code": "InvalidTimeStamp.Expired", "RequestId": request_id}
    with fake._lock:
        if params["SignatureNonce"] in fake._nonces:
            return 400, {"Code": "SignatureNonceUsed", "RequestId": request_id}
        fake._nonces.add(params["SignatureNonce"])
    trick = fake.next_trick()
    if trick == "throttle":
        return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}
    if trick == "bad_number":
        return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
    if trick == "error500":
        return 500, {"Code": "", "Message": "boom"}
    biz_id = fake.take(
        "aliyun",
        params.get("OutId", ""),
        params["PhoneNumbers"],
        params.get("TemplateCode", ""),
        json.loads(params.get("TemplateParam") or "{}"),
    )
    if trick in ("timeout", "reset"):
        return -1 if trick == "reset" else -2, {}
    return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}


# --- Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) ------------------------------------------


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tencent_expected(headers: dict[str, str], body: bytes, secret_key: str, signed: str) -> str:
    names = signed.split(";")
    canonical_headers = "".join(f"{n}:{headers.get(n, '').strip().lower()}\n" for n in names)
    canonical_request = f"POST\n/\n\n{canonical_headers}\n{signed}\n{_sha256_hex(body)}"
    stamp = headers["x-tc-timestamp"]
    date = datetime.fromtimestamp(int(stamp), UTC).date().isoformat()
    scope = date + "/sms/tc3_request"
    string_to_sign = f"TC3-HMAC-SHA256\n{stamp}\n{scope}\n{_sha256_hex(canonical_request.encode())}"

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    secret_date = sign(("TC3" + secret_key).encode("utf-8"), date)
    secret_signing = sign(sign(secret_date, "sms"), "tc3_request")
    return hmac.new(secret_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _tencent_error(code: str, message: str = "") -> tuple[int, dict[str, Any]]:
    request_id = f"T{time.monotonic_ns()}"
    return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}


def _tencent(fake: FakeSms, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    auth = headers.get("authorization", "")
    try:
        algorithm, rest = auth.split(" ", 1)
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        secret_id, _date, service, term = parts["Credential"].split("/")
    except (ValueError, KeyError):
        return _tencent_error("AuthFailure.InvalidAuthorization")
    secret_key = fake.tencent_keys.get(secret_id)
    if algorithm != "TC3-HMAC-SHA256" or secret_key is None or service != "sms":
        return _tencent_error("AuthFailure.SecretIdNotFound")
    if abs(time.time() - int(headers.get("x-tc-timestamp", "0"))) > 300:
        return _tencent_error("AuthFailure.SignatureExpire")
    expected = tencent_expected(headers, body, secret_key, parts["SignedHeaders"])
    if term != "tc3_request" or not hmac.compare_digest(parts["Signature"], expected):
        return _tencent_error("AuthFailure.SignatureFailure", "signature mismatch")
    if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
        return _tencent_error("InvalidAction")
    data = json.loads(body)
    trick = fake.next_trick()
    if trick == "throttle":
        return _tencent_error("LimitExceeded.PhoneNumberDailyLimit", "limit")
    if trick == "error500":
        return 500, {}
    number = data["PhoneNumberSet"][0]
    if trick == "bad_number":
        status = {"Code": "InvalidParameterValue.IncorrectPhoneNumber", "PhoneNumber": number}
        return 200, {"Response": {"SendStatusSet": [status], "RequestId": "T1"}}
    serial = fake.take(
        "tencent",
        data.get("SessionContext", ""),
        number,
        data["TemplateId"],
        data["TemplateParamSet"],
    )
    if trick in ("timeout", "reset"):
        return -1 if trick == "reset" else -2, {}
    status = {
        "SerialNo": serial,
        "PhoneNumber": number,
        "Fee": 1,
        "Code": "Ok",
        "Message": "send success",
        "SessionContext": data.get("SessionContext", ""),
    }
    return 200, {"Response": {"SendStatusSet": [status], "RequestId": "T2"}}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeSms

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the requests hold mobiles

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "x-tc-action" in headers:
            status, answer = _tencent(self.fake, headers, body)
        else:
            params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
            status, answer = _aliyun(self.fake, "POST", params)
        if status == -1:
            self.close_connection = True
            return  # taken, and the connection dropped without an answer
        if status == -2:
            time.sleep(self.fake.late_seconds)
            status, answer = 200, {"Code": "OK", "BizId": "late"}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        # the client may have given up waiting (the "timeout" trick)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)


@contextmanager
def fake_sms_server(fake: FakeSms) -> Iterator[FakeSms]:
    """Serve `fake` on a free local port while the block runs (`fake.url` is its address)."""
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
