from __future__ import annotations

from typing import Any

from django import template

from liuke.accounts import policy
from liuke.core.money import format_yuan

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


def _viewer(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


#: What a figure or detail the viewer may not see reads as (the history's mark for hidden values).
HIDDEN = "***"


@register.simple_tag(takes_context=True)
def money(context: dict[str, Any], fen: int | None) -> str:
    """A money figure about a customer (`policy.FieldClass.MONEY`: visit totals, payments,
    balances, package prices, spend and value) formatted like the `yuan` filter for staff who
    see money, and hidden from the others (`policy.sees_money`). Whole sections of figures test
    `{% if money %}` (the same fact, from `web.context_processors.navigation`)."""
    return format_yuan(fen) if policy.sees_money(_viewer(context)) else HIDDEN


@register.simple_tag(takes_context=True)
def listed_detail(context: dict[str, Any], customer: Any, value: Any) -> Any:
    """A detail of a customer's file (`policy.FieldClass.FILE`: the card number, a contact's
    notes) in a row that names the customer: shown unless they are a key account the viewer
    does not look after (`policy.lists_file_details`). Use as
    `{% listed_detail c c.card_no as card_no %}`."""
    user = _viewer(context)
    if policy.is_staff_member(user) and policy.lists_file_details(user, customer):
        return value
    return ""
