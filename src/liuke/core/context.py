"""The current request's id and actor, held in context variables (after NetBox's netbox/context.py).

Services read them to stamp history and audit entries without every call passing them down.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
