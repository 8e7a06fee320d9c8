"""Public links: a random token signed with the secret key.

The URL holds `<token>.<signature>`: 22 random URL-safe characters (128 bits, from `secrets`)
and an HMAC of them under the secret key with a purpose salt (django.core.signing). Nothing in
it says who the customer is or which row it names. A link whose signature does not match is
refused before the database is asked, so altered or guessed links cost nothing and say
nothing; a well-signed one is still checked against its row (expiry, single use).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SURVEY = signing.Signer(salt="liuke.feedback.survey", sep=".")
_BOX = signing.Signer(salt="liuke.feedback.box", sep=".")
#: The longest signed token we accept (22 + 1 + 43); anything longer is refused unread.
MAX_SIGNED = 80


def new_token() -> str:
    return secrets.token_urlsafe(16)


def sign_survey(token: str) -> str:
    return _SURVEY.sign(token)


def unsign_survey(signed: str) -> str | None:
    """The token inside a survey link, or None when the link was not made by us."""
    return _unsign(_SURVEY, signed)


def sign_box(token: str) -> str:
    return _BOX.sign(token)


def unsign_box(signed: str) -> str | None:
    return _unsign(_BOX, signed)


def _unsign(signer: signing.Signer, signed: str) -> str | None:
    if not signed or len(signed) > MAX_SIGNED or not signed.isascii():
        return None
    try:
        return signer.unsign(signed)
    except signing.BadSignature:
        return None


def survey_path(token: str) -> str:
    return reverse("feedback_public:survey", args=[sign_survey(token)])


def survey_url(token: str) -> str:
    """The absolute answer link for a survey token (for the message the customer gets)."""
    return settings.LIUKE_PUBLIC_URL + survey_path(token)


def box_path(token: str) -> str:
    return reverse("feedback_public:box", args=[sign_box(token)])


def box_url(token: str) -> str:
    return settings.LIUKE_PUBLIC_URL + box_path(token)
