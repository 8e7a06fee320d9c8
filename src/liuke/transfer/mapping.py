"""Which column of a file is which field: headers matched by name and synonyms, the way salons
and the systems they leave (美团美业, 博卡, 有赞美业, Fresha, Phorest) write them.

A mapping is `{header text: field key}` ("" leaves a column out): what the page shows to
correct, what is saved by name and reused, what `--mapping M.json` gives on the command line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from liuke.core.errors import ServiceError
from liuke.transfer.errors import TransferErrorCode
from liuke.transfer.kinds import Column

_NOISE = re.compile(r"[\s*＊:：_\-]|[(（\[【].*?[)）\]】]")


def normalise_header(text: str) -> str:
    """A header as compared: NFKC, lower case, without spaces, stars, underscores, dashes or
    what is in brackets ("手机号(必填)", "* Mobile number" → "手机号", "mobilenumber")."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "").lower())


def suggest(headers: Sequence[str], columns: Sequence[Column]) -> dict[str, str]:
    """Each header → the field it names (by the field's labels and synonyms), or "" when none
    does; a field is given to its first header only."""
    names: dict[str, str] = {}
    for column in columns:
        for name in (column.key, column.label_zh, column.label_en, *column.synonyms):
            names.setdefault(normalise_header(name), column.key)
    taken: set[str] = set()
    out: dict[str, str] = {}
    for header in headers:
        key = names.get(normalise_header(header), "")
        if key in taken:
            key = ""
        taken.add(key)
        out[header] = key
    return out


def positions(
    headers: Sequence[str], mapping: Mapping[str, str], columns: Sequence[Column]
) -> dict[str, int]:
    """Field key → its column's index in the file, from a mapping; a mapping that names a field
    the kind does not have, or gives one field two columns, is refused."""
    known = {c.key for c in columns}
    out: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = mapping.get(header, "")
        if not key:
            continue
        if key not in known:
            raise ServiceError(
                TransferErrorCode.INVALID_MAPPING,
                _("The mapping names a field imports do not know: %(key)s") % {"key": key},
            )
        if key in out:
            raise ServiceError(
                TransferErrorCode.INVALID_MAPPING,
                _("Two columns are mapped to one field: %(key)s") % {"key": key},
            )
        out[key] = index
    missing = [c for c in columns if c.required and c.key not in out]
    if missing:
        raise ServiceError(
            TransferErrorCode.INVALID_MAPPING,
            _("Map a column to each required field: %(fields)s")
            % {"fields": ", ".join(c.label for c in missing)},
        )
    return out
