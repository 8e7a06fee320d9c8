"""The checkout: a quote priced from the lines, then the visit, its lines, the sessions and stock
used and the payments written in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.locking import lock_one, retry_on_conflict
from liuke.core.money import validate_fen
from liuke.core.registry import run_hooks
from liuke.core.text import clean_text
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    CardEntryKind,
    LineKind,
    PackageEntryKind,
    PaymentMethod,
    PaymentPurpose,
    StockEntryKind,
    VisitStatus,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    Payment,
    Product,
    Service,
    StoredValueCard,
    Visit,
    VisitLine,
)
from liuke.sales.services.commission import commissions_for_visit
from liuke.sales.services.lookups import (
    check_usable_card,
    lock_accounts,
    locked_card,
    locked_customer_for,
)
from liuke.sales.services.quote import Quote, checkout_quote
from liuke.sales.services.stock import consumables_use
from liuke.sales.signals import prepaid_deducted_on_commit


def _payments(
    actor: User, data: Mapping[str, Any], quote: Quote
) -> list[tuple[str, int, StoredValueCard | None]]:
    """The payments checked (a stored-value card locked) and adding up to the quote's total."""
    payments = data.get("payments") or []
    if not isinstance(payments, Sequence) or len(payments) > 10:
        raise ServiceError(SalesErrorCode.INVALID_PAYMENTS, _("At most 10 payments."))
    paid = 0
    cleaned: list[tuple[str, int, StoredValueCard | None]] = []
    for raw in payments:
        method = raw.get("method")
        if method not in PaymentMethod.values:
            raise ServiceError(SalesErrorCode.INVALID_METHOD, _("Choose a payment method."))
        amount = validate_fen(raw.get("amount_fen"), field="amount_fen")
        card = None
        if method == PaymentMethod.STORED_VALUE:
            card = locked_card(actor, raw.get("card_id"))
            check_usable_card(card, quote.customer)
        cleaned.append((method, amount, card))
        paid += amount
    if paid != quote.total_fen:
        raise ServiceError(
            SalesErrorCode.PAYMENT_MISMATCH,
            _("The payments (%(paid)s fen) do not add up to the total (%(total)s fen).")
            % {"paid": paid, "total": quote.total_fen},
        )
    return cleaned


def _visit_times(data: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime | None]:
    """When the visit was (not in the future) and the next visit booked (only in the future)."""
    visited_at = data.get("visited_at") or timezone.now()
    if not isinstance(visited_at, dt.datetime) or visited_at > timezone.now() + dt.timedelta(
        hours=1
    ):
        raise ServiceError(SalesErrorCode.INVALID_TIME, _("The visit cannot be in the future."))
    next_visit_at = data.get("next_visit_at")
    if next_visit_at is not None and (
        not isinstance(next_visit_at, dt.datetime) or next_visit_at <= timezone.now()
    ):
        raise ServiceError(
            SalesErrorCode.INVALID_NEXT_VISIT, _("The next visit must be in the future.")
        )
    return visited_at, next_visit_at


def _write_lines(actor: User, quote: Quote, visit: Visit) -> list[VisitLine]:
    """The visit's lines, with the package sessions and the stock they use."""
    written: list[VisitLine] = []
    for q in quote.lines:
        line = VisitLine.objects.create(
            visit=visit,
            kind=q.kind,
            service=q.item if isinstance(q.item, Service) else None,
            product=q.item if isinstance(q.item, Product) else None,
            staff=q.staff,
            quantity=q.quantity,
            unit_price_fen=q.unit_price_fen,
            amount_fen=q.amount_fen,
            package=q.package,
            package_value_fen=q.package_value_fen,
        )
        written.append(line)
        if isinstance(q.item, Service):
            consumables_use(
                actor=actor, service=q.item, quantity=q.quantity, branch=quote.branch, line=line
            )
        if q.package is not None:
            ledger.package_append(
                q.package, kind=PackageEntryKind.USE, delta=-q.quantity, actor=actor, line=line
            )
        if isinstance(q.item, Product):
            ledger.stock_append(
                lock_one(Product, q.item.pk) or q.item,  # locked already by `checkout_locks`
                quote.branch,
                kind=StockEntryKind.SALE,
                delta=-q.quantity,
                actor=actor,
                line=line,
            )
    return written


