"""Choosing the customer a form is about, for pages that start from a customer: the profile's
link (`?customer=<id>`, or the form's `customer_id`) or a search (`?q=` a name, a phone number,
a card…; one match is taken at once). Reads go through the selectors, so scope, key-account
rules and the audit apply as everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from liuke.accounts.models import User
from liuke.customers import selectors
from liuke.customers.models import Customer


def positive_id(value: Any) -> int | None:
    """An id from a form or query string; None for anything that cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


@dataclass(frozen=True)
class Picked:
    customer: Customer | None
    matches: list[Customer]
    query: str


def customer_pick(request: HttpRequest, actor: User, *, purpose: str) -> Picked:
    """The customer named by the request, or the search's matches (`NotFound`, a 404 page,
    for an id out of the actor's scope)."""
    customer = None
    customer_id = positive_id(request.POST.get("customer_id") or request.GET.get("customer"))
    if customer_id:
        customer = selectors.customer_get(actor=actor, customer_id=customer_id, purpose=purpose)
    query = request.GET.get("q", "")[:50].strip()
    matches = (
        selectors.customer_search(actor=actor, query=query, limit=10)
        if query and customer is None
        else []
    )
    if customer is None and len(matches) == 1:
        # fetched as a file for the purpose: a search row is not masked (`customer_get`)
        customer = selectors.customer_get(actor=actor, customer_id=matches[0].pk, purpose=purpose)
    return Picked(customer=customer, matches=matches, query=query)
