"""The benchmarks' processes: a gunicorn serving the bench URLs, the CPU seconds that a process,
its children and PostgreSQL's backends for one database have used (from /proc), the throwaway
PostgreSQL server, and the demo salon's owner a child process acts as."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def proc_stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = proc_stat(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def backends(database_name: str) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if cmdline.startswith("postgres: ") and f" {database_name} " in cmdline:
                out.append(int(entry.name))
    return out


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = proc_stat(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    var_dir: Path,
    workers: int,
    *,
    app: str = "liuke.bench.audit_server:application()",
    backlog: int | None = 2048,
    start_timeout: float = 60,
) -> Iterator[tuple[int, int]]:
    """Serve `app` on a free local port until the block ends; yields (port, server pid).
    `start_timeout`: seconds to wait for its first answer (longer on a busy machine)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    log_path = var_dir / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", app,
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
             *(["--backlog", str(backlog)] if backlog is not None else []),
             "--graceful-timeout", "5", "--error-logfile", "-"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + log_path.read_text()[-3000:])
            try:
                url = f"http://127.0.0.1:{port}/healthz"
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port, server.pid
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def pgserver() -> Any:
    """scripts/pgserver.py, loaded as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "liuke_pgserver", ROOT / "scripts" / "pgserver.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError("scripts/pgserver.py not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_owner() -> Any:
    """The demo salon's owner (in a child process, after django.setup())."""
    from liuke.accounts.choices import Role
    from liuke.accounts.models import User
    from liuke.demo.generator import demo_business

    business = demo_business()
    assert business is not None, "no demo salon in this database"
    return User.objects.get(business=business, role=Role.OWNER)


def run_clients(commands: list[list[str]], env: dict[str, str]) -> list[dict[str, Any]]:
    """Start one client process per command, wait until each prints "ready", tell them all
    "go" at once (a barrier: none counts while another is still starting), and return the JSON
    object each prints last."""
    procs = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and modules)
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        for command in commands
    ]
    for p in procs:
        assert p.stdout is not None
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError("a benchmark client failed to start")
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    return [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile of sorted `values` (nearest rank; 0.0 for none)."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, round(pct / 100 * (len(values) - 1))))]
