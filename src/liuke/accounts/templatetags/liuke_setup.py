"""`{% setup_checklist %}`: the first-run checklist on the home page, for owners, until every
step is done or they hide it (liuke.accounts.setup.checklist).

The tag renders a placeholder that htmx fills from `accounts:checklist_home` once the page has
loaded: the steps' predicates (a query or two per app) stay out of the customer list's own
request, whose query count is bounded.
"""

from __future__ import annotations

from typing import Any

from django import template

from liuke.accounts import policy

register = template.Library()


@register.inclusion_tag("accounts/partials/checklist_slot.html", takes_context=True)
def setup_checklist(context: template.Context) -> dict[str, Any]:
    user = getattr(context.get("request"), "user", None)
    return {"owner": policy.can(user, policy.Cap.SETTINGS_MANAGE)}
