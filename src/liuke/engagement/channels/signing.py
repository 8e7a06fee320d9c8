"""Request signing of the two SMS providers, as their API documentation describes it.

Alibaba Cloud RPC APIs (signature version 1.0): the parameters sorted by name, each name and
value percent-encoded (RFC 3986: unreserved characters kept, space as %20, `*` as %2A, `~`
kept), joined with `&`; the string to sign is `METHOD&%2F&` + the encoded canonical query;
the signature is Base64(HMAC-SHA1(secret + "&", string to sign)).

Tencent Cloud API 3.0 (TC3-HMAC-SHA256): a canonical request (method, `/`, query, the signed
headers in lower case, their names, the hex SHA-256 of the body), a string to sign
("TC3-HMAC-SHA256", timestamp, `date/service/tc3_request`, the hex SHA-256 of the canonical
request) and a key derived by HMAC-SHA256 chained over "TC3" + secret, the UTC date, the
service and "tc3_request".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote


def aliyun_encode(value: str) -> str:
    return quote(value, safe="-_.~")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{aliyun_encode(k)}={aliyun_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{aliyun_encode('/')}&{aliyun_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _hmac256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    action: str,
    body: bytes,
    timestamp: int,
    content_type: str = "application/json; charset=utf-8",
) -> str:
    """The `Authorization` header of a TC3-HMAC-SHA256 signed POST."""
    signed_headers = "content-type;host;x-tc-action"
    canonical_headers = f"content-type:{content_type}\nhost:{host}\nx-tc-action:{action.lower()}\n"
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            canonical_headers,
            signed_headers,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    date = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
