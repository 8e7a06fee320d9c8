"""Text hygiene for everything typed by a person or imported from a spreadsheet."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liuke.core.errors import CoreErrorCode


def clean_text(value: str, *, max_length: int, field: str, multiline: bool = False) -> str:
    """Strip, NFC-normalise and refuse what databases or browsers choke on.

    A NUL character or a lone surrogate is refused with a clear message (PostgreSQL cannot store
    NUL; a lone surrogate cannot be encoded as UTF-8), so neither database ever sees them.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(_("Enter text."), code=CoreErrorCode.INVALID_TEXT)
    if "\x00" in value:
        raise ValidationError(
            _("Text must not contain NUL characters."), code=CoreErrorCode.INVALID_TEXT
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            _("Text contains characters that are not valid Unicode."),
            code=CoreErrorCode.INVALID_TEXT,
        ) from exc
    value = unicodedata.normalize("NFC", value).strip()
    value = " ".join(value.split()) if not multiline else value.replace("\r\n", "\n")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise ValidationError(
            _("Text must not contain control characters."), code=CoreErrorCode.INVALID_TEXT
        )
    if len(value) > max_length:
        raise ValidationError(
            _("%(field)s is too long: at most %(max)d characters (it has %(n)d).")
            % {"field": field, "max": max_length, "n": len(value)},
            code=CoreErrorCode.TOO_LONG,
        )
    return value
