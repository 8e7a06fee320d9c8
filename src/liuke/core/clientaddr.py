"""The client's address of a request, read only from a proxy this deployment trusts.

`REMOTE_ADDR` is the immediate peer. Behind nginx that is nginx, and the client's address is in
`X-Forwarded-For`, a header any client can also send itself. So the header is read only when the
peer is one of `LIUKE_TRUSTED_PROXIES` (addresses or networks): then the hops are read from the
right (the last one was appended by our proxy), skipping further trusted proxies, and the first
one that is not a trusted proxy is the client. Anything else (no trusted proxy configured, a
peer that is not one, a hop that is not an address) falls back to `REMOTE_ADDR`: a forged
header from a client that reaches the app directly is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    networks: tuple[Network, ...] = settings.LIUKE_TRUSTED_PROXIES
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address as this deployment can vouch for it (see the module's text)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if not _trusted(_address(remote)):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            return remote  # a malformed hop: nothing to its left can be vouched for
        if not _trusted(address):
            return str(address)
    return remote
