"""`{% setup_checklist %}`: the first-run checklist on the home page, for owners, until every
step is done or they hide it (liuke.accounts.setup.checklist)."""

from __future__ import annotations

from typing import Any, cast

from django import template

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.accounts.setup.checklist import checklist

register = template.Library()


@register.inclusion_tag("accounts/partials/checklist_home.html", takes_context=True)
def setup_checklist(context: template.Context) -> dict[str, Any]:
    user = getattr(context.get("request"), "user", None)
    if not policy.can(user, policy.Cap.SETTINGS_MANAGE):
        return {"checklist": None}
    found = checklist(actor=cast(User, user))
    # (Django hands the page's CSRF token on to an inclusion tag's template by itself.)
    return {"checklist": found if found is not None and found.shown else None}
