"""HTTP for the providers' APIs: one keep-alive session per thread, and a request's fate as a
delivery outcome (a refused connection sent nothing; a timeout after the request left may have
sent it)."""

from __future__ import annotations

import threading
from typing import Any

import requests

from liuke.engagement.channels import Outcome

_local = threading.local()
#: seconds to connect, seconds to wait for the answer
TIMEOUT = (3.0, 10.0)


def session() -> requests.Session:
    found: requests.Session | None = getattr(_local, "session", None)
    if found is None:
        found = _local.session = requests.Session()
    return found


class Failed(Exception):
    def __init__(self, outcome: Outcome, reason: str) -> None:
        super().__init__(reason)
        self.outcome, self.reason = outcome, reason


def post(url: str, *, timeout: tuple[float, float] = TIMEOUT, **kwargs: Any) -> requests.Response:
    """POST, or `Failed` with the outcome the error means for the message."""
    try:
        return session().post(url, timeout=timeout, **kwargs)
    except requests.ConnectTimeout:
        return _raise(Outcome.TEMPORARY, "connect timeout")
    except requests.ConnectionError as error:
        # A refused or unreachable connection never carried the request; a reset after it was
        # written (or a read timeout, below) may have.
        if _before_sending(error):
            return _raise(Outcome.TEMPORARY, "connection refused")
        return _raise(Outcome.UNKNOWN, "connection lost")
    except requests.Timeout:
        return _raise(Outcome.UNKNOWN, "timeout")


def _raise(outcome: Outcome, reason: str) -> requests.Response:
    raise Failed(outcome, reason)


def _before_sending(error: requests.ConnectionError) -> bool:
    # urllib3 names a connection that was never made NewConnectionError (refused, unreachable,
    # no such host); everything else happened after the request may have left.
    text = repr(error)
    return "NewConnectionError" in text or "NameResolutionError" in text
