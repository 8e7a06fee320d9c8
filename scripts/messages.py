"""Refresh and compile the translation catalogues (what `make messages` runs; needs GNU gettext).

Each app with its own `locale/` folder (analytics, audit, engagement, …) keeps its strings in its
own catalogue; the project catalogue (`src/liuke/locale`) takes everything else. Django's
makemessages writes to the `locale/` of the folder it runs in, so it runs once per catalogue: in
each such app, and in `src/liuke` with those apps left out. Apps get a Simplified Chinese
catalogue only (their English is the source text); the project has an English one too.

    .venv/bin/python scripts/messages.py            # all catalogues
    .venv/bin/python scripts/messages.py audit      # one app's
"""

# ruff: noqa: S603  (runs django-admin from this venv)

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def main(only: list[str]) -> int:
    apps = app_catalogues()
    ignore = ["--ignore=*/migrations/*", "--ignore=migrations/*"]
    for app in apps:
        if not only or app.name in only:
            run(app, "makemessages", "-l", "zh_Hans", *ignore)
            run(app, "compilemessages")
    if not only or "liuke" in only:
        others = [f"--ignore={app.name}/*" for app in apps]
        run(PACKAGE, "makemessages", "-l", "zh_Hans", "-l", "en", *ignore, *others)
        run(PACKAGE, "compilemessages", "--ignore=*/locale/*")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
