"""Where the suite's time goes: a pytest plugin that scripts/run_tests.py loads (`-p tests.timing`).

At the end of a run it prints the slowest test files (setup + call + teardown of every test in
the file, so a module fixture counts with its file, a session fixture's set-up with the first
file that asks for it and its teardown — the test database's removal — with the last), then one
line with the process's wall and CPU seconds and the load average at its start and end, e.g.

    timing: wall 144.4s cpu 36.0s (user 35.5 sys 0.5; children 0.0) load 15.24 13.28 10.99 -> ...

`cpu` is the pytest process's own user+sys (`resource.getrusage`); `children` that of the child
processes it has waited for (migrate and the seed of the live servers, gunicorn, the browser).
On a machine shared with other work CPU is the steadier figure, wall clock the one a developer
waits for. Run it by hand with
`pytest -p tests.timing --timing-files=25`.
"""

from __future__ import annotations

import os
import resource
import time
from collections import defaultdict

import pytest

_FILES: defaultdict[str, float] = defaultdict(float)
_COUNTS: defaultdict[str, int] = defaultdict(int)
_STARTED: list[float] = []
_LOAD_AT_START: list[float] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--timing-files",
        type=int,
        default=25,
        help="how many of the slowest test files tests.timing lists (default 25)",
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    _STARTED.append(time.monotonic())
    _LOAD_AT_START.extend(os.getloadavg())


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    _FILES[path] += report.duration
    if report.when == "call":
        _COUNTS[path] += 1


def _cpu() -> tuple[float, float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime, own.ru_stime, children.ru_utime + children.ru_stime


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if not _FILES:
        return
    limit = int(config.getoption("--timing-files"))
    total = sum(_FILES.values())
    terminalreporter.write_sep("=", f"slowest {limit} test files (setup + call + teardown)")
    for path, seconds in sorted(_FILES.items(), key=lambda kv: -kv[1])[:limit]:
        share = 100 * seconds / total if total else 0.0
        terminalreporter.write_line(
            f"{seconds:8.1f}s {share:5.1f}% {_COUNTS[path]:5d} tests  {path}"
        )
    user, system, children = _cpu()
    wall = time.monotonic() - _STARTED[0] if _STARTED else 0.0
    start = " ".join(f"{x:.2f}" for x in _LOAD_AT_START)
    end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    terminalreporter.write_line(
        f"timing: wall {wall:.1f}s cpu {user + system:.1f}s (user {user:.1f} sys {system:.1f}; "
        f"children {children:.1f}) load {start} -> {end}"
    )
