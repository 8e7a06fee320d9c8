"""What the sales pages share: the form errors as one message, the customer or a 404, the
actor's branches, the way back after a form."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from liuke.accounts import policy
from liuke.accounts import selectors as account_selectors
from liuke.accounts.http import StaffRequest
from liuke.accounts.models import Branch, User
from liuke.core.middleware import safe_next
from liuke.customers import selectors as customer_selectors
from liuke.customers.models import Customer
from liuke.sales.models import BonusRule, CardTier


def form_errors(form: Any) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


def customer_or_404(request: StaffRequest, customer_id: Any, purpose: str) -> Customer:
    try:
        return customer_selectors.customer_get(
            actor=request.user, customer_id=customer_id, purpose=purpose
        )
    except (ValueError, TypeError):  # an id typed by hand in the query string
        raise Http404 from None


def staff_branches(actor: User) -> list[Branch]:
    return list(account_selectors.branch_choices(actor=actor).order_by("id"))


def default_branch(actor: User, customer: Customer | None) -> Branch | None:
    branches = staff_branches(actor)
    for b in branches:
        if customer is not None and b.pk == customer.branch_id:
            return b
    return branches[0] if branches else None


def bonus_rules(actor: User) -> list[BonusRule]:
    return list(
        BonusRule.objects.filter(business_id=policy.business_of(actor), is_active=True).order_by(
            "pay_fen"
        )
    )


def tier_choices(actor: User, *, blank: str = "") -> list[tuple[Any, str]]:
    """The tiers a new card may be issued at: a retired tier is offered no more (the cards
    already on it keep their member price)."""
    tiers = CardTier.objects.filter(business_id=policy.business_of(actor), is_active=True)
    return [("", blank)] + [(t.pk, f"{t.name} ({t.discount_pct}%)") for t in tiers]


def back_to(request: StaffRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (a local path only)."""
    return redirect(safe_next(request) or default)
