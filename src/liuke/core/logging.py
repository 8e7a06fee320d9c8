"""A logging filter that keeps personal data out of logs.

Mobile numbers (and any long run of digits that looks like one) are masked before a record is
written, whatever logger produced it: staff-facing code should not log them at all, and this
catches what slips through (a library echoing a query string, an exception message).
"""

from __future__ import annotations

import logging
import re

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def redact(text: str) -> str:
    return _MOBILE.sub("[mobile]", text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
