from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from liuke.accounts import policy
from liuke.core.registry import NavEntry, registry


def navigation_entries() -> list[NavEntry]:
    """The navigation every app contributes, by weight. Roles drive what appears."""
    return sorted(registry.items("navigation"), key=lambda entry: entry.weight)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not policy.is_staff_member(user):
        return {"nav": [], "money": False}
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "nav": [
            {"url": reverse(e.url_name), "label": e.label, "active": e.url_name == current}
            for e in navigation_entries()
            if policy.can(user, e.capability)
        ],
        "caps": {c.name: True for c in policy.capabilities(user)},
        # the `money` tag and `{% if money %}` sections read it (FieldClass.MONEY)
        "money": policy.sees_money(user),
    }
