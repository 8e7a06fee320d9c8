"""The CLV mathematics is a package of its own with no Django in it: the CLI and the benchmarks
run it on plain arrays, and a Django import there would tie the models to settings."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import liuke.analytics.clv

PACKAGE = Path(liuke.analytics.clv.__file__).parent
ALLOWED_ROOTS = {"numpy", "scipy"}


def _imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_clv_package_imports_only_itself_numpy_scipy_and_the_standard_library() -> None:
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 8
    outside = [
        f"{path.name}: {name}"
        for path in files
        for name in _imported_modules(path)
        if not (
            name.split(".")[0] in ALLOWED_ROOTS
            or name.split(".")[0] in sys.stdlib_module_names
            or name == "liuke.analytics.clv"
            or name.startswith("liuke.analytics.clv.")
        )
    ]
    assert outside == []


def test_the_clv_package_imports_and_fits_without_django_settings() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import sys\n"
        "from liuke.analytics.clv import analyse, simulate, transactions\n"
        "from liuke.analytics.clv.bgnbd import Params\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
