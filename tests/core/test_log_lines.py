"""One log record is one line: control characters in anything logged (a URL path with %0a or
%0d above all) are escaped, in Django's log and in gunicorn's access and error logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from gunicorn.config import Config

from liuke.core.logging import (
    ACCESS_LOG_FORMAT,
    GunicornLogger,
    SafeFormatter,
    escape_controls,
)

FORGED = '/x\n127.0.0.1 - - "GET /admin/" 200\r\x1b[2K\x85\u2028'


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("tab\there", "tab\\there"),
        ("back\\slash", "back\\\\slash"),  # so that an escape can never be forged either
        ("esc\x1b[31m", "esc\\x1b[31m"),
        ("nul\x00 del\x7f", "nul\\x00 del\\x7f"),
        ("c1\x85\x9b", "c1\\x85\\x9b"),
        ("ls\u2028ps\u2029", "ls\\u2028ps\\u2029"),
        ("沈若兰 ok", "沈若兰 ok"),
    ],
)
def test_control_characters_are_escaped(text: str, escaped: str) -> None:
    assert escape_controls(text) == escaped


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the console handler of settings.LOGGING writes."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and isinstance(h.formatter, SafeFormatter)
    ]
    assert handlers, "settings.LOGGING must give the console handler the SafeFormatter"
    stream = io.StringIO()
    previous = handlers[0].setStream(stream)
    try:
        yield stream
    finally:
        handlers[0].setStream(previous)


@pytest.mark.django_db
def test_a_request_to_a_path_with_newlines_logs_one_line(
    console: io.StringIO, client: Client
) -> None:
    response = client.get("/nothing%0a127.0.0.1%20-%20forged%0d%0aINFO%20x/")
    assert response.status_code == 404
    written = console.getvalue()
    assert "Not Found" in written
    assert written.count("\n") == 1
    assert written.endswith("\n")
    assert "127.0.0.1 - forged" in written  # (Django escapes the path too; we escape that)


def test_a_traceback_stays_on_the_records_line(console: io.StringIO) -> None:
    try:
        raise ValueError(FORGED)
    except ValueError:
        logging.getLogger("liuke.test").exception("failed")
    written = console.getvalue()
    assert written.count("\n") == 1
    assert "Traceback (most recent call last):\\n" in written


def _gunicorn(errors: io.StringIO, access: io.StringIO) -> Any:  # gunicorn is untyped
    config = Config()
    settings = {name: setting.get() for name, setting in config.settings.items()}
    settings |= {"accesslog": "-", "errorlog": "-", "access_log_format": ACCESS_LOG_FORMAT}
    logger: Any = GunicornLogger(SimpleNamespace(**settings))
    for log, stream in ((logger.error_log, errors), (logger.access_log, access)):
        # gunicorn marks the handlers it installs; others (pytest's capture) are not ours.
        handlers = [h for h in log.handlers if getattr(h, "_gunicorn", False)]
        assert handlers
        for handler in handlers:
            assert isinstance(handler.formatter, SafeFormatter)
            handler.setStream(stream)
    return logger


# Twice: building gunicorn's logger once (as tests/core/test_logging.py does too) must leave
# nothing behind that changes what the next build writes.
@pytest.mark.parametrize("build", ["first", "again"])
def test_the_gunicorn_access_and_error_logs_write_one_line_per_record(build: str) -> None:
    errors, access = io.StringIO(), io.StringIO()
    logger = _gunicorn(errors, access)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/x%0a127.0.0.1",
        "PATH_INFO": FORGED,  # what gunicorn hands on after decoding %0a, %0d, %1b
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    resp = SimpleNamespace(status="404 Not Found", sent=10, headers=[], response_length=10)
    logger.access(resp, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5))
    logger.error("bad request line %s", FORGED)
    for written in (access.getvalue(), errors.getvalue()):
        assert written.count("\n") == 1, written
        assert "\r" not in written
        assert "\x1b" not in written
        assert "\u2028" not in written
    assert '"GET /x\\n127.0.0.1 - - \\"GET' not in access.getvalue()  # gunicorn quotes nothing
    assert "/x\\n127.0.0.1 - - " in access.getvalue()
