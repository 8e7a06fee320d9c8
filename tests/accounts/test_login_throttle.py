"""Login throttling: failures are counted per account and per client address separately, with
a wait that doubles instead of a hard lock; the client's address is read from X-Forwarded-For
only when the request comes from a configured trusted proxy."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.test.utils import override_settings

from liuke.accounts.models import LoginThrottle, User
from liuke.accounts.throttle import delay_after
from liuke.core.clientaddr import client_address

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-2026"


def _try(client: Client, username: str, password: str = "wrong", **meta: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **meta)


@pytest.fixture
def front(front_a: User) -> User:
    front_a.set_password(PASSWORD)
    front_a.save()
    return front_a


def test_guesses_at_many_usernames_from_one_address_are_slowed(front: User) -> None:
    client = Client()
    for n in range(20):  # the address's free failures, each at a different name
        assert _try(client, f"guess{n}", REMOTE_ADDR="203.0.113.7").status_code == 200
    held = _try(client, "guess20", REMOTE_ADDR="203.0.113.7")
    assert held.status_code == 429
    assert 20 <= int(held["Retry-After"]) <= 30  # the first wait, less the time since
    # ... even for a real user with the right password, from that address
    assert _try(client, "front_a", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429
    # ... while the same user from another address is not held up
    assert _try(Client(), "front_a", PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 302


def test_guesses_at_one_username_from_many_addresses_are_slowed(front: User) -> None:
    for n in range(5):  # the account's free failures, each from another address
        assert _try(Client(), "front_a", REMOTE_ADDR=f"198.51.100.{n}").status_code == 200
    late = Client()
    held = _try(late, "FRONT_A", PASSWORD, REMOTE_ADDR="198.51.100.99")  # any spelling
    assert held.status_code == 429
    assert _try(late, "front_a", PASSWORD, REMOTE_ADDR="198.51.100.99").status_code == 429
    assert "_auth_user_id" not in late.session
    # another account from those addresses is not affected
    assert _try(Client(), "someone", REMOTE_ADDR="198.51.100.1").status_code == 200


def test_the_wait_doubles_is_bounded_and_then_the_right_password_works(front: User) -> None:
    client = Client()
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as clock:
        for _ in range(5):
            _try(client, "front_a")
        waits = [int(_try(client, "front_a", PASSWORD)["Retry-After"])]
        for _ in range(8):
            # tries made while held back are refused unheard and do not count
            assert _try(client, "front_a")["Retry-After"] == str(waits[-1])
            clock.shift(waits[-1] + 1)
            assert _try(client, "front_a").status_code == 200  # heard, wrong
            waits.append(int(_try(client, "front_a", PASSWORD)["Retry-After"]))
        assert waits == [30, 60, 120, 240, 480, 900, 900, 900, 900]
        clock.shift(901)
        assert _try(client, "front_a", PASSWORD).status_code == 302
    # the success cleared the account's count; the address's stays (13 of its 20 free)
    assert list(LoginThrottle.objects.values_list("failures", flat=True)) == [13]


def test_delay_schedule() -> None:
    assert [delay_after(n, free=5, ceiling=900) for n in (1, 4, 5, 6, 7, 9, 10, 60)] == [
        0, 0, 30, 60, 120, 480, 900, 900,
    ]  # fmt: skip


def test_a_browser_that_logged_in_before_is_not_locked_out_by_guesses_elsewhere(
    front: User,
) -> None:
    tablet = Client()
    assert _try(tablet, "front_a", PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 302
    tablet.post("/logout/")
    for n in range(8):  # someone guesses at her password from elsewhere
        _try(Client(), "front_a", REMOTE_ADDR=f"198.51.100.{n}")
    assert _try(Client(), "front_a", PASSWORD, REMOTE_ADDR="192.0.2.11").status_code == 429
    # a forged cookie does not help
    stranger = Client()
    stranger.cookies["liuke_device"] = "forged"
    assert _try(stranger, "front_a", PASSWORD, REMOTE_ADDR="192.0.2.12").status_code == 429
    # her own tablet, which logged in to her account before, is heard at once
    assert _try(tablet, "front_a", PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 302


def test_a_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(front: User) -> None:
    client = Client()
    for n in range(20):  # a new "address" each time, but straight from one peer
        response = _try(client, f"guess{n}", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1")
        assert response.status_code == 200
    assert _try(client, "x", HTTP_X_FORWARDED_FOR="10.9.99.1").status_code == 429


@override_settings(LIUKE_TRUSTED_PROXIES=(ipaddress.ip_network("127.0.0.1/32"),))
def test_behind_a_trusted_proxy_each_client_counts_on_its_own(front: User) -> None:
    client = Client()  # the test client's peer is 127.0.0.1: here, the proxy
    for n in range(25):
        assert _try(client, f"guess{n}", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1").status_code == 200
    for n in range(20):
        _try(client, f"more{n}", HTTP_X_FORWARDED_FOR="10.9.200.1")
    assert _try(client, "y", HTTP_X_FORWARDED_FOR="10.9.200.1").status_code == 429
    assert _try(client, "front_a", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.201.1").status_code == 302


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.5", "10.0.0.1", "", "203.0.113.5"),  # no proxy configured
        ("203.0.113.5", "10.0.0.1", "127.0.0.1", "203.0.113.5"),  # the peer is not the proxy
        ("127.0.0.1", "10.0.0.1", "127.0.0.1", "10.0.0.1"),
        ("127.0.0.1", "6.6.6.6, 10.0.0.1", "127.0.0.1", "10.0.0.1"),  # the hop just before
        ("127.0.0.1", "10.0.0.1, 172.16.0.9", "127.0.0.1, 172.16.0.0/12", "10.0.0.1"),  # chain
        ("127.0.0.1", "not-an-ip", "127.0.0.1", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1", "127.0.0.1"),
        ("::1", "2001:db8::7", "::1", "2001:db8::7"),
    ],
)
def test_client_address(peer: str, forwarded: str, trusted: str, expected: str) -> None:
    networks = tuple(ipaddress.ip_network(p.strip()) for p in trusted.split(",") if p.strip())
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(LIUKE_TRUSTED_PROXIES=networks):
        assert client_address(request) == expected


def test_the_audit_log_records_the_address_the_same_way(owner_client: Client, owner: User) -> None:
    from tests.factories import customer_make

    from liuke.audit.models import AuditEvent

    customer = customer_make(actor=owner, name="林小雨")
    forged = {"X-Forwarded-For": "10.1.2.3"}
    owner_client.get(f"/customers/{customer.pk}/", headers=forged)
    assert AuditEvent.objects.latest("seq").client_ip == "127.0.0.1"  # no proxy trusted
    with override_settings(LIUKE_TRUSTED_PROXIES=(ipaddress.ip_network("127.0.0.1/32"),)):
        owner_client.get(f"/customers/{customer.pk}/", headers=forged)
    assert AuditEvent.objects.latest("seq").client_ip == "10.1.2.3"
