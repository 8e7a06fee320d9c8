"""The authentication every API operation uses: a logged-in staff member's session (CSRF
checked on unsafe methods) or their personal API token (`Authorization: Bearer lk_…`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from liuke.accounts import policy
from liuke.accounts.services import api_token_user


class StaffSessionAuth(SessionAuth):
    """A logged-in, active staff member of a business (CSRF checked on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if policy.is_staff_member(user) else None


class StaffTokenAuth(HttpBearer):
    """`Authorization: Bearer lk_…`: a staff member's personal API token (no CSRF needed)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is None or not policy.is_staff_member(user):
            return None
        request.user = user
        return user
