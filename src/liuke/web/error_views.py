"""Django's error handlers (`handler400`, `handler403`, `handler404`, `handler500` in
liuke.urls): what a request that fails outside a view's own answers gets.

Under the API (`/api/`) the answer is the API's error shape with a stable code, whatever failed
and wherever (a middleware, the router, an operation): 503 `database_unavailable` or
`database_conflict` with `Retry-After`, 413 `body_too_large`, 404, 403, 400, else 500
`server_error`; never an HTML page or a traceback. A page gets a friendly page in the user's
language. The 500 and 503 pages need no database (the database may be what failed): they are
rendered without the request's context (no user, no navigation), in the language the request
asks for.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from liuke.core.api import error_json, failure_response, is_api_request
from liuke.core.errors import CoreErrorCode
from liuke.core.failures import failure_of, retry_headers
from liuke.core.middleware import InvalidEncoding


def in_request_language(
    handler: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Answers in the language the request asks for: the failure may come before
    LocaleMiddleware ran (a middleware refusing the body, the database failing on the session).
    Read the way LocaleMiddleware reads it, from the cookie and Accept-Language: no database."""

    @wraps(handler)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override(translation.get_language_from_request(request)):
            return handler(request, *args, **kwargs)

    return answer


@in_request_language
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, InvalidEncoding):
        reason = _(
            "The form contained bytes that are not valid text (UTF-8). Nothing was saved; "
            "type the text again or paste it as plain text."
        )
        if is_api_request(request):
            return error_json(400, CoreErrorCode.INVALID_ENCODING, reason)
        return render(request, "400.html", {"reason": reason}, status=400)
    if isinstance(exception, RequestDataTooBig):
        failure = failure_of(exception)
        if is_api_request(request):
            return failure_response(failure)
        return render(request, "413.html", status=413)
    if is_api_request(request):
        return error_json(400, CoreErrorCode.BAD_REQUEST, _("The request could not be read."))
    return render(request, "400.html", status=400)


@in_request_language
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_json(
            403, CoreErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
        )
    # Our refusals carry a message written for the user (a key account's card, say).
    return render(request, "403.html", {"reason": str(exception)}, status=403)


@in_request_language
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_json(404, CoreErrorCode.NOT_FOUND, _("Not found."))
    return render(request, "404.html", status=404)


@in_request_language
def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls it from inside its `except`: the exception is the one being handled."""
    failure = failure_of(sys.exc_info()[1])
    if is_api_request(request):
        return failure_response(failure)
    template = "503.html" if failure.status == 503 else "500.html"
    body = loader.render_to_string(template, {"message": failure.message})
    response = HttpResponse(body, status=failure.status)
    for name, value in retry_headers(failure).items():
        response[name] = value
    return response
