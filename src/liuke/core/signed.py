"""Opaque links: a random token signed with the secret key, for pages reached without a login
(a survey answer, a suggestion box, a staff member's invitation).

A link holds `<token>.<signature>`: 22 random URL-safe characters (128 bits, from `secrets`)
and an HMAC of them under the secret key with a purpose salt (django.core.signing), so a token
made for one purpose is refused by another. Nothing in it says whom or which row it names. A
link whose signature does not match is refused before the database is asked, so altered or
guessed links cost nothing and say nothing; a well-signed one is still checked against its row
(expiry, single use) by the app that made it.
"""

from __future__ import annotations

import secrets

from django.core import signing

#: The longest signed token we accept (22 + 1 + 43); anything longer is refused unread.
MAX_SIGNED = 80


def new_token() -> str:
    return secrets.token_urlsafe(16)


class SignedTokens:
    """Signs and checks the tokens of one purpose (`salt`, e.g. "liuke.feedback.survey")."""

    def __init__(self, salt: str) -> None:
        self._signer = signing.Signer(salt=salt, sep=".")

    def sign(self, token: str) -> str:
        return self._signer.sign(token)

    def unsign(self, signed: str) -> str | None:
        """The token inside a link, or None when the link was not made by us for this purpose."""
        if not signed or len(signed) > MAX_SIGNED or not signed.isascii():
            return None
        try:
            return self._signer.unsign(signed)
        except signing.BadSignature:
            return None
