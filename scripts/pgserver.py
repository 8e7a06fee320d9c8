"""A throw-away PostgreSQL cluster for the test suite, from the machine's own binaries.

    with pgserver.cluster() as url:   # postgres://postgres@/liuke?host=<socket dir>&port=<port>
        ...

The cluster lives in a fresh temporary folder, listens only on a Unix socket in that folder
(no TCP port is opened), trusts local connections, runs without fsync, with the least WAL and
without JIT, and is stopped and removed on the way out, whatever happened (an error, Ctrl-C,
SIGTERM). PostgreSQL refuses to run as root, so under root the server runs as the `postgres` OS
user (created if absent).
"""

# ruff: noqa: S603, S607  (runs fixed commands: PostgreSQL binaries found on this machine)

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

SERVER_USER = "postgres"
DATABASE = "liuke"
_REQUIRED = ("initdb", "pg_ctl", "postgres")


def _version_key(path: str) -> tuple[int, ...]:
    parts = Path(path).parent.parent.name.split(".")
    return tuple(int(p) for p in parts if p.isdigit())


def find_bindir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: Debian's newest version, else PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key, reverse=True
    )
    for initdb in candidates:
        bindir = Path(initdb).parent
        if all((bindir / name).is_file() for name in _REQUIRED):
            return bindir
    found = shutil.which("initdb")
    if found:
        bindir = Path(os.path.realpath(found)).parent
        if all((bindir / name).is_file() for name in _REQUIRED):
            return bindir
    return None


def _free_port() -> int:
    # Only the socket file's name uses the port (listen_addresses is empty), but a free TCP
    # port keeps the number unique should someone turn TCP on while debugging.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ensure_server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVER_USER,
            ],
            check=True,
        )
        return pwd.getpwnam(SERVER_USER)


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", SERVER_USER, "--", *argv]
    return [
        "setpriv",
        f"--reuid={SERVER_USER}",
        f"--regid={SERVER_USER}",
        "--init-groups",
        "--reset-env",
        *argv,
    ]


def _run(argv: list[str], log: Path | None = None) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stdout + result.stderr).strip()
        if log is not None and log.exists():
            detail += "\n--- server log ---\n" + log.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n{detail}")


@contextlib.contextmanager
def cluster(database: str = DATABASE) -> Iterator[str]:
    """Start a throw-away cluster and yield its DATABASE_URL; stop and delete it afterwards."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found; "
            "run scripts/system_deps.py (it installs Debian's `postgresql` package)."
        )
    # Under /tmp: short enough for a Unix socket path (about 100 bytes at most) and reachable by
    # the `postgres` user even when $TMPDIR is a private folder of root's.
    base = "/tmp" if os.access("/tmp", os.W_OK) else None  # noqa: S108
    root = Path(tempfile.mkdtemp(prefix="liuke-pg-", dir=base))
    data, log = root / "data", root / "server.log"
    port = _free_port()
    started = False

    def on_term(signum: int, frame: object) -> None:
        # SIGTERM (a CI timeout, `kill`) cleans up exactly as Ctrl-C does.
        raise KeyboardInterrupt()

    # Only the main thread may set a handler (run_tests.py starts this cluster from a thread
    # when both databases run at once; its main thread turns SIGTERM into KeyboardInterrupt).
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_term) if in_main else None
    try:
        if os.geteuid() == 0:
            user = _ensure_server_user()
            os.chown(root, user.pw_uid, user.pw_gid)
        _run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--locale=C",
                    "-E",
                    "UTF8",
                    "--auth=trust",
                    "--no-sync",
                ]
            )
        )
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# liuke test cluster: socket only, speed over durability\n"
                "listen_addresses = ''\n"
                f"unix_socket_directories = '{root}'\n"
                f"port = {port}\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
                # nothing replicates or restores from it: the least WAL (CREATE DATABASE …
                # TEMPLATE, the flushes of transactional tests); no JIT compilation (it costs
                # more than it saves on a test's small queries)
                "wal_level = minimal\n"
                "max_wal_senders = 0\n"
                "jit = off\n"
                "max_connections = 100\n"
            )
        _run(
            _as_server_user(
                [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start"]
            ),
            log,
        )
        started = True
        createdb = bindir / "createdb"
        if createdb.is_file():
            _run([str(createdb), "-h", str(root), "-p", str(port), "-U", "postgres", database])
        else:
            import psycopg

            with psycopg.connect(
                host=str(root), port=port, user="postgres", dbname="postgres", autocommit=True
            ) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
        yield f"postgres://postgres@/{database}?host={root}&port={port}"
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        if started:
            # immediate: a throw-away cluster needs no checkpoint on the way out.
            subprocess.run(
                _as_server_user(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    # A manual check: start, print the URL, wait for Enter, stop.
    with cluster() as url:
        print(url)
        with contextlib.suppress(KeyboardInterrupt, EOFError):
            input("PostgreSQL is running; press Enter to stop it. ")
