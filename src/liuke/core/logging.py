"""A logging filter that keeps personal data out of logs.

Mobile numbers (and any long run of digits that looks like one) are masked before a record is
written, whatever logger produced it: staff-facing code should not log them at all, and this
catches what slips through (a library echoing a query string, an exception message).
"""

from __future__ import annotations

import logging
import re
from typing import Any

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
#: The secret in a public link (feedback: /f/s/<token>/ a survey, /f/b/<token>/ a suggestion
#: box): whoever holds a live survey link can answer it once, so it stays out of logs too.
_PUBLIC_TOKEN = re.compile(r"(/f/[sb]/)[^/\s\"?]+")


def redact(text: str) -> str:
    return _PUBLIC_TOKEN.sub(r"\1[token]", _MOBILE.sub("[mobile]", text))


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


def gunicorn_logger_class() -> type:
    """gunicorn's logger with the access log's path and request line redacted as above
    (`liuke serve` passes `--logger-class liuke.core.logging.GunicornLogger`)."""
    from gunicorn.glogging import Logger

    # gunicorn ships no type information, so its Logger is `Any` to mypy.
    class _Logger(Logger):  # type: ignore[misc]
        def atoms(
            self, resp: object, req: object, environ: dict[str, Any], request_time: object
        ) -> dict[str, Any]:
            atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
            for key in ("U", "r"):
                if isinstance(atoms.get(key), str):
                    atoms[key] = redact(atoms[key])
            return atoms

    return _Logger


GunicornLogger = gunicorn_logger_class()
