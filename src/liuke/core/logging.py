"""What every log line goes through: personal data masked, control characters escaped.

Mobile numbers (and any long run of digits that looks like one) are masked before a record is
written, whatever logger produced it: staff-facing code should not log them at all, and this
catches what slips through (a library echoing a query string, an exception message).

Control characters are escaped, so that one record is always one line: a request to
`/x%0a127.0.0.1 - - "GET /admin" 200` must not forge a second line in the access log, nor a
`\\r` overwrite one on a terminal. `\\n`, `\\r`, `\\t` and the backslash itself become `\\n`,
`\\r`, `\\t`, `\\\\`; every other C0 and C1 control, DEL and the Unicode line and paragraph
separators become `\\xNN` / `\\uNNNN`. The whole formatted record is escaped, traceback
included (a traceback is then one line with `\\n` in it; `sed 's/\\\\n/\\n/g'` unfolds it).

`SafeFormatter` does both; it is the formatter of Django's console handler (settings.LOGGING)
and of gunicorn's error and access logs (`GunicornLogger`, which `liuke serve` passes).
`RedactPersonalData` is the masking alone, as a filter, for handlers that bring their own
formatter.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
#: The secret in a public link (feedback: /f/s/<token>/ a survey, /f/b/<token>/ a suggestion
#: box): whoever holds a live survey link can answer it once, so it stays out of logs too.
_PUBLIC_TOKEN = re.compile(r"(/f/[sb]/)[^/\s\"?]+")
#: C0 controls, the backslash, DEL, C1 controls, and the Unicode line/paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\\\\\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def redact(text: str) -> str:
    return _PUBLIC_TOKEN.sub(r"\1[token]", _MOBILE.sub("[mobile]", text))


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """The text on one line, with every control character (and `\\`) escaped."""
    return _CONTROL.sub(_escape_one, text)


def log_safe(text: str) -> str:
    """What a log line may contain: masked, then escaped."""
    return escape_controls(redact(text))


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


class SafeFormatter(logging.Formatter):
    """A formatter whose every record comes out masked and on one line."""

    def format(self, record: logging.LogRecord) -> str:
        return log_safe(super().format(record))


def gunicorn_logger_class() -> type:
    """gunicorn's logger with `SafeFormatter` on its error and access logs (`liuke serve`
    passes `--logger-class liuke.core.logging.GunicornLogger`)."""
    from gunicorn.glogging import Logger

    # gunicorn ships no type information, so its Logger is `Any` to mypy.
    class _Logger(Logger):  # type: ignore[misc]
        def atoms(
            self, resp: object, req: object, environ: dict[str, Any], request_time: object
        ) -> dict[str, Any]:
            # Masked here as well, for a deployment that writes the atoms its own way.
            atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
            for key in ("U", "r"):
                if isinstance(atoms.get(key), str):
                    atoms[key] = redact(atoms[key])
            return atoms

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    current = handler.formatter or logging.Formatter()
                    handler.setFormatter(SafeFormatter(current._fmt, current.datefmt))

    return _Logger


GunicornLogger = gunicorn_logger_class()

#: The access log line of `liuke serve`: the path only, never the query string (a search for a
#: phone number stays out of logs).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
