"""The public links of the appointment book: a branch's booking page, the confirmation link
in a reminder, a staff member's calendar feed. Each holds a random token signed for its purpose
(`liuke.core.signed`): a link we did not make is refused before the database is asked, and the
URL names no customer, staff member or row."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.urls import reverse

from liuke.core.signed import SignedTokens
from liuke.core.signed import new_token as new_token

PAGE = SignedTokens("liuke.appointments.page")
CONFIRM = SignedTokens("liuke.appointments.confirm")
FEED = SignedTokens("liuke.appointments.feed")


def token_hash(token: str) -> str:
    """How a confirmation or feed token is stored: its hash only (a copy of the table opens
    nothing)."""
    return hashlib.sha256(token.encode()).hexdigest()


def page_url(token: str) -> str:
    return settings.LIUKE_PUBLIC_URL + reverse("appointments_public:page", args=[PAGE.sign(token)])


def confirm_url(token: str) -> str:
    """The link a reminder carries (`message_links`: the message's token becomes {link})."""
    return settings.LIUKE_PUBLIC_URL + reverse(
        "appointments_public:confirm", args=[CONFIRM.sign(token)]
    )


def feed_url(token: str) -> str:
    return settings.LIUKE_PUBLIC_URL + reverse("appointments_public:feed", args=[FEED.sign(token)])
