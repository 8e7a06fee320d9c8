from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from liuke.core import context
from liuke.core.clientaddr import client_address
from liuke.core.errors import CapabilityDenied, NotFound, PermissionDenied, ServiceError


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
        if request.path.startswith("/api/"):
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
