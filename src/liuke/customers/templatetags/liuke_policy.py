from __future__ import annotations

from typing import Any

from django import template

from liuke.accounts import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def present_mobile(context: dict[str, Any], mobile: str) -> str:
    """Show a mobile number as the policy allows this user to see it."""
    return policy.present_mobile(context["request"].user, mobile) or "—"


@register.simple_tag(takes_context=True)
def listed_mobile(context: dict[str, Any], customer: Any) -> str:
    """A customer's mobile in a list, as the policy allows this user to see it there (a key
    account someone else looks after: masked)."""
    return policy.present_listed_mobile(context["request"].user, customer) or "—"
