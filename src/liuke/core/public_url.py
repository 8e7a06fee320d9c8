"""The public address customers' links point at (`LIUKE_PUBLIC_URL`): whether it is one only
this machine can reach, and the deploy check that refuses such an address in production."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(url: str) -> bool:
    """True when the address names this machine only (127.0.0.1, localhost, ::1, 0.0.0.0): a
    customer's phone cannot open a link to it."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def public_url() -> str:
    return str(settings.LIUKE_PUBLIC_URL)


@register(Tags.security, deploy=True)
def public_url_reachable(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy`: links in messages and the suggestion box's QR code must reach the
    salon's customers."""
    if not is_loopback(public_url()):
        return []
    return [
        Error(
            f"LIUKE_PUBLIC_URL is {public_url()!r}, an address only this machine can reach: "
            "survey links, the suggestion box's QR code and staff invitations would not open.",
            hint="Set LIUKE_PUBLIC_URL to the address customers reach, e.g. https://salon.example.com",
            id="liuke.core.E001",
        )
    ]
