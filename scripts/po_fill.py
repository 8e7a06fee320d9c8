"""Fill msgstr entries of a .po file from a JSON {msgid: msgstr} file and clear their fuzzy
flags: `python scripts/po_fill.py LOCALE.po TRANSLATIONS.json`. Entries not in the JSON are left
as they are. (A small tool for translators without polib; msgids are matched exactly.)"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _unquote(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return "".join(parts).encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def fill(po_text: str, translations: dict[str, str]) -> tuple[str, int]:
    entries = po_text.split("\n\n")
    changed = 0
    for i, entry in enumerate(entries):
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)$', entry, re.M)
        if not m or "msgid_plural" in entry:
            continue
        msgid = _unquote(m.group(1))
        if msgid not in translations:
            continue
        head = entry[: m.start()]
        head = "\n".join(line for line in head.splitlines() if not line.startswith("#|"))
        head = re.sub(r"^#, fuzzy, ", "#, ", head, flags=re.M)
        head = re.sub(r"^#, fuzzy\n?", "", head + "\n", flags=re.M).rstrip("\n")
        new = f"msgid {m.group(1).rstrip()}\nmsgstr {_quote(translations[msgid])}"
        entries[i] = (head + "\n" if head else "") + new
        changed += 1
    return "\n\n".join(entries), changed


def main() -> int:
    po, data = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    text, changed = fill(po.read_text(encoding="utf-8"), data)
    po.write_text(text, encoding="utf-8")
    print(f"{changed} entries filled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
