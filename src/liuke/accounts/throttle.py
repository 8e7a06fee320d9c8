"""Login throttling: failed logins slow down further attempts, per account and per client
address separately, with a back-off that grows instead of a hard lock.

Each failure adds one to two counters, the account's (the username as typed, case-folded,
whether or not it exists) and the client address's (`liuke.core.clientaddr`: the proxy's
X-Forwarded-For only from a trusted proxy). Past a counter's free failures, each failure holds
that counter's next attempt back for `LIUKE_LOGIN_BASE_DELAY` seconds, doubled for every further
failure, up to a ceiling (15 minutes for an account, an hour for an address). Attempts made
while held back are refused unheard (the password is not checked) and do not count, so neither
a patient user nor an attacker can extend the wait by hammering. So:

- guesses at one account from many addresses are slowed by the account's counter;
- guesses at many accounts from one address are slowed by the address's counter;
- nobody locks an account out for long: the wait is bounded, and a browser that has logged in
  to the account before (a signed cookie, OWASP's "device cookie") is not held back by the
  account's counter at all, only by its own address's.

A successful login clears the account's counter (not the address's: logging in to one's own
account must not wash away guesses at others). Counters are forgotten after a quiet
`LIUKE_LOGIN_FORGET_SECONDS`. The rows are in the database, shared by every app server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from liuke.accounts.models import LoginThrottle
from liuke.core.locking import lock_rows

#: The browser's proof of earlier logins: a signed list of keyed hashes of usernames.
DEVICE_COOKIE = "liuke_device"
_DEVICE_SALT = "liuke.accounts.device"
_DEVICE_MAX = 10  # a front-desk tablet shared by a few staff members
_DEVICE_AGE = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class _Rule:
    scope: str
    free: int
    ceiling: int


def _rules() -> tuple[_Rule, _Rule]:
    return (
        _Rule("account", settings.LIUKE_LOGIN_ACCOUNT_FREE, settings.LIUKE_LOGIN_ACCOUNT_MAX_DELAY),
        _Rule("address", settings.LIUKE_LOGIN_ADDRESS_FREE, settings.LIUKE_LOGIN_ADDRESS_MAX_DELAY),
    )


def _key(scope: str, value: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"login|{scope}|{value}".encode(), hashlib.sha256).hexdigest()


def _account(username: str) -> str:
    return _key("account", username.strip().casefold())


def delay_after(failures: int, *, free: int, ceiling: int) -> int:
    """Seconds the next attempt waits after `failures` failures: none while within `free`,
    then the base delay doubled for each failure past it, never more than `ceiling`."""
    if failures < free:
        return 0
    doublings = min(failures - free, 32)  # 2**32 base delays is far past any ceiling
    return int(min(ceiling, settings.LIUKE_LOGIN_BASE_DELAY * 2**doublings))


def _keys(username: str, address: str, *, known_device: bool) -> list[tuple[_Rule, str]]:
    account, by_address = _rules()
    keys = [(by_address, _key("address", address))]
    if not known_device:
        keys.append((account, _account(username)))
    return keys


def wait_seconds(*, username: str, address: str, known_device: bool = False) -> int:
    """How long before a login attempt for `username` from `address` is heard (0: now)."""
    now = timezone.now()
    hashes = [key for _rule, key in _keys(username, address, known_device=known_device)]
    until = [
        blocked
        for blocked in LoginThrottle.objects.filter(
            key_hash__in=hashes, blocked_until__gt=now
        ).values_list("blocked_until", flat=True)
        if blocked is not None
    ]
    return max((math.ceil((t - now).total_seconds()) for t in until), default=0)


@transaction.atomic
def login_failed(*, username: str, address: str) -> None:
    """Count one failure on the account and on the address (both, whatever the cookie: a
    browser's earlier login spares it the account's wait, not the count)."""
    now = timezone.now()
    forget = dt.timedelta(seconds=settings.LIUKE_LOGIN_FORGET_SECONDS)
    keys = list(_keys(username, address, known_device=False))
    for _rule, key in keys:
        LoginThrottle.objects.get_or_create(key_hash=key, defaults={"last_failure_at": now})
    # Both counters locked at once in key order (core.locking), so two failures never deadlock.
    locked = lock_rows(LoginThrottle.objects.filter(key_hash__in=[k for _r, k in keys]), None)
    by_key = {row.key_hash: row for row in locked.values()}
    for rule, key in keys:
        row = by_key[key]
        failures = 1 if now - row.last_failure_at > forget else row.failures + 1
        delay = delay_after(failures, free=rule.free, ceiling=rule.ceiling)
        row.failures = failures
        row.last_failure_at = now
        row.blocked_until = now + dt.timedelta(seconds=delay) if delay else None
        row.save(update_fields=["failures", "last_failure_at", "blocked_until"])


def login_succeeded(*, username: str) -> None:
    LoginThrottle.objects.filter(key_hash=_account(username)).delete()


def purge(*, now: dt.datetime | None = None) -> int:
    """Delete counters quiet for longer than they are remembered (the hourly job)."""
    now = now or timezone.now()
    oldest = now - dt.timedelta(seconds=settings.LIUKE_LOGIN_FORGET_SECONDS)
    deleted, _ = LoginThrottle.objects.filter(last_failure_at__lt=oldest).delete()
    return deleted


def _device_accounts(request: HttpRequest) -> list[str]:
    try:
        value = signing.get_cookie_signer(salt=_DEVICE_SALT).unsign(
            request.COOKIES.get(DEVICE_COOKIE, ""), max_age=_DEVICE_AGE
        )
    except signing.BadSignature:
        return []
    return [part for part in value.split(":") if part][:_DEVICE_MAX]


def known_device(request: HttpRequest, username: str) -> bool:
    """Whether this browser has logged in to the account before (a cookie signed by us)."""
    return _account(username) in _device_accounts(request)


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful login: the browser keeps the account among its known ones."""
    accounts = [a for a in _device_accounts(request) if a != _account(username)]
    accounts = [_account(username), *accounts][:_DEVICE_MAX]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.get_cookie_signer(salt=_DEVICE_SALT).sign(":".join(accounts)),
        max_age=_DEVICE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
