"""The audit benchmark's server (`gunicorn "liuke.bench.audit_server:application()"`): Liuke's
own URLs plus a bare one-row view that gives the floor (URLs in liuke.bench.audit_urls, loaded
once Django is set up). Production never loads these modules."""

from __future__ import annotations

import os
from typing import Any

from django.http import HttpRequest, JsonResponse


def bare_customer(request: HttpRequest, pk: int) -> JsonResponse:
    """One customer row by primary key, as JSON; no authentication, policy or audit."""
    from liuke.customers.models import Customer

    row = Customer.objects.filter(pk=pk).values("id", "name", "branch_id").first()
    return JsonResponse(row or {}, status=200 if row else 404)


def application() -> Any:
    """The WSGI application: Liuke's settings with this module as the URL configuration."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    settings.ROOT_URLCONF = "liuke.bench.audit_urls"
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()
