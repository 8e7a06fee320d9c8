"""The API's shared pieces: one error shape and stable codes. Who may call the API (a staff
member's session or personal token) is the accounts app's: `accounts.api_auth`."""

from __future__ import annotations

import json
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.schema import DjangoGetter
from ninja.types import DictStrAny
from pydantic import ConfigDict, model_validator

from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.failures import Failure, retry_headers

#: Where the API is mounted (liuke.urls): requests under it are answered in the API's shape
#: even when they fail outside the API's own handlers (in a middleware, or before routing).
API_PREFIX = "/api/"


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class JsonObjectIn(Schema):
    """A request body: a JSON object. (ninja's Schema alone reads any other JSON value, such as
    `[null, null]`, as an empty object, so a malformed PATCH would succeed as a no-op.)

    Strict: a number is a JSON number and a yes/no a JSON boolean (pydantic would read `"1"` and
    `true` as the id 1, and `0` as false). What JSON can only send as text is read from text by
    the shared input types (`liuke.core.inputs`: `Day`, `Moment`, `Choice`)."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _a_json_object(cls, data: Any) -> Any:
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            raise ValueError("Expected a JSON object.")
        return data


#: Responses every operation may give besides its success; declared so the OpenAPI schema
#: documents every status code the API can return.
#: 413, 415, 500 and 503 come from the failure handlers (`failure_response`): a body too large,
#: a JSON body not sent as JSON, a bug, the database down or a deadlock lost.
_FAILURES: dict[int, Any] = {413: ErrorOut, 500: ErrorOut, 503: ErrorOut}
ERRORS: dict[int, Any] = {
    **{400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    **_FAILURES,
}
READ_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    **_FAILURES,
}


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


def django_errors(exc: DjangoValidationError) -> tuple[str, dict[str, list[str]]]:
    """(first code, messages by field) of a Django ValidationError."""
    fields: dict[str, list[str]] = {}
    code: str = CoreErrorCode.INVALID
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            for err in errs:
                code = (
                    code if code != CoreErrorCode.INVALID else (err.code or CoreErrorCode.INVALID)
                )
                fields.setdefault(field, []).extend(str(m) for m in err.messages)
    else:
        code = exc.code or CoreErrorCode.INVALID
        fields["__all__"] = [str(m) for m in exc.messages]
    return code, fields


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_json(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    """The error shape without a NinjaAPI at hand: for the failures Django's own error
    handlers meet (`liuke.web.error_views`) and the middleware's refusals."""
    response = JsonResponse({"code": code, "message": message, "fields": {}}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def failure_response(failure: Failure) -> HttpResponse:
    return error_json(failure.status, failure.code, failure.message, retry_headers(failure))


class UnsupportedMediaType(Exception):
    """A JSON body sent as something else (or as nothing named)."""


class JsonBodyParser(Parser):
    """Reads a body only when it says it is JSON: a client that sends JSON as text/plain or a
    form gets 415 instead of the body being read by luck (or refused as malformed)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if request.content_type != "application/json":
            raise UnsupportedMediaType(request.content_type)
        return cast(DictStrAny, json.loads(request.body, parse_float=_number))


def _number(text: str) -> float | int:
    """A JSON number with a fraction or exponent: an integer when it is one (2.0, 1e3), as JSON
    Schema counts it, so the strict bodies take it where an integer belongs; 1.5 stays a
    fraction and is refused there."""
    value = float(text)
    return int(value) if value.is_integer() else value


def install_error_handlers(api: NinjaAPI) -> None:
    def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.fields)

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        code, fields = django_errors(exc)
        first = next(iter(fields.values()), ["Invalid input."])[0]
        return error_response(api, request, 400, code, first, fields)

    def on_schema_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            loc = ".".join(str(p) for p in err.get("loc", ())[1:]) or "__all__"
            fields.setdefault(loc, []).append(str(err.get("msg", "invalid")))
        if all(err.get("type") == CoreErrorCode.DATE_OUT_OF_RANGE for err in exc.errors):
            # a day the schema allows (any ISO date) but a rule refuses: a 400 with its code,
            # as every other business rule, not a disagreement with the schema (422)
            first = next(iter(fields.values()))[0]
            return error_response(api, request, 400, CoreErrorCode.DATE_OUT_OF_RANGE, first, fields)
        return error_response(
            api, request, 422, CoreErrorCode.VALIDATION_ERROR, "Invalid input.", fields
        )

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, CoreErrorCode.NOT_AUTHENTICATED, "Log in first.")

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja wraps whatever the parser raised as "400 Cannot parse request body"
        if isinstance(exc.__cause__, UnsupportedMediaType):
            return error_response(
                api,
                request,
                415,
                CoreErrorCode.UNSUPPORTED_MEDIA_TYPE,
                _("Send the body as JSON, with the header Content-Type: application/json."),
            )
        code = {403: CoreErrorCode.PERMISSION_DENIED, 404: CoreErrorCode.NOT_FOUND}.get(
            exc.status_code, CoreErrorCode.ERROR
        )
        return error_response(api, request, exc.status_code, code, str(exc))

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, CoreErrorCode.NOT_FOUND, "Not found.")

    def on_bad_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # e.g. "Content-Type: multipart/form-data" without a boundary, met by the CSRF check.
        return error_response(
            api, request, 400, CoreErrorCode.BAD_REQUEST, "The request body is malformed."
        )

    handlers: list[tuple[type[Exception], Any]] = [
        (ServiceError, on_service_error),
        (DjangoValidationError, on_django_validation),
        (NinjaValidationError, on_schema_validation),
        (AuthenticationError, on_auth),
        (HttpError, on_http),
        (Http404, on_404),
        (MultiPartParserError, on_bad_body),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
