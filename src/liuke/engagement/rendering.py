"""Message text from its template: placeholders {name}, {first_name}, {salutation} (张女士),
{branch}, {date} (12月14日),
{detail} (a card's balance in yuan, a package's sessions left, what changed after feedback, an
appointment's time), {link} (a survey's public answer link, an appointment's confirmation
link), {optout} (the link that stops marketing). A consumption notice's {detail} is written from
its figures in the template's language (`consumption_detail`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from liuke.core.money import format_yuan
from liuke.core.registry import import_dotted, registry
from liuke.engagement.choices import MessageKind
from liuke.engagement.delivery_optout import link_token
from liuke.engagement.models import Message, MessageTemplate


def consumption_figures(
    deducted_fen: int | None, balance_fen: int | None, used: int | None, left: int | None
) -> str:
    """A consumption notice's figures as its `detail` ("deducted|balance|used|left", a part
    empty when no card or no package was used): the text is written when it is sent, in the
    template's language."""
    return "|".join("" if v is None else str(v) for v in (deducted_fen, balance_fen, used, left))


def consumption_detail(figures: str, *, english: bool) -> str:
    parts = ([*figures.split("|"), "", "", "", ""])[:4]
    deducted, balance, used, left = (int(p) if p.lstrip("-").isdigit() else None for p in parts)
    said: list[str] = []
    if deducted is not None and balance is not None:
        amount, rest = format_yuan(deducted, symbol=True), format_yuan(balance, symbol=True)
        said.append(
            f"{amount} deducted from your stored-value card, {rest} left"
            if english
            else f"储值卡扣款{amount}，余额{rest}"
        )
    if used is not None and left is not None:
        said.append(
            f"{used} package session(s) used, {left} left"
            if english
            else f"疗程卡使用{used}次，剩余{left}次"
        )
    return ("; " if english else "；").join(said)


def _day(day: dt.date, *, english: bool) -> str:
    """A day as a message says it: 12月14日 (December 14 in English); the year only when it is
    not this year's (a reminder written in December about January)."""
    this_year = day.year == timezone.localdate().year
    if english:
        return f"{day:%B} {day.day}" + ("" if this_year else f", {day.year}")
    return ("" if this_year else f"{day.year}年") + f"{day.month}月{day.day}日"


class _Safe(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@functools.cache
def _message_links() -> dict[str, Callable[[str], str]]:
    """Message kind → the function that makes its public link, from every app's contribution;
    collected once per process (the outbox renders every message through it)."""
    links: dict[str, Callable[[str], str]] = {}
    for _label, table in registry.each("message_links"):
        links.update({kind: import_dotted(target) for kind, target in table.items()})
    return links


def values(message: Message, *, english: bool = False, optout: bool = False) -> dict[str, str]:
    """The placeholders' values for one message: what a template's text is filled with, and
    what an SMS provider's approved template gets as its parameters (the opt-out link only
    when asked for: it is signed per message)."""
    detail = message.detail
    if message.kind == MessageKind.CARD_EXPIRY and detail.lstrip("-").isdigit():
        detail = format_yuan(int(detail), symbol=True)
    if message.kind == MessageKind.CONSUMPTION:
        detail = consumption_detail(detail, english=english)
    link = ""
    link_of = _message_links().get(message.kind)
    if link_of is not None and detail:
        # The message's opaque token is in `detail`; the app that owns the link signs it (the
        # feedback app's survey answer link, contributed through the registry). What follows a
        # "|" is the detail the text shows beside the link (an appointment's time).
        token, _sep, shown = detail.partition("|")
        link, detail = (link_of(token) if token else ""), shown
    return {
        "name": message.customer.name,
        "first_name": message.customer.first_name,
        "salutation": message.customer.salutation,
        "branch": message.branch.name,
        "date": _day(message.occasion_on, english=english),
        "detail": detail,
        "link": link,
        "optout": optout_url(message.pk) if optout else "",
    }


def optout_url(message_id: int) -> str:
    """The link in a message that stops marketing to its customer (`delivery_optout`)."""
    return settings.LIUKE_PUBLIC_URL + reverse(
        "engagement_public:optout", args=[link_token(message_id)]
    )


def render(message: Message, template: MessageTemplate | None, language: str = "zh") -> str:
    if template is None:
        return ""
    body = template.body_en if language.startswith("en") and template.body_en else template.body_zh
    english = body is template.body_en
    return body.format_map(_Safe(values(message, english=english, optout="{optout}" in body)))
