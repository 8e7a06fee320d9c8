"""Retried money writes move money once: the `Idempotency-Key` of the API, the hidden key of a
page's form.

Every API operation that moves money or appends to a ledger (a card, package or stock entry, a
payment, a refund) is declared with `@money_write`, under its router decorator::

    @router.post("/packages", response={201: PackageOut, **ERRORS}, summary="Sell a package")
    @money_write
    def package_sell(request: HttpRequest, payload: PackageSellIn) -> Status[Any]:
        ...

The decorator runs the handler through `run_idempotent` and marks the operation in the OpenAPI
schema (`x-money-write: true`, the `Idempotency-Key` header parameter), and a test calls every
unsafe operation and fails for any that writes a ledger row without the mark
(tests/test_money_writes.py). A page's POST that moves money is wrapped in `@form_once` and its
form carries `{% once_key %}` (template library `liuke_once`).

The record is inserted *first*, in the same transaction as the work: a second request with the
same key blocks on the unique index (PostgreSQL) or on the write lock (SQLite) until the first
commits, then fails to insert and replays the stored answer. So twenty identical requests sent at
once do the work once and all get the same answer; a failed first attempt (an error response)
leaves nothing behind and may be retried.

Two requests are the same request when their method, path, query and *canonical* body are: a
JSON body is parsed and dumped with sorted keys and compact separators (so another key order or
spacing is the same request), a form's fields are sorted (its CSRF token left out), any other
body counts by its bytes.

A key is remembered for `LIUKE_IDEMPOTENCY_DAYS` (7 by default: a retry comes within seconds or
minutes, a client's queue that was offline within days); the nightly `purge_expired` forgets older
ones, so the table holds about a week of writes instead of growing for ever.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Status
from ninja.operation import Operation
from ninja.utils import contribute_operation_callback

from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
#: The hidden field of a page's form (`{% once_key %}`) that carries its key.
FORM_FIELD = "idempotency_key"
#: The OpenAPI extension that marks an operation declared with `@money_write`.
OPENAPI_MARK = "x-money-write"
_KEY = re.compile(r"^[A-Za-z0-9._:\-]{8,100}$")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PENDING = 0
#: Rows deleted per statement by the purge: each batch is a short write, never a long lock.
PURGE_BATCH = 5000

P = ParamSpec("P")
F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R", bound=HttpResponseBase)


class IdempotencyConflict(ServiceError):
    status = 422

    def __init__(self) -> None:
        super().__init__(
            CoreErrorCode.IDEMPOTENCY_KEY_REUSED,
            _("This Idempotency-Key was already used for a different request."),
        )


def canonical_body(request: HttpRequest) -> bytes:
    """The body as compared between two requests with one key (see the module's docstring)."""
    if request.content_type in _FORM_TYPES:
        fields = sorted(
            (name, sorted(values))
            for name, values in request.POST.lists()
            if name != "csrfmiddlewaretoken"
        )
        return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()
    raw = request.body or b""
    try:
        parsed = json.loads(raw)
    except ValueError:  # not JSON (UnicodeDecodeError is a ValueError too): its bytes
        return raw
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (
        (request.method or "").encode(),
        request.path.encode(),
        json.dumps(sorted(request.GET.lists()), ensure_ascii=False).encode(),
        canonical_body(request),
    ):
        # Each part's length first, so that no two different requests join to the same bytes.
        digest.update(f"{len(part)}:".encode())
        digest.update(part)
    return digest.hexdigest()


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ServiceError(
            CoreErrorCode.INVALID_IDEMPOTENCY_KEY,
            _("The Idempotency-Key must be 8 to 100 letters, digits or . _ : -"),
        )
    return key


def _once(
    request: HttpRequest,
    user_id: int,
    key: str,
    work: Callable[[], tuple[int, Any]],
    *,
    keep: Callable[[int], bool] = lambda status: True,
) -> tuple[int, Any]:
    """Run `work` once per (user, key): the first answer is stored, a repeat gets it back. An
    answer whose status `keep` refuses is not stored (the key may be used again)."""
    fingerprint = _fingerprint(request)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user_id=user_id,
                key=_checked(key),
                fingerprint=fingerprint,
                status_code=PENDING,
                response={},
            )
            status, body = work()
            record.status_code = status
            record.response = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            if keep(status):
                record.save(update_fields=["status_code", "response"])
            else:
                record.delete()
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
        if existing is None:
            raise
        if existing.fingerprint != fingerprint:
            raise IdempotencyConflict() from None
        return existing.status_code, existing.response
    return status, record.response


