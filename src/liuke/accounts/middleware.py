from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from liuke.accounts.errors import AccountsErrorCode

_SEEN = "liuke_last_seen"
_SINCE = "liuke_logged_in_at"


class SessionIdleTimeoutMiddleware:
    """End a session idle for longer than LIUKE_SESSION_IDLE_SECONDS, or older than
    SESSION_COOKIE_AGE since login whatever the activity (Django alone would push the expiry
    forward on every save of the session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_SEEN)
            since = request.session.get(_SINCE)
            idle = isinstance(last, int) and now - last > settings.LIUKE_SESSION_IDLE_SECONDS
            too_old = isinstance(since, int) and now - since > settings.SESSION_COOKIE_AGE
            if idle or too_old:
                logout(request)
            elif not isinstance(last, int) or now - last >= 60:
                # At most one session write a minute for the idle clock.
                request.session[_SEEN] = now
        response = self.get_response(request)
        user = getattr(request, "user", None)
        logged_in = "_auth_user_id" in request.session  # not a bearer token's user
        if (
            user is not None
            and user.is_authenticated
            and logged_in
            and _SINCE not in request.session
        ):
            # Just logged in (login() rotated the session): start both clocks.
            request.session[_SINCE] = request.session[_SEEN] = int(time.time())
        return response


#: Paths a password-authenticated but not yet code-verified user may reach.
_UNVERIFIED_ALLOWED = ("/login/verify/", "/logout/", "/static/", "/healthz", "/i18n/")


class TwoFactorMiddleware:
    """A staff member with two-factor login on reaches nothing but the code page until they
    have entered a valid TOTP code in this session (django-otp's `is_verified`). The API
    answers 401 meanwhile; a request with an `Authorization` header goes on to the API, whose
    authentication (`accounts.api_auth`) judges it by that credential alone and itself refuses
    a session without its code, as `staff_view` does for pages: this middleware is the
    friendly redirect, not the only gate."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "two_factor_enabled", False)
            and not user.is_verified()
            and not request.path.startswith(_UNVERIFIED_ALLOWED)
        ):
            if request.path.startswith("/api/"):
                if request.headers.get("Authorization", "").startswith("Bearer "):
                    return self.get_response(request)
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "code": AccountsErrorCode.TWO_FACTOR_REQUIRED,
                        "message": "Enter your login code first.",
                    },
                    status=401,
                )
            from urllib.parse import urlencode

            from django.shortcuts import redirect

            return redirect(f"/login/verify/?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class NoStoreMiddleware:
    """Every answer to a logged-in staff member (a page, a partial, a file, an error) and every
    API answer carries `Cache-Control: no-store, private`: they hold personal data, which no
    browser cache, shared computer's disk or proxy may keep. Static files (served before this
    by WhiteNoise) and anonymous pages are left alone; the public customer pages mark
    themselves with `never_cache`, which includes `no-store` too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: an API token's user is put on the request by the API itself.
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response
