from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.core.registry import NavEntry, NavGroup, import_dotted, registry

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
    # lazy: a partial (an htmx answer) shows no navigation and pays nothing for its counts
    nav = SimpleLazyObject(lambda: _nav_items(user, current))
    return {
        "nav": nav,
        # the menu, grouped by task (a phone's menu reads as the day, not as a list of apps)
        "nav_groups": SimpleLazyObject(lambda: _nav_groups(nav)),
        "nav_current": SimpleLazyObject(
            lambda: next((str(item["label"]) for item in nav if item["active"]), "")
        ),
        # everything waiting behind the links, on the closed menu's button
        "nav_waiting": SimpleLazyObject(lambda: sum(item["badge"]() for item in nav)),
        "caps": {c.name: True for c in policy.capabilities(user)},
        # the `money` tag and `{% if money %}` sections read it (FieldClass.MONEY)
        "money": policy.sees_money(user),
    }


def _nav_groups(nav: Any) -> list[dict[str, Any]]:
    return [
        {"key": str(group), "label": label, "items": items}
        for group, label in NAV_GROUP_LABELS.items()
        if (items := [item for item in nav if item["group"] == group])
    ]


def _nav_items(user: policy.Actor, current: str) -> list[dict[str, Any]]:
    entries = [e for e in navigation_entries() if policy.can(user, e.capability)]
    # Each item's `badge` is called by the template; the first call runs the one query for all.
    counts = SimpleLazyObject(lambda: waiting_counts(user, entries))
    return [
        {
            "url": reverse(e.url_name),
            "label": e.label,
            "active": e.url_name == current,
            "group": e.group,
            "badge": partial(_count, counts, e.url_name),
        }
        for e in entries
    ]


def _count(counts: Any, url_name: str) -> int:
    return int(counts.get(url_name, 0))


def waiting_counts(user: policy.Actor, entries: list[NavEntry]) -> dict[str, int]:
    """What waits for `user` behind each link (`NavEntry.badge`), every count in one query:
    the scalar subqueries the apps contribute, selected together on the user's own row. Counts
    only: nothing about a customer is shown, so nothing is audited."""
    found: dict[str, tuple[str, Any]] = {}
    for e in entries:
        expression = import_dotted(e.badge)(user) if e.badge else None
        if expression is not None:
            found[f"n{len(found)}"] = (e.url_name, expression)
    if not found:
        return {}
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(**{key: expression for key, (_name, expression) in found.items()})
        .values(*found)
        .first()
    )
    return {name: int(row[key] or 0) for key, (name, _e) in found.items()} if row else {}
