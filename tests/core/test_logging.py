from __future__ import annotations

import io
import logging
from datetime import timedelta
from typing import Any

import pytest

from liuke.core.logging import RedactPersonalData, redact


@pytest.mark.parametrize(
    "text",
    [
        "customer 13812345678 called",
        "customer +86 138 1234 5678 called",
        "customer 138-1234-5678 called",
        "customer 8613812345678 called",
    ],
)
def test_mobiles_are_redacted(text: str) -> None:
    result = redact(text)
    assert "5678" not in result
    assert "[mobile]" in result


def test_other_numbers_are_left_alone() -> None:
    # an order number or a date is not a mobile
    assert redact("order 20240101123456 on 2024-01-01") == "order 20240101123456 on 2024-01-01"


def test_filter_masks_message_with_arguments() -> None:
    # given a log record whose arguments carry a mobile number
    record = logging.LogRecord(
        "liuke", logging.INFO, __file__, 1, "search for %s by %s", ("13812345678", "front_a"), None
    )
    # when the filter runs
    kept = RedactPersonalData().filter(record)
    # then the record is still written, without the number
    assert kept is True
    assert record.getMessage() == "search for [mobile] by front_a"


def test_filter_leaves_harmless_records_untouched() -> None:
    record = logging.LogRecord("liuke", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    assert RedactPersonalData().filter(record) is True
    assert record.args == ("world",)
    assert record.getMessage() == "hello world"


def test_the_configured_console_handler_redacts() -> None:
    # given the console handler that settings.LOGGING installs on the root logger
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, RedactPersonalData) for f in h.filters)
    ]
    assert handlers, "settings.LOGGING must put the redaction filter on the console handler"
    handler = handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        # when any logger writes a mobile number
        logging.getLogger("liuke.anything").warning("lookup %s", "13812345678")
    finally:
        handler.setStream(previous)
    # then what reaches the log is masked
    written = stream.getvalue()
    assert "[mobile]" in written
    assert "13812345678" not in written


def test_public_link_tokens_are_redacted() -> None:
    from liuke.core.logging import redact

    line = '127.0.0.1 "GET /f/s/AbC_dEf-123.xYz_987/" 200 and "POST /f/b/Zz9.k-1/" 302'
    assert redact(line) == '127.0.0.1 "GET /f/s/[token]/" 200 and "POST /f/b/[token]/" 302'
    assert redact("/feedback/responses/12/") == "/feedback/responses/12/"


def test_the_gunicorn_access_log_is_redacted() -> None:
    from types import SimpleNamespace

    from liuke.core.logging import GunicornLogger

    logger = GunicornLogger(SimpleNamespace(**_gunicorn_config()))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/f/s/AbC.xYz/",
        "PATH_INFO": "/f/s/AbC.xYz/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, _delta())
    assert atoms["U"] == "/f/s/[token]/"
    assert "AbC" not in atoms["r"]


def _gunicorn_config() -> dict[str, Any]:
    from gunicorn.config import Config

    config = Config()
    return {name: setting.get() for name, setting in config.settings.items()}


def _delta() -> timedelta:
    return timedelta(milliseconds=5)
