"""The quick start's first command, for real: `liuke serve` on a fresh data folder.

It must migrate, load the demo salon once, serve the login page on 127.0.0.1 with gunicorn,
and run the job consumer (proved by a queued job that completes).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.live


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(var_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(LIUKE_VAR_DIR=str(var_dir), PORT=str(port), LIUKE_DEMO_CUSTOMERS="150")
    return subprocess.Popen(
        [sys.executable, "-m", "liuke.cli", "serve", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for_banner(proc: subprocess.Popen[str], timeout: float = 240) -> str:
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if "Press Ctrl+C to stop" in line:
            return "".join(seen)
    raise AssertionError("serve did not come up:\n" + "".join(seen))


def _stop(proc: subprocess.Popen[str]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_serve_loads_demo_once_serves_login_and_runs_jobs(tmp_path: Path) -> None:
    # Given a fresh data folder, when `liuke serve` starts
    port = _free_port()
    proc = _start(tmp_path, port)
    try:
        banner = _wait_for_banner(proc)
        # Then it prints the URL and the demo owner login
        assert f"http://127.0.0.1:{port}/" in banner
        login = re.search(r"Demo owner login: (\S+) / (\S+)", banner)
        assert login, banner
        username, password = login.group(1), login.group(2)

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{port}"
        # The front page of a logged-out visitor is the login page.
        front = opener.open(base + "/").read().decode()
        assert 'name="password"' in front
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        body = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
        ).encode()
        page = opener.open(urllib.request.Request(base + "/login/", data=body)).read().decode()
        assert "/customers/" in page

        # A job queued by the web process is run by the consumer.
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        opener.open(
            urllib.request.Request(
                base + "/branches/refresh-quality/",
                data=urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode(),
            )
        ).read()
        db = sqlite3.connect(tmp_path / "liuke.sqlite3")
        deadline = time.monotonic() + 30
        snapshots = 0
        while time.monotonic() < deadline and snapshots < 2:
            snapshots = db.execute("SELECT COUNT(*) FROM customers_dataqualitysnapshot").fetchone()[
                0
            ]
            time.sleep(0.5)
        assert snapshots == 2  # one per demo branch
        customers = db.execute("SELECT COUNT(*) FROM customers_customer").fetchone()[0]
        assert customers >= 150
        db.close()
    finally:
        _stop(proc)

    # When serve runs again on the same folder, the demo is not loaded twice.
    port = _free_port()
    proc = _start(tmp_path, port)
    try:
        banner = _wait_for_banner(proc)
        assert "not loaded again" in banner
        db = sqlite3.connect(tmp_path / "liuke.sqlite3")
        assert db.execute("SELECT COUNT(*) FROM customers_customer").fetchone()[0] == customers
        assert db.execute("SELECT COUNT(*) FROM accounts_business").fetchone()[0] == 1
        db.close()
    finally:
        _stop(proc)
