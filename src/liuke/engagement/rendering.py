"""Message text from its template: placeholders {name}, {first_name}, {branch}, {date},
{detail} (a card's balance in yuan, a package's sessions left, what changed after feedback),
{link} (a survey's public answer link)."""

from __future__ import annotations

from typing import Any

from liuke.core.money import format_yuan
from liuke.engagement.choices import MessageKind
from liuke.engagement.models import Message, MessageTemplate


class _Safe(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(message: Message, template: MessageTemplate | None, language: str = "zh") -> str:
    if template is None:
        return ""
    body = template.body_en if language.startswith("en") and template.body_en else template.body_zh
    detail = message.detail
    if message.kind == MessageKind.CARD_EXPIRY and detail.lstrip("-").isdigit():
        detail = format_yuan(int(detail), symbol=True)
    link = ""
    if message.kind == MessageKind.SURVEY and detail:
        # The survey's opaque token is in `detail`; the feedback app signs it into the link.
        from liuke.feedback.links import survey_url

        link, detail = survey_url(detail), ""
    values = _Safe(
        name=message.customer.name,
        first_name=message.customer.first_name,
        branch=message.branch.name,
        date=message.occasion_on.strftime("%Y-%m-%d"),
        detail=detail,
        link=link,
    )
    return body.format_map(values)
