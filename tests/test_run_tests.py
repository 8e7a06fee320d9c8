"""scripts/run_tests.py: what each database's pytest process is given, and the browser tests left
out of the PostgreSQL one when both databases run (its docstring says why)."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, cast

import pytest
from tests.conftest import pytest_collection_modifyitems

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


@pytest.fixture
def run_tests(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(SCRIPTS))
    spec = importlib.util.spec_from_file_location("run_tests_under_test", SCRIPTS / "run_tests.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "run_tests_under_test", module)  # its dataclasses look it up
    spec.loader.exec_module(module)
    return module


def _argv_per_database(
    run_tests: Any, monkeypatch: pytest.MonkeyPatch, *argv: str
) -> dict[str, list[str]]:
    """The pytest arguments each database's process would get (nothing is started)."""
    seen: dict[str, list[str]] = {}

    def fake_pytest(database: str, env: dict[str, str], args: list[str], prefix: str = "") -> Any:
        seen[database] = [*run_tests.TIMING_ARGS, *args]
        return run_tests.Outcome(database, returncode=0)

    @contextlib.contextmanager
    def fake_cluster() -> Iterator[str]:
        yield "postgres://postgres@/liuke?host=/nowhere&port=1"

    monkeypatch.setattr(run_tests, "_pytest", fake_pytest)
    monkeypatch.setattr(run_tests.pgserver, "find_bindir", lambda: Path("/nowhere"))
    monkeypatch.setattr(run_tests.pgserver, "cluster", fake_cluster)
    monkeypatch.setattr(run_tests.signal, "signal", lambda *args: None)
    assert run_tests.main(list(argv)) == 0
    return seen


def test_both_databases_the_browser_tests_only_on_sqlite(
    run_tests: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _argv_per_database(run_tests, monkeypatch, "--serial", "--", "-x")
    assert "--no-browser" in seen["postgres"]
    assert "--no-browser" not in seen["sqlite"]
    for args in seen.values():  # where the time went, in every run's log
        assert args[:3] == ["-p", "tests.timing", "--durations=40"]
        assert args[-1] == "-x"


@pytest.mark.parametrize(
    "argv", [("--serial", "--browser-on-both"), ("--only", "postgres")], ids=["both", "only"]
)
def test_postgres_keeps_the_browser_tests_when_asked_or_alone(
    run_tests: Any, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    seen = _argv_per_database(run_tests, monkeypatch, *argv)
    assert "--no-browser" not in seen["postgres"]


def _item(name: str, *markers: str) -> pytest.Item:
    return cast(
        pytest.Item,
        SimpleNamespace(name=name, get_closest_marker=lambda m: m if m in markers else None),
    )


@pytest.mark.parametrize(("no_browser", "kept"), [(True, ["unit", "live"]), (False, None)])
def test_no_browser_deselects_the_e2e_tests(no_browser: bool, kept: list[str] | None) -> None:
    items = [_item("unit"), _item("browser", "live", "e2e"), _item("live", "live")]
    deselected: list[pytest.Item] = []
    config = SimpleNamespace(
        getoption=lambda name: no_browser,
        hook=SimpleNamespace(pytest_deselected=lambda items: deselected.extend(items)),
    )
    pytest_collection_modifyitems(cast(pytest.Config, config), items)
    assert [i.name for i in items] == (kept or ["unit", "browser", "live"])
    assert [i.name for i in deselected] == ([] if kept is None else ["browser"])
