"""The authentication every API operation uses: a logged-in staff member's session (CSRF
checked on unsafe methods) or their personal API token (`Authorization: Bearer lk_…`).

Two rules hold here, in the authentication itself and not only in a middleware in front of it:

- a request that offers a credential (any `Authorization` header) is judged by that credential
  alone: when it fails the answer is 401 `invalid_token`, never a fall back to the session
  (a present but invalid credential is a refusal);
- a session whose user has two-factor login on authenticates nothing until the code has been
  entered in that session (401 `two_factor_required`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from liuke.accounts import policy
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.http import second_factor_pending
from liuke.accounts.services import api_token_user
from liuke.core.errors import ServiceError

_HEADER = "Authorization"


class CredentialRefused(ServiceError):
    """An API request's credential is refused: 401 in the API's one error shape."""

    status = 401


def offers_credential(request: HttpRequest) -> bool:
    """The request carries an `Authorization` header (even an empty one)."""
    return _HEADER in request.headers


class StaffSessionAuth(SessionAuth):
    """A logged-in, active staff member of a business (CSRF checked on unsafe methods) whose
    session has passed the second factor if they have one; never used beside a credential."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if offers_credential(request):
            return None  # the token's refusal stands; the session is no second chance
        user = getattr(request, "user", None)
        if not policy.is_staff_member(user):
            return None
        if second_factor_pending(user):
            raise CredentialRefused(
                AccountsErrorCode.TWO_FACTOR_REQUIRED, "Enter your login code first."
            )
        return user


class StaffTokenAuth(HttpBearer):
    """`Authorization: Bearer lk_…`: a staff member's personal API token (no CSRF needed).
    Any other `Authorization` header, or a token that is unknown, revoked or whose staff
    member is no longer active, is refused with 401."""

    def __call__(self, request: HttpRequest) -> Any:
        if not offers_credential(request):
            return None  # no credential offered: the session may answer
        scheme, _sep, token = request.headers[_HEADER].partition(" ")
        user = self.authenticate(request, token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise CredentialRefused(AccountsErrorCode.INVALID_TOKEN, "The API token is not valid.")
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is None or not policy.is_staff_member(user):
            return None
        request.user = user
        return user
