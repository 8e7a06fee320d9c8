from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liuke.accounts import policy
from liuke.core.registry import NavEntry, NavGroup, registry

#: The menu's headings, in the order the menu shows the groups.
NAV_GROUP_LABELS = {
    NavGroup.DAILY: _("Daily work"),
    NavGroup.CUSTOMERS: _("Customers"),
    NavGroup.MONEY: _("Money"),
    NavGroup.FEEDBACK: _("Feedback & complaints"),
    NavGroup.ANALYSIS: _("Analysis"),
    NavGroup.SETTINGS: _("Settings"),
}


def navigation_entries() -> list[NavEntry]:
    """The navigation every app contributes, by weight. Roles drive what appears."""
    return sorted(registry.items("navigation"), key=lambda entry: entry.weight)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not policy.is_staff_member(user):
        return {"nav": [], "nav_groups": [], "money": False}
    current = request.resolver_match.view_name if request.resolver_match else ""
    nav = [
        {
            "url": reverse(e.url_name),
            "label": e.label,
            "active": e.url_name == current,
            "group": e.group,
        }
        for e in navigation_entries()
        if policy.can(user, e.capability)
    ]
    groups = [
        {"key": str(group), "label": label, "items": items}
        for group, label in NAV_GROUP_LABELS.items()
        if (items := [item for item in nav if item["group"] == group])
    ]
    return {
        "nav": nav,
        # the menu, grouped by task (a phone's menu reads as the day, not as a list of apps)
        "nav_groups": groups,
        "nav_current": next((item["label"] for item in nav if item["active"]), None),
        "caps": {c.name: True for c in policy.capabilities(user)},
        # the `money` tag and `{% if money %}` sections read it (FieldClass.MONEY)
        "money": policy.sees_money(user),
    }