def run_idempotent(
    request: HttpRequest, user_id: int, work: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run `work` once per (user, Idempotency-Key); without the header, just run it."""
    key = request.headers.get(HEADER)
    if key is None:
        return work()
    return _once(request, user_id, key, work)


def purge_expired(*, now: Any = None) -> int:
    """Forget the records older than `LIUKE_IDEMPOTENCY_DAYS`, in short batches; the count."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.LIUKE_IDEMPOTENCY_DAYS)
    gone = 0
    while True:
        batch = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[
                :PURGE_BATCH
            ]
        )
        if not batch:
            return gone
        gone += IdempotencyRecord.objects.filter(pk__in=batch).delete()[0]


# --- the API: @money_write ----------------------------------------------------------------------

_HEADER_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "8 to 100 letters, digits or . _ : -. The same request sent again with the "
    "same key (another key order or spacing of the JSON is the same request) does the work once "
    "and answers the first answer; a different request with the same key answers 422 "
    "`idempotency_key_reused`.",
    "schema": {"type": "string", "pattern": _KEY.pattern},
}


def _success_status(operation: Operation) -> int:
    """The one 2xx status the operation declares: what a handler's plain return value means."""
    codes = [code for code in operation.response_models if isinstance(code, int) and code < 300]
    if len(codes) != 1:
        raise TypeError(f"@money_write needs exactly one 2xx response, not {codes}")
    return codes[0]


def _declare(operation: Operation) -> None:
    """Called by django-ninja when it builds the operation (after it has read the handler's
    signature, so the wrapper below need not copy it)."""
    handler = operation.view_func
    success = _success_status(operation)

    @functools.wraps(handler)
    def handle(request: HttpRequest, **values: Any) -> Any:
        actor = getattr(request, "auth", None)
        user_id = getattr(actor, "pk", None)
        if not isinstance(user_id, int):
            raise TypeError("@money_write is only used behind the staff authentication")

        def work() -> tuple[int, Any]:
            result = handler(request, **values)
            if isinstance(result, Status):
                return result.status_code, result.value
            return success, result

        return Status(*run_idempotent(request, user_id, work))

    operation.view_func = handle
    extra = operation.openapi_extra or {}
    operation.openapi_extra = {
        **extra,
        OPENAPI_MARK: True,
        "parameters": [*extra.get("parameters", []), _HEADER_PARAMETER],
    }
    note = (
        "Moves money: honours the `Idempotency-Key` header (the same request sent again is done "
        "once and answers the first answer)."
    )
    operation.description = f"{operation.description}\n\n{note}" if operation.description else note


def money_write(handler: F) -> F:
    """Declare an API operation that moves money or appends to a ledger. Put it *under* the
    router's decorator. The handler returns its body (the operation's one 2xx status) or a
    `Status`; raising refuses and leaves nothing behind, so a retry may succeed."""
    contribute_operation_callback(handler, _declare)
    return handler


# --- pages: @form_once and {% once_key %} ------------------------------------------------------


def _is_redirect(status: int) -> bool:
    return 300 <= status < 400


def form_once(
    view: Callable[Concatenate[Any, P], R],
) -> Callable[Concatenate[Any, P], R | HttpResponseRedirect]:
    """A page's POST that moves money: its form carries a hidden key (`{% once_key %}`), and a
    second submit with that key (a double click, the browser's resend) does nothing and
    redirects where the first one went. Put it under `@staff_view` and `@require_POST`.

    Only a redirect (the answer to a write that was done) is kept for a repeat: a form shown
    again with its errors keeps its key, and sending it corrected must run the view again."""

    @functools.wraps(view)
    def wrapper(request: Any, /, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponseRedirect:
        key = (request.POST.get(FORM_FIELD) or "").strip()
        if not key:
            return view(request, *args, **kwargs)
        first: list[R] = []

        def work() -> tuple[int, Any]:
            response = view(request, *args, **kwargs)
            first.append(response)
            return response.status_code, {"location": response.get("Location", "")}

        _status, body = _once(request, request.user.pk, key, work, keep=_is_redirect)
        if first:
            return first[0]
        messages.info(request, _("This form was already sent; it was not done twice."))
        return HttpResponseRedirect(body["location"])

    wrapper.money_form = True  # type: ignore[attr-defined]  # read by the page walk's test
    return wrapper
