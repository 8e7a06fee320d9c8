from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liuke.accounts import policy
from liuke.accounts.policy import Cap
from liuke.analytics.urls import NAV_LABEL as ANALYTICS_NAV

#: The navigation: (url name, label, capability needed). Roles drive what appears.
NAVIGATION = [
    ("customers:list", _("Customers"), Cap.CUSTOMER_VIEW),
    ("customers:create", _("New customer"), Cap.CUSTOMER_CREATE),
    ("customers:stale", _("To confirm"), Cap.CUSTOMER_CONFIRM),
    ("customers:duplicates", _("Duplicates"), Cap.CUSTOMER_MERGE),
    ("customers:access", _("Key-account access"), Cap.CUSTOMER_VIEW),
    ("sales:checkout", _("Checkout"), Cap.SALE_CHECKOUT),
    ("sales:daily_close", _("Daily close"), Cap.DAILY_CLOSE_VIEW),
    ("web:branches", _("Branches & staff"), Cap.BRANCH_STATS_VIEW),
    ("analytics:dashboard", ANALYTICS_NAV, Cap.ANALYTICS_VIEW),
    ("engagement:followups", _("Follow-ups"), Cap.ENGAGEMENT_VIEW),
    ("complaints:list", _("Complaints"), Cap.COMPLAINT_VIEW),
    ("feedback:results", _("Feedback"), Cap.FEEDBACK_VIEW),
    ("audit:log", _("Audit log"), Cap.AUDIT_VIEW),
    ("customers:retention", _("Retention"), Cap.SETTINGS_MANAGE),
    ("accounts:settings", _("Settings"), Cap.SETTINGS_MANAGE),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not policy.is_staff_member(user):
        return {"nav": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "nav": [
            {"url": reverse(name), "label": label, "active": name == current}
            for name, label, cap in NAVIGATION
            if policy.can(user, cap)
        ],
        "caps": {c.name: True for c in policy.capabilities(user)},
    }
