"""The API's shared pieces: one error shape and stable codes. Who may call the API (a staff
member's session or personal token) is the accounts app's: `accounts.api_auth`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.schema import DjangoGetter
from pydantic import model_validator

from liuke.core.errors import CoreErrorCode, ServiceError


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class JsonObjectIn(Schema):
    """A request body: a JSON object. (ninja's Schema alone reads any other JSON value, such as
    `[null, null]`, as an empty object, so a malformed PATCH would succeed as a no-op.)"""

    @model_validator(mode="before")
    @classmethod
    def _a_json_object(cls, data: Any) -> Any:
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            raise ValueError("Expected a JSON object.")
        return data


#: Responses every operation may give besides its success; declared so the OpenAPI schema
#: documents every status code the API can return.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


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
        return error_response(
            api, request, 422, CoreErrorCode.VALIDATION_ERROR, "Invalid input.", fields
        )

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, CoreErrorCode.NOT_AUTHENTICATED, "Log in first.")

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
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
