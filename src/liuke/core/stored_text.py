"""Texts the system writes into a row for someone to read later (a task's note, why a message
was not sent): stored as a message code and its parameters, translated when the row is read.

A note written by the nightly job (which runs in no one's language) or by a staff member who
uses English must read in Chinese to the person who opens it in Chinese, and the other way
round; a sentence translated when the row was written is frozen in the writer's language. So the
writer stores `stored_message(gettext_noop("…%(id)s…"), id=…)`, and a `MessageTextField`
hands back, on every read, the text in the language active at that moment (a `StoredText`, a
`str`; saving it again writes the code back, not the translation). Text a person typed is
stored and shown as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from django.db import models
from django.utils.translation import gettext

#: Starts a stored message. A control character: typed text never holds one (clean_text
#: refuses them), so a person's note is never mistaken for a code.
MARK = "\x1e"

Param: TypeAlias = "str | int | Message | Sequence[Message]"


class Message(dict[str, Any]):
    """A message code and its parameters (a parameter may be a message, or a list of them
    shown joined by commas)."""


def message(msgid: str, **params: Param) -> Message:
    """A part of a stored message: `msgid` must be marked with gettext_noop where it is written,
    so that the catalogues carry its translation."""
    return Message(m=msgid, p=dict(params))


def stored_message(msgid: str, *, fit: int | None = None, **params: Param) -> str:
    """What a `MessageTextField` stores for this message. With `fit`, the longest text
    parameter (typed by someone) is shortened until the whole fits a column of that length."""
    while True:
        out = MARK + json.dumps(message(msgid, **params), ensure_ascii=False, separators=(",", ":"))
        texts = [k for k, v in params.items() if isinstance(v, str) and len(v) > 1]
        if fit is None or len(out) <= fit:
            return out
        if not texts:
            raise ValueError(f"a stored message does not fit {fit} characters: {msgid!r}")
        longest = max(texts, key=lambda k: len(str(params[k])))
        text = str(params[longest])
        keep = max(0, min(len(text) - 2, len(text) - (len(out) - fit) - 1))
        params[longest] = text[:keep] + "…"


def _param(value: Any) -> Any:
    """A parameter as the format wants it: messages as text, numbers as numbers."""
    return _render(value) if isinstance(value, Mapping | list) else value


def _render(value: Any) -> str:
    if isinstance(value, Mapping) and "m" in value:
        params = {k: _param(v) for k, v in dict(value.get("p") or {}).items()}
        text = gettext(str(value["m"]))
        try:
            return text % params if params else text
        except (KeyError, ValueError, TypeError):
            # a translation that lost a placeholder must not break the page: the source text
            return str(value["m"]) % params if params else str(value["m"])
    if isinstance(value, list):
        return ", ".join(_render(v) for v in value)
    return str(value)


def message_text(part: Message) -> str:
    """A message's text in the active language."""
    return _render(part)


def shown_text(stored: str) -> str:
    """The text for the active language (typed text as it is)."""
    if not stored.startswith(MARK):
        return stored
    try:
        return _render(json.loads(stored[len(MARK) :]))
    except ValueError:
        return stored[len(MARK) :]


class StoredText(str):
    """The text of a stored message in the language active when the row was read; `stored` is
    what the row holds (written back unchanged when the row is saved again)."""

    stored: str

    def __new__(cls, stored: str) -> StoredText:
        text = super().__new__(cls, shown_text(stored))
        text.stored = stored
        return text


class MessageTextField(models.CharField):  # type: ignore[type-arg]
    """A CharField whose stored messages read as text in the reader's language."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or not value.startswith(MARK):
            return value
        return StoredText(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, StoredText):
            return value
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, StoredText):
            return value.stored
        return super().get_prep_value(value)

    def deconstruct(self) -> Any:
        # The column is an ordinary varchar: migrations see a CharField, so switching a field
        # to this class needs none.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
