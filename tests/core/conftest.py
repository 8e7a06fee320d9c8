from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _gunicorn_loggers_restored() -> Iterator[None]:
    """Building gunicorn's logger (test_logging.py, test_log_lines.py) changes two process-wide
    loggers: `gunicorn.error` and `gunicorn.access` stop propagating and get handlers. Left so,
    pytest attaches its capture handlers to them at the start of every later test (it does so
    for each non-propagating logger), and a later test that reformats and redirects the
    loggers' handlers finds pytest's among them. Each test gets them back as they were."""
    saved = [
        (log, log.propagate, log.level, list(log.handlers))
        for log in map(logging.getLogger, ("gunicorn.error", "gunicorn.access"))
    ]
    yield
    for log, propagate, level, handlers in saved:
        log.propagate, log.level, log.handlers[:] = propagate, level, handlers
