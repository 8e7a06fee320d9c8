"""The layer order between the apps (`.importlinter`, docs/architecture.md "Layers"): the contract
runs and holds, and every module of the package sits in a layer, so a new app or module cannot
escape it by not being listed."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"


def _layers() -> list[list[str]]:
    """The contract's layers, top first, each the list of its module names."""
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    raw = parser["importlinter:contract:layers"]["layers"]
    layers = []
    for line in raw.strip().splitlines():
        names = line.replace("|", ":").split(":")
        layers.append([name.strip().strip("()") for name in names])
    return layers


def test_the_layers_contract_holds() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--config", str(CONFIG), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_every_module_is_in_a_layer() -> None:
    declared = [name for layer in _layers() for name in layer]
    graph = grimp.build_graph("liuke", cache_dir=None)
    # The packages themselves (`liuke`, `liuke.audit`) hold no code; everything else must be
    # a layer or inside one.
    containers = {"liuke", "liuke.audit"}
    missing = sorted(
        module
        for module in graph.modules - containers
        if not any(module == name or module.startswith(f"{name}.") for name in declared)
    )
    assert missing == [], f"add these to a layer in .importlinter: {missing}"


def test_core_is_the_bottom_and_the_entry_points_the_top() -> None:
    layers = _layers()
    assert layers[-1] == ["liuke.core"]
    assert {"liuke.cli", "liuke.urls", "liuke.api", "liuke.bench"} <= set(layers[0])
