from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import cast
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, RequestDataTooBig, ValidationError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect
from django.urls import get_resolver, get_urlconf
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from liuke.core import context
from liuke.core.api import error_json, is_api_request
from liuke.core.clientaddr import client_address
from liuke.core.errors import (
    CapabilityDenied,
    CoreErrorCode,
    NotFound,
    PermissionDenied,
    ServiceError,
)


class RequestIdMiddleware:
    """Gives every request an id (kept from `X-Request-ID` when a proxy set one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if incoming.isascii() and 8 <= len(incoming) <= 64 else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        t1 = context.request_id.set(rid)
        t2 = context.client_ip.set(client_address(request))  # what the audit log records
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(t1)
            context.client_ip.reset(t2)
        response["X-Request-ID"] = rid
        return response


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django reads it: an unreadable length is an empty body


def refuse(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The project's 400 handler's answer to a request refused at the edge (it tells a body too
    large, 413, and one not UTF-8 apart): what Django answers when it raises such an exception
    itself, without the error log and traceback of an exception (a client's mistake, no bug)."""
    # typed by the stubs as handler500's (request only); handler400 takes the exception too
    handler = cast(
        Callable[[HttpRequest, Exception], HttpResponse],
        get_resolver(get_urlconf()).resolve_error_handler(400),
    )
    return handler(request, exc)


class ApiEdgeMiddleware:
    """Keeps the API's one error shape at its edge, where no operation runs:

    - a body declared larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused (413, through the
      error handlers) before anything reads it or asks the database who is calling, on every
      operation alike: Django refuses it only when something reads the body;
    - a method the path does not take (405, which ninja answers with an empty page).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_request(request):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and declared_length(request) > limit:
            too_big = RequestDataTooBig("The request body exceeded DATA_UPLOAD_MAX_MEMORY_SIZE.")
            return refuse(request, too_big)
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            refused = error_json(
                405, CoreErrorCode.METHOD_NOT_ALLOWED, _("This address does not take that method.")
            )
            if response.has_header("Allow"):
                refused["Allow"] = response["Allow"]
            return refused
        return response


class InvalidEncoding(BadRequest):
    """A body that is not UTF-8 text: answered 400 `invalid_encoding` (liuke.web.error_views)."""


#: The bodies that are text through and through; a multipart body carries files.
_TEXT_BODIES = ("application/x-www-form-urlencoded", "application/json")
_MULTIPART = "multipart/form-data"
_REPLACEMENT = "\ufffd"


class Utf8InputMiddleware:
    """Refuses a form (urlencoded or multipart) or JSON body that is not valid UTF-8, before a
    view reads it: Django would decode a form's invalid bytes as U+FFFD and store that, where
    the API's JSON parser refuses them; now both refuse alike, with one code and message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.content_type in _TEXT_BODIES and declared_length(request) > 0:
            raw = request.body
            if request.content_type != "application/json":
                raw = unquote_to_bytes(raw.replace(b"+", b" "))
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return refuse(request, InvalidEncoding("The request body is not UTF-8."))
        elif (
            request.content_type == _MULTIPART
            and declared_length(request) > 0
            and _multipart_replaced(request)
        ):
            return refuse(request, InvalidEncoding("A form field is not UTF-8."))
        return self.get_response(request)


def _multipart_replaced(request: HttpRequest) -> bool:
    """Whether a multipart form's field names, text fields or file names hold U+FFFD.

    Its body may carry large files, so it is not read whole here: Django's own parser reads it
    (once; the views get the result) and decodes every invalid byte of a text as U+FFFD, the
    mark left where bytes were not UTF-8. A form typed in a browser never sends that character
    itself, so finding it is refusing the invalid bytes it stands for.
    """
    try:
        texts = [*request.POST.keys(), *request.FILES.keys()]
        texts += [v for values in request.POST.lists() for v in values[1]]
        texts += [f.name or "" for files in request.FILES.lists() for f in files[1]]
    except MultiPartParserError:
        return False  # a malformed body is Django's to refuse, as before
    return any(_REPLACEMENT in text for text in texts)


def refusal_text(exc: Exception) -> str:
    """What a refused write tells the user: a service's message, or a validation's messages."""
    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def safe_next(request: HttpRequest) -> str | None:
    """The `next` of a form or query string when it is a path on this site, else None (an
    absolute or scheme-relative URL would send the user to another site)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


class PageErrorMiddleware:
    """The one place a page's refusal becomes an answer, so views do not catch them:

    - `NotFound` → 404; `CapabilityDenied` (a missing capability) → 404 as well, the same answer
      as a missing page; any other `PermissionDenied` (a key account's card, one's own request)
      → 403;
    - a `ServiceError` or Django `ValidationError` on a POST → its message shown on the next
      page and a redirect back: to a safe `next`, else to `request.back` (set by the view), else
      to the same path. On other methods they are left to Django (a bug, not a refusal).

    The API has its own error shape (`liuke.core.api`) and is left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if is_api_request(request):
            return None
        if isinstance(exc, NotFound | CapabilityDenied):
            return response_for_exception(request, Http404())
        if isinstance(exc, PermissionDenied):
            return response_for_exception(request, DjangoPermissionDenied(exc.message))
        if request.method != "POST":
            return None
        if not isinstance(exc, ServiceError | ValidationError):
            return None
        messages.error(request, refusal_text(exc))
        return redirect(safe_next(request) or getattr(request, "back", None) or request.path)
