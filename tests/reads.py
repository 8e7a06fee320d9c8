"""A read must not write: pages and API GETs only read (a business's defaults are written when
it is created). The audit trail of a read is the one write a read makes on purpose."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

#: Tables a read may write: the audit trail of the read itself and the login session.
READ_MAY_WRITE = re.compile(r'^"?(audit_|django_session)')
_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)


def writes_of_get(client: Client, url: str) -> list[str]:
    """The tables a GET of `url` wrote to, besides the audit trail and the session; the
    response must be a 200."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    tables = []
    for query in ctx.captured_queries:
        found = _WRITE.match(query["sql"])
        if found and not READ_MAY_WRITE.match(found.group(2)):
            tables.append(found.group(2))
    return tables
