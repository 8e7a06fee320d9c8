"""The lookups every sales write starts with: the actor's customer, branch, card or package
(locked where money moves), and the checks a card must pass before it is used.

A write that locks more than one row locks them in the order docs/money.md gives ("Locks and
retries"): the customer first, then packages, cards and products, each table's rows in key order
(`lock_accounts`). Locking a row again later in the same transaction (`locked_card`) is free."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one, lock_rows
from liuke.customers.models import Customer
from liuke.sales.choices import (
    MONEY_METHODS,
    CardStatus,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    Package,
    Product,
    StoredValueCard,
)


def customer_for(actor: User, customer_id: Any) -> Customer:
    qs = policy.scope_customers(actor, Customer.objects.all())
    try:
        customer = qs.filter(pk=int(customer_id)).first()
    except (TypeError, ValueError):
        customer = None
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def locked_customer_for(actor: User, customer_id: Any) -> Customer:
    """The customer, locked: the first lock of every write that locks more than one row of
    theirs, so that such writes (and a merge) on one customer queue instead of deadlocking."""
    customer = lock_one(policy.scope_customers(actor, Customer.objects.all()), customer_id)
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def lock_accounts(
    actor: User,
    *,
    package_ids: Iterable[Any] = (),
    card_ids: Iterable[Any] = (),
    product_ids: Iterable[Any] = (),
) -> None:
    """Lock the packages, cards and products a write will use, in the global order (docs/
    money.md), before it locks any of them one by one. Only rows the actor may use are locked;
    the write's own lookups then refuse the others."""
    scope = policy.customer_scope(actor, "customer")
    if scope is not None:
        lock_rows(Package.objects.filter(**scope), package_ids)
        lock_rows(StoredValueCard.objects.filter(**scope), card_ids)
    lock_rows(Product.objects.filter(business_id=policy.business_of(actor)), product_ids)


def branch_for(actor: User, branch_id: Any) -> Branch:
    try:
        branch = Branch.objects.filter(pk=int(branch_id)).first()
    except (TypeError, ValueError):
        branch = None
    if branch is None or not policy.may_use_branch(actor, branch):
        raise ValidationError(
            {
                "branch_id": [
                    ValidationError(
                        _("Choose one of your branches."), code=SalesErrorCode.INVALID_BRANCH
                    )
                ]
            }
        )
    if not branch.is_active:
        raise ValidationError(
            {
                "branch_id": [
                    ValidationError(
                        _("This branch is closed: choose an open one."),
                        code=AccountsErrorCode.BRANCH_CLOSED,
                    )
                ]
            }
        )
    return branch


def locked_card(actor: User, card_id: Any) -> StoredValueCard:
    scope = policy.customer_scope(actor, "customer")
    if scope is None:
        raise NotFound(_("No such card."))
    try:
        pk = int(card_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such card.")) from None
    card = lock_one(StoredValueCard.objects.filter(**scope), pk)
    if card is None:
        raise NotFound(_("No such card."))
    return card


def locked_package(actor: User, package_id: Any) -> Package:
    scope = policy.customer_scope(actor, "customer")
    if scope is None:
        raise NotFound(_("No such package."))
    try:
        pk = int(package_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such package.")) from None
    package = lock_one(Package.objects.filter(**scope), pk)
    if package is None:
        raise NotFound(_("No such package."))
    return package


def check_usable_card(card: StoredValueCard, customer: Customer | None = None) -> None:
    if card.status != CardStatus.ACTIVE:
        raise ServiceError(
            SalesErrorCode.CARD_CLOSED, _("Card %(n)s is closed.") % {"n": card.number}
        )
    if card.expires_on and card.expires_on < timezone.localdate():
        raise ServiceError(
            SalesErrorCode.CARD_EXPIRED, _("Card %(n)s has expired.") % {"n": card.number}
        )
    if customer is not None and card.customer_id != customer.pk:
        raise ServiceError(
            SalesErrorCode.CARD_NOT_CUSTOMERS,
            _("Card %(n)s belongs to another customer.") % {"n": card.number},
        )


def money_method(method: Any) -> str:
    if method not in MONEY_METHODS:
        raise ServiceError(
            SalesErrorCode.INVALID_METHOD, _("Choose cash, bank card, WeChat Pay or Alipay.")
        )
    return str(method)
