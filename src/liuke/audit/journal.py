"""One audit event per request for its reads (after NetBox's per-request event flush,
`netbox/context_managers.py`).

During a request, `audit_record` notes each read of personal data (a profile, its history, a
listing, a section served by another app) in the request's journal instead of appending it at
once; `AuditJournalMiddleware` writes what was noted as ONE event when the view has answered,
in its own transaction, so opening a profile takes the chain's head lock once instead of once per
section. If that write fails, the answer is replaced by an error and nothing read is sent: a read
whose record fails never returns data. Outside a request (jobs, the CLI, a test calling a
selector) there is no journal and each read is appended at once, as every change always is.

The event says everything the separate events said: its customers are every customer read, its
fields every section read (in the order read), its action the strongest read (opening a file
before searching, searching before listing) and its reason the reasons given (a borrowed file's
grant). When it opens a file and also lists other customers (a profile's possible duplicates),
one `files:<ids>` field names the customers whose file was opened, so the unusual-reading flags
(`audit.tasks`) count opened files, not every name shown on the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from liuke.audit.choices import Action
from liuke.audit.errors import AuditErrorCode

logger = logging.getLogger(__name__)

#: Opening a customer's file: the profile, its history, a photo (the unusual-reading flags count
#: the distinct customers of these).
FILE_ACTIONS = (Action.VIEW, Action.HISTORY, Action.PHOTO)
#: The combined event's action: the first of these that the request noted.
_STRENGTH = (Action.VIEW, Action.HISTORY, Action.PHOTO, Action.SEARCH, Action.LIST)
#: The field of a combined event naming the customers whose file was opened.
FILES_PREFIX = "files:"


@dataclass
class _Noted:
    actor: Any
    actions: list[str] = field(default_factory=list)
    customers: set[int] = field(default_factory=set)
    opened: set[int] = field(default_factory=set)
    sections: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


class ReadJournal:
    """The reads of one request, per acting user (in practice one), in the order noted."""

    def __init__(self) -> None:
        self._by_actor: dict[Any, _Noted] = {}

    def note(
        self,
        *,
        actor: Any,
        action: str,
        customer_ids: Iterable[int],
        fields: Iterable[str],
        reason: str,
    ) -> None:
        ids = {int(i) for i in customer_ids}
        key = getattr(actor, "pk", None)
        noted = self._by_actor.setdefault(key, _Noted(actor=actor))
        if action not in noted.actions:
            noted.actions.append(action)
        noted.customers |= ids
        if action in FILE_ACTIONS:
            noted.opened |= ids
        for name in fields:
            if str(name) not in noted.sections:
                noted.sections.append(str(name))
        if reason and reason not in noted.reasons:
            noted.reasons.append(reason)

    def flush(self) -> None:
        """Append one event per acting user, all in one transaction; the journal is emptied."""
        from liuke.audit.log import audit_record

        pending, self._by_actor = self._by_actor, {}
        if not pending:
            return
        # One acting user (every request but an odd one) is one append, already its own
        # transaction; several are written together.
        with transaction.atomic() if len(pending) > 1 else nullcontext():
            for noted in pending.values():
                action = next((a for a in _STRENGTH if a in noted.actions), noted.actions[0])
                fields = list(noted.sections)
                if action in FILE_ACTIONS and noted.opened != noted.customers:
                    fields.extend(_files_fields(noted.opened))
                audit_record(
                    actor=noted.actor,
                    action=action,
                    customer_ids=noted.customers,
                    fields=fields,
                    reason="; ".join(noted.reasons),
                    journal=False,
                )


_current: ContextVar[ReadJournal | None] = ContextVar("audit_read_journal", default=None)


def current() -> ReadJournal | None:
    """The journal of the request being served, or None outside a request."""
    return _current.get()


def flush_pending() -> None:
    """Write the reads noted so far in this request now (a no-op outside a request): for a reader
    of the log itself, whose own reads (the customer search that narrowed it) must show in what
    they read."""
    journal = current()
    if journal is not None:
        journal.flush()


@contextmanager
def read_journal() -> Iterator[ReadJournal]:
    """Note reads in a fresh journal for the duration (the caller flushes it)."""
    journal = ReadJournal()
    token = _current.set(journal)
    try:
        yield journal
    finally:
        _current.reset(token)


#: An event's field is cut at 100 characters: longer lists of opened files take several fields.
_FIELD_LENGTH = 100


def _files_fields(opened: set[int]) -> list[str]:
    return id_fields(FILES_PREFIX, opened)


def id_fields(prefix: str, ids: Iterable[int]) -> list[str]:
    """Event fields naming rows by id (`prefix` then ids, comma-separated), each at most 100
    characters: a long list takes several fields."""
    out: list[str] = []
    current: list[str] = []
    for pk in sorted(ids):
        if current and len(prefix) + len(",".join([*current, str(pk)])) > _FIELD_LENGTH:
            out.append(prefix + ",".join(current))
            current = []
        current.append(str(pk))
    if current:
        out.append(prefix + ",".join(current))
    return out


def opened_files(customer_ids: Iterable[int], fields: Iterable[str]) -> set[int]:
    """The customers whose file an event of a FILE_ACTION opened: those its `files:` fields name,
    else (an event of one read, or one that listed no one else) all its customers."""
    named = [f[len(FILES_PREFIX) :] for f in fields if f.startswith(FILES_PREFIX)]
    if named:
        return {int(i) for text in named for i in text.split(",") if i}
    return {int(i) for i in customer_ids}


class AuditJournalMiddleware:
    """Writes the request's reads as one audit event once the view has answered (pages and API).

    Sits just inside `RequestIdMiddleware`, so the event carries the request's id and address.
    When the write fails the answer is replaced: an API call gets the JSON error shape with 503,
    a page a 503 error page; the data read is never sent.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with read_journal() as journal:
            response = self.get_response(request)
            try:
                journal.flush()
            except Exception:
                # No personal data in the log: only that the record failed, and where.
                logger.exception(
                    "audit: the reads of request %s could not be recorded",
                    getattr(request, "request_id", "-"),
                )
                return _unrecorded(request)
        return response


def _unrecorded(request: HttpRequest) -> HttpResponse:
    message = _("The audit log could not record this read, so nothing is shown. Try again.")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": AuditErrorCode.READ_NOT_RECORDED.value, "message": message, "fields": {}},
            status=503,
        )
    return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
