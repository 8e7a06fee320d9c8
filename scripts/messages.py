"""Refresh and compile the translation catalogues (what `make messages` runs; needs GNU gettext).

Each app with its own `locale/` folder (analytics, audit, engagement, …) keeps its strings in its
own catalogue; the project catalogue (`src/liuke/locale`) takes everything else. Django's
makemessages writes to the `locale/` of the folder it runs in, so it runs once per catalogue: in
each such app, and in `src/liuke` with those apps left out. Apps get a Simplified Chinese
catalogue only (their English is the source text); the project has an English one too.

A string that moves from one catalogue to another keeps its translation: before compiling, every
empty or fuzzy Chinese entry is filled from the translation any catalogue had for the same text
before the run (including entries makemessages has just marked obsolete). What is still empty
afterwards is new and needs a translator (tests/core/test_translations.py lists it).

    .venv/bin/python scripts/messages.py            # all catalogues
    .venv/bin/python scripts/messages.py audit      # one app's
"""

# ruff: noqa: S603  (runs django-admin from this venv)

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from po_fill import _unquote, fill

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "liuke"
# The venv's django-admin script, not `python -m django`: that would put the app folder first on
# sys.path, where a module such as engagement/dispatch.py would shadow a standard one.
ADMIN = [str(Path(sys.executable).with_name("django-admin"))]
ENV = dict(os.environ, DJANGO_SETTINGS_MODULE="liuke.settings")


def app_catalogues() -> list[Path]:
    return sorted(p.parent for p in PACKAGE.glob("*/locale") if p.is_dir())


def run(folder: Path, *args: str) -> None:
    print(f"$ (cd {folder.relative_to(PACKAGE.parent)}) django-admin {' '.join(args)}", flush=True)
    subprocess.run([*ADMIN, *args], cwd=folder, env=ENV, check=True)


def _known_translations() -> dict[str, str]:
    """msgid → Chinese, from every catalogue as it stands (obsolete entries included)."""
    known: dict[str, str] = {}
    for po in PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
        text = po.read_text(encoding="utf-8")
        text = re.sub(r"^#~ ?", "", text, flags=re.M)
        for entry in text.split("\n\n"):
            if "#, fuzzy" in entry or "msgid_plural" in entry:
                continue
            found = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', entry, re.M)
            if found:
                msgid, msgstr = _unquote(found.group(1)), _unquote(found.group(2))
                if msgid and msgstr:
                    known.setdefault(msgid, msgstr)
    return known


def _carry_over(known: dict[str, str]) -> None:
    for po in PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
        text = po.read_text(encoding="utf-8")
        missing = {}
        for entry in text.split("\n\n"):
            found = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', entry, re.M)
            if not found or entry.lstrip().startswith("#~"):
                continue
            msgid, msgstr = _unquote(found.group(1)), _unquote(found.group(2))
            if msgid in known and (not msgstr or "#, fuzzy" in entry):
                missing[msgid] = known[msgid]
        if missing:
            filled, count = fill(text, missing)
            po.write_text(filled, encoding="utf-8")
            print(f"{po.relative_to(PACKAGE.parent)}: {count} translations carried over")


def main(only: list[str]) -> int:
    known = _known_translations()
    apps = app_catalogues()
    ignore = ["--ignore=*/migrations/*", "--ignore=migrations/*"]
    for app in apps:
        if not only or app.name in only:
            run(app, "makemessages", "-l", "zh_Hans", *ignore)
    if not only or "liuke" in only:
        others = [f"--ignore={app.name}/*" for app in apps]
        run(PACKAGE, "makemessages", "-l", "zh_Hans", "-l", "en", *ignore, *others)
    _carry_over(known)
    for app in apps:
        if not only or app.name in only:
            run(app, "compilemessages")
    if not only or "liuke" in only:
        run(PACKAGE, "compilemessages", "--ignore=*/locale/*")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
