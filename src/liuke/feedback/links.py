"""Public links of the feedback app: a survey's answer link and a branch's suggestion box.

Each is an opaque token signed with the secret key for its purpose (`liuke.core.signed`): the
URL names neither the customer nor the row, and a link that was not made by us is refused
before the database is asked; a well-signed one is still checked against its row (expiry,
single use).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from liuke.core.signed import SignedTokens
from liuke.core.signed import new_token as new_token

_SURVEY = SignedTokens("liuke.feedback.survey")
_BOX = SignedTokens("liuke.feedback.box")


def sign_survey(token: str) -> str:
    return _SURVEY.sign(token)


def unsign_survey(signed: str) -> str | None:
    """The token inside a survey link, or None when the link was not made by us."""
    return _SURVEY.unsign(signed)


def sign_box(token: str) -> str:
    return _BOX.sign(token)


def unsign_box(signed: str) -> str | None:
    return _BOX.unsign(signed)


def survey_path(token: str) -> str:
    return reverse("feedback_public:survey", args=[sign_survey(token)])


def survey_url(token: str) -> str:
    """The absolute answer link for a survey token (for the message the customer gets)."""
    return settings.LIUKE_PUBLIC_URL + survey_path(token)


def box_path(token: str) -> str:
    return reverse("feedback_public:box", args=[sign_box(token)])


def box_url(token: str) -> str:
    return settings.LIUKE_PUBLIC_URL + box_path(token)
