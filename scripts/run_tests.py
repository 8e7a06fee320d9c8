"""Run the whole test suite on SQLite and on PostgreSQL (what `make test` and CI run).

    .venv/bin/python scripts/run_tests.py                    # both databases
    .venv/bin/python scripts/run_tests.py --only postgres    # one of them
    .venv/bin/python scripts/run_tests.py -- -k merge -x     # extra pytest arguments

Each run gets a fresh LIUKE_VAR_DIR (secret key, media, job queue), so tests never touch the
developer's var/. PostgreSQL is a throw-away cluster started from the machine's binaries
(scripts/pgserver.py) and removed afterwards. The last line is the combined count,
"Total: N passed, N failed, N skipped".

The two databases run at the same time, one pytest process each (every line of their output
prefixed with the database's name): a pytest run keeps about one core busy, and a 2-core machine
has two (`--serial` runs them one after the other). Within one database pytest runs serially: on
the project's 2-core machines `-p xdist -n 2` was measured slower (each worker migrates its own
database and starts its own live server), e.g. 41 s instead of 18 s for the unit tests on
SQLite. Pass `-- -p xdist -n 2` to try it anyway.

The browser tests (marker `e2e`: Playwright driving Chromium against gunicorn) run in the SQLite
process only when both databases run; the PostgreSQL process deselects them (`--no-browser`,
counted as deselected, not skipped). Why: the two processes run side by side and the slower
governs, and PostgreSQL's was the slower by about three minutes; the browser tests check what a
page shows and does in a browser (layout, scripts, htmx swaps, focus, language), which the
database does not change; every page and API call they go through is also requested on both
databases by the in-process tests (the access matrix, tests/web/test_chinese_pages.py, each
app's page tests), and the live tests that do depend on the database — the concurrency tests and
the API fuzzing against the real server (tests/live/test_*_concurrency.py, test_api_schema.py) —
still run on both. `--browser-on-both` runs them on PostgreSQL too; `--only postgres` always does.

Every run shows where its time went (tests.timing, loaded with `-p tests.timing`, and pytest's
`--durations=40`): the 40 slowest test phases, the 25 slowest test files, and a line
"timing: wall ... cpu ..." with the pytest process's CPU seconds and the load average, so that a
run on a busy machine can be told from a slow suite. The summary repeats the CPU seconds (pytest's
own plus its finished child processes': migrate, the live servers, the browser).
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pgserver  # noqa: E402

DATABASES = ("sqlite", "postgres")
_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected)\b")
_TIMING = re.compile(r"^timing: wall [\d.]+s cpu ([\d.]+)s .*children ([\d.]+)\)")
#: What every run adds to the developer's pytest arguments (see the docstring).
TIMING_ARGS = ["-p", "tests.timing", "--durations=40"]
_SUMMARY = re.compile(
    r"^=*\s*(\d+ (passed|failed|skipped|errors?|xfailed|xpassed|deselected)|no tests ran)\b"
    r".* in [\d.]+s"
)


@dataclass
class Outcome:
    database: str
    returncode: int = 1
    seconds: float = 0.0
    summary: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    note: str = ""
    cpu: float | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0


#: One writer at a time when both databases run at once; their pytest processes, to stop them.
_OUTPUT = threading.Lock()
_PROCESSES: list[subprocess.Popen[str]] = []


def _say(text: str, prefix: str = "") -> None:
    with _OUTPUT:
        for line in text.splitlines() or [""]:
            sys.stdout.write(f"{prefix}{line}\n")
        sys.stdout.flush()


def _header(text: str, prefix: str = "") -> None:
    bar = "=" * 78
    _say(f"\n{bar}\n  {text}\n{bar}", prefix)


def _pytest(
    database: str, env: dict[str, str], pytest_args: list[str], prefix: str = ""
) -> Outcome:
    """Run pytest, relaying its output line by line and keeping its closing summary."""
    outcome = Outcome(database)
    argv = [sys.executable, "-m", "pytest", *TIMING_ARGS, *pytest_args]
    if sys.stdout.isatty() and not any(a.startswith("--color") for a in pytest_args):
        argv.append("--color=yes")
    _say("$ " + " ".join(argv), prefix)
    started = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603
        argv,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        bufsize=1,
    )
    _PROCESSES.append(proc)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            _say(line.rstrip("\n"), prefix)
            plain = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
            if _SUMMARY.match(plain):
                outcome.summary = plain.strip("= ")
            timing = _TIMING.match(plain)
            if timing:
                outcome.cpu = float(timing.group(1)) + float(timing.group(2))
        proc.wait()
    except BaseException:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    outcome.seconds = time.monotonic() - started
    outcome.returncode = proc.returncode
    for number, word in _COUNT.findall(outcome.summary):
        key = "error" if word.startswith("error") else word
        outcome.counts[key] = outcome.counts.get(key, 0) + int(number)
    sys.stdout.flush()
    return outcome


def _base_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "SQLITE_TEST_NAME", "MEDIA_ROOT", "STATIC_ROOT", "REDIS_URL"):
        env.pop(name, None)
    env.update(
        LIUKE_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="liuke.settings",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run_sqlite(pytest_args: list[str], prefix: str = "") -> Outcome:
    _header("SQLite — whole suite", prefix)
    var_dir = Path(tempfile.mkdtemp(prefix="liuke-test-sqlite-"))
    try:
        return _pytest("sqlite", _base_env(var_dir), pytest_args, prefix)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run_postgres(pytest_args: list[str], prefix: str = "", *, browser: bool = True) -> Outcome:
    bindir = pgserver.find_bindir()
    if not browser:
        pytest_args = ["--no-browser", *pytest_args]
    what = "whole suite" if browser else "whole suite but the browser tests (run on SQLite)"
    _header(f"PostgreSQL — {what} (server from {bindir})", prefix)
    var_dir = Path(tempfile.mkdtemp(prefix="liuke-test-pg-"))
    started = time.monotonic()
    try:
        with pgserver.cluster() as url:
            _say(f"throw-away cluster up in {time.monotonic() - started:.1f}s: {url}", prefix)
            env = _base_env(var_dir)
            env["DATABASE_URL"] = url
            return _pytest("postgres", env, pytest_args, prefix)
    except RuntimeError as exc:
        print(f"could not start PostgreSQL: {exc}", file=sys.stderr, flush=True)
        return Outcome("postgres", returncode=1, note="PostgreSQL did not start")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _on_term(signum: int, frame: object) -> None:
    raise KeyboardInterrupt()


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _on_term)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=DATABASES, help="run on one database only")
    parser.add_argument(
        "--serial", action="store_true", help="run the databases one after the other"
    )
    parser.add_argument(
        "--browser-on-both",
        action="store_true",
        help="run the browser tests on PostgreSQL too (by default only the SQLite run has them)",
    )
    args, pytest_args = parser.parse_known_args(argv)
    if pytest_args[:1] == ["--"]:
        pytest_args = pytest_args[1:]
    wanted = [args.only] if args.only else list(DATABASES)
    browser_on_postgres = args.browser_on_both or wanted == ["postgres"]
    runners: dict[str, Callable[..., Outcome]] = {
        "sqlite": run_sqlite,
        "postgres": functools.partial(run_postgres, browser=browser_on_postgres),
    }
    outcomes: list[Outcome] = []
    total_started = time.monotonic()
    try:
        if len(wanted) > 1 and not args.serial:
            with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
                width = max(len(d) for d in wanted)
                futures = [pool.submit(runners[d], pytest_args, f"[{d:<{width}}] ") for d in wanted]
                try:
                    # Poll, so that SIGTERM/Ctrl-C reach the main thread while the runs go on
                    # (a bare result() waits where the signal handler does not run).
                    while not all(f.done() for f in futures):
                        wait(futures, timeout=0.5)
                except KeyboardInterrupt:
                    for proc in _PROCESSES:  # each thread ends when its pytest does
                        proc.terminate()
                    raise
                outcomes = [f.result() for f in futures]
        else:
            for database in wanted:
                outcomes.append(runners[database](pytest_args))
    except KeyboardInterrupt:
        for proc in _PROCESSES:
            proc.terminate()
        print("\ninterrupted", file=sys.stderr)
        return 130

    _header("Summary")
    totals: dict[str, int] = {}
    for o in outcomes:
        status = "ok" if o.ok else f"FAILED (exit {o.returncode})"
        detail = o.summary or o.note or "no pytest summary"
        cpu = f"cpu {o.cpu:7.1f}s" if o.cpu is not None else " " * 12
        print(f"  {o.database:<9} {status:<18} {o.seconds:7.1f}s  {cpu}  {detail}")
        for key, value in o.counts.items():
            totals[key] = totals.get(key, 0) + value
    print(f"  {'total':<9} {'':<18} {time.monotonic() - total_started:7.1f}s")
    failed = totals.get("failed", 0) + totals.get("error", 0)
    if not all(o.ok for o in outcomes) and failed == 0:
        failed = sum(1 for o in outcomes if not o.ok)  # a run that died before counting
    line = f"Total: {totals.get('passed', 0)} passed, {failed} failed"
    if totals.get("skipped"):
        line += f", {totals['skipped']} skipped"
    print(line, flush=True)
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