def _write_payments(
    actor: User,
    quote: Quote,
    visit: Visit,
    cleaned: list[tuple[str, int, StoredValueCard | None]],
) -> None:
    """The visit's payments, a stored-value one deducted from its card (paid part first)."""
    for method, amount, card in cleaned:
        if card is not None:
            paid_part, bonus_part = ledger.split_deduction(
                min(amount, sum(ledger.card_balances(card))), *ledger.card_balances(card)
            )
            if paid_part + bonus_part != amount:
                raise ledger.InsufficientBalance(
                    _("Insufficient balance on card %(number)s.") % {"number": card.number}
                )
            ledger.card_append(
                card,
                kind=CardEntryKind.DEDUCT,
                paid_delta=-paid_part,
                bonus_delta=-bonus_part,
                actor=actor,
                visit=visit,
            )
        Payment.objects.create(
            business_id=visit.business_id,
            branch=quote.branch,
            customer=quote.customer,
            visit=visit,
            purpose=PaymentPurpose.VISIT,
            method=method,
            amount_fen=amount,
            card=card,
            staff=actor,
        )


def named_ids(items: Any, key: str, limit: int, **match: Any) -> list[Any]:
    """The ids under `key` in the (not yet validated) lines or payments of a checkout."""
    if not isinstance(items, list | tuple):
        return []
    return [
        raw.get(key)
        for raw in items[:limit]
        if isinstance(raw, Mapping) and all(raw.get(k) == v for k, v in match.items())
    ]


def checkout_locks(actor: User, data: Mapping[str, Any]) -> None:
    """Lock what a checkout will change, in the global order (docs/money.md): the customer, then
    the packages, cards and products it names, each table's rows in key order. The later
    lookups lock them again one by one, which no longer waits."""
    locked_customer_for(actor, data.get("customer_id"))
    lines, payments = data.get("lines"), data.get("payments")
    lock_accounts(
        actor,
        package_ids=named_ids(lines, "package_id", 50),
        card_ids=named_ids(payments, "card_id", 10, method=PaymentMethod.STORED_VALUE),
        product_ids=named_ids(lines, "product_id", 50),
    )


@retry_on_conflict()
@transaction.atomic
def checkout_unguarded(*, actor: User, data: Mapping[str, Any]) -> Visit:
    """The checkout's writes, in one transaction, without the idempotency guard of `checkout`
    (an exchange runs it inside its own transaction, after the refund)."""
    checkout_locks(actor, data)
    quote = checkout_quote(actor=actor, data=data, lock=True)
    cleaned = _payments(actor, data, quote)
    visited_at, next_visit_at = _visit_times(data)
    first_staff = next((line.staff for line in quote.lines if line.kind == LineKind.SERVICE), None)
    visit = Visit.objects.create(
        business_id=policy.business_of(actor),
        branch=quote.branch,
        customer=quote.customer,
        visited_at=visited_at,
        visited_on=timezone.localdate(visited_at),
        status=VisitStatus.COMPLETED,
        subtotal_fen=quote.subtotal_fen,
        discount_fen=quote.discount_fen,
        discount_reason=quote.discount_reason,
        total_fen=quote.total_fen,
        note=clean_text(data.get("note") or "", max_length=500, field=_("note")),
        served_by=first_staff,
        created_by=actor,
        next_visit_at=next_visit_at,
        idempotency_key=data.get("idempotency_key"),
    )
    lines = _write_lines(actor, quote, visit)
    _write_payments(actor, quote, visit, cleaned)
    commissions_for_visit(visit=visit, quote=quote, lines=lines)
    # The apps above (appointments) link what this checkout completes, inside this transaction.
    run_hooks("checkout_hooks", actor=actor, visit=visit, data=data)
    if any(card for _method, _amount, card in cleaned) or any(q.package for q in quote.lines):
        prepaid_deducted_on_commit(customer_id=quote.customer.pk, visit_id=visit.pk)
    audit_record(
        actor=actor,
        action="checkout",
        customer_ids=[quote.customer.pk],
        fields=[f"visit:{visit.pk}"],
    )
    return visit


def checkout(*, actor: User, data: Mapping[str, Any]) -> Visit:
    """Check a customer out: lines, member price, discount, payments; all or nothing.

    With an `idempotency_key` the same checkout submitted twice (a double tap, a retry after a
    timeout) creates one visit: the second call returns the first's visit.
    """
    policy.require(actor, SalesCap.SALE_CHECKOUT)
    key = data.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 8 <= len(key) <= 100):
        raise ServiceError(
            CoreErrorCode.INVALID_IDEMPOTENCY_KEY, _("The idempotency key is 8 to 100 characters.")
        )
    if key:
        # A repeat (a double tap, a retry) returns the first visit before anything is priced or
        # locked: re-running the checkout could otherwise fail on the sessions or the balance
        # the first one just used, and answer an error for a checkout that succeeded.
        done = Visit.objects.filter(
            business_id=policy.business_of(actor), idempotency_key=key
        ).first()
        if done is not None:
            return done
    try:
        return checkout_unguarded(actor=actor, data=data)
    except IntegrityError:
        existing = (
            Visit.objects.filter(business_id=policy.business_of(actor), idempotency_key=key).first()
            if key
            else None
        )
        if existing is None:
            raise
        return existing
