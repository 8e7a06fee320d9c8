"""The Content-Security-Policy header (Django 5.2 has none built in).

Everything Liuke serves comes from its own origin: scripts (htmx and app.js, no inline script
and no inline handler anywhere), styles, images (photos through the checked view), forms. The
policy forbids the rest, so an injected `<script>` in a customer's name could not run even if an
escaping bug let it into a page. `LIUKE_CSP` in the environment replaces it (e.g. to add a CDN).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "LIUKE_CSP", "") or DEFAULT_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The browsable API docs (Swagger UI) load their own scripts: they keep Django's
        # defaults and are reachable only when logged in.
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
