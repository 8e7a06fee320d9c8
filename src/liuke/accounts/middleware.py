from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

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
        if user is not None and user.is_authenticated and _SINCE not in request.session:
            # Just logged in (login() rotated the session): start both clocks.
            request.session[_SINCE] = request.session[_SEEN] = int(time.time())
        return response
