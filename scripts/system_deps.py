"""Make sure the machine has what the test suite needs beyond Python.

- Debian's `chromium` (/usr/bin/chromium) and `fonts-noto-cjk`, for the browser tests
  (Playwright drives the system Chromium; it never downloads a browser of its own);
- PostgreSQL's server binaries (initdb, pg_ctl), for the PostgreSQL run of the suite;
- `zbar-tools` (zbarimg), with which the browser tests read back the QR codes the pages show.

Quick and silent-ish when everything is there. When something is missing and we are root, it
runs `apt-get update` once and `apt-get install -y --no-install-recommends ...`; when we are not
root it prints the command to run and exits non-zero.
"""

# ruff: noqa: S603, S607  (runs fixed commands: dpkg-query and apt-get)

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pgserver import find_bindir

CHROMIUM = Path("/usr/bin/chromium")


def _deb_installed(package: str) -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Status}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip() == "installed"


def missing_packages() -> list[tuple[str, str]]:
    """(Debian package, why) for each missing piece."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(("chromium", f"{CHROMIUM} for the browser tests"))
    if not _deb_installed("fonts-noto-cjk"):
        missing.append(("fonts-noto-cjk", "Chinese fonts for the browser tests' screenshots"))
    if find_bindir() is None:
        missing.append(("postgresql", "initdb and pg_ctl for the PostgreSQL test run"))
    if shutil.which("zbarimg") is None:
        missing.append(("zbar-tools", "zbarimg, to decode the QR codes in the browser tests"))
    return missing


def main() -> int:
    missing = missing_packages()
    if not missing:
        print(
            f"system deps: chromium, fonts-noto-cjk, zbarimg and PostgreSQL ({find_bindir()})"
            " are present."
        )
        return 0
    packages = [name for name, _why in missing]
    for name, why in missing:
        print(f"system deps: missing {name}: {why}")
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(
            "system deps: cannot install them from here (needs root on Debian). Run:\n"
            f"    sudo apt-get update && sudo {' '.join(command)}",
            file=sys.stderr,
        )
        return 1
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for step in (["apt-get", "update"], command):
        print(f"system deps: running {' '.join(step)}", flush=True)
        result = subprocess.run(step, env=env, check=False)
        if result.returncode != 0:
            print(f"system deps: {' '.join(step)} failed ({result.returncode})", file=sys.stderr)
            return result.returncode
    still = missing_packages()
    if still:
        print(f"system deps: still missing after install: {[n for n, _ in still]}", file=sys.stderr)
        return 1
    print(f"system deps: installed {', '.join(packages)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
