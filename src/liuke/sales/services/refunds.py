"""Refunds and exchanges: money back the way it came, sessions and stock restored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_rows, retry_on_conflict
from liuke.core.registry import run_hooks
from liuke.core.text import clean_text
from liuke.customers.services.locks import lock_with_customer
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    CardEntryKind,
    PackageEntryKind,
    PaymentMethod,
    PaymentPurpose,
    RefundReason,
    StockEntryKind,
    VisitStatus,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    Package,
    Payment,
    Product,
    Refund,
    StoredValueCard,
    Visit,
    VisitLine,
)
from liuke.sales.services.checkout import checkout_unguarded, named_ids
from liuke.sales.services.commission import commissions_reverse
from liuke.sales.services.lookups import lock_accounts


def _locked_visit(
    actor: User, visit_id: Any, *, exchange: Mapping[str, Any] | None = None
) -> tuple[Visit, list[VisitLine]]:
    """Lock what a refund changes, in the global order (docs/money.md): the customer, the
    visit, its lines, then the packages, cards and products of its lines and payments; with
    `exchange`, also those the exchange's checkout names (locked before the refund writes its
    audit event, after which nothing may wait for a lock)."""
    scope = policy.customer_scope(actor, "customer")
    visits = Visit.objects.filter(**scope) if scope else Visit.objects.none()
    visit = lock_with_customer(visits.select_related("branch"), visit_id)
    if visit is None:
        raise NotFound(_("No such visit."))
    lines = list(lock_rows(VisitLine.objects.filter(visit=visit), None).values())
    cards = Payment.objects.filter(visit=visit, card__isnull=False).values_list("card_id")
    more = exchange or {}
    lock_accounts(
        actor,
        package_ids=[x.package_id for x in lines] + named_ids(more.get("lines"), "package_id", 50),
        card_ids=[c for (c,) in cards]
        + named_ids(more.get("payments"), "card_id", 10, method=PaymentMethod.STORED_VALUE),
        product_ids=[x.product_id for x in lines] + named_ids(more.get("lines"), "product_id", 50),
    )
    return visit, lines


@retry_on_conflict()
@transaction.atomic
def _refund(
    *,
    actor: User,
    visit_id: int,
    line_id: int | None,
    reason: str,
    note: str,
    idempotency_key: str | None,
) -> Refund:
    policy.require(actor, SalesCap.SALE_REFUND)
    visit, lines = _locked_visit(actor, visit_id)
    if reason not in RefundReason.values:
        raise ServiceError(SalesErrorCode.INVALID_REASON, _("Choose a reason for the refund."))
    if line_id is not None:
        lines = [line for line in lines if line.pk == line_id]
        if not lines:
            raise NotFound(_("No such line on this visit."))
    # What each line gives back: its amount net of the visit discount, and its sessions/stock.
    amount = 0
    refunded: list[VisitLine] = []
    for line in lines:
        left = line.quantity - line.refunded_quantity
        if left <= 0:
            continue
        refunded.append(line)
        share = _line_net(visit, line) - line.refunded_fen
        amount += share
        line.refunded_fen += share
        line.refunded_quantity = line.quantity
        line.save(update_fields=["refunded_fen", "refunded_quantity"])
        if line.package_id:
            package = Package.objects.get(pk=line.package_id)  # locked by `_locked_visit`
            ledger.package_append(
                package, kind=PackageEntryKind.REVERSE, delta=left, actor=actor, line=line
            )
        if line.product_id:
            product = Product.objects.get(pk=line.product_id)  # locked by `_locked_visit`
            ledger.stock_append(
                product,
                visit.branch,
                kind=StockEntryKind.RETURN,
                delta=left,
                actor=actor,
                line=line,
            )
    if not refunded:  # every line already refunded (a package line refunds 0 fen but a session)
        raise ServiceError(SalesErrorCode.NOTHING_TO_REFUND, _("This has already been refunded."))
    _check_received(visit, amount)
    refund = Refund.objects.create(
        business_id=visit.business_id,
        visit=visit,
        line=lines[0] if line_id else None,
        amount_fen=amount,
        reason=reason,
        note=clean_text(note, max_length=500, field=_("note")),
        staff=actor,
        idempotency_key=idempotency_key,
    )
    _pay_back(actor, visit, amount)
    commissions_reverse(refund=refund, lines=refunded)
    fully = all(line.refunded_quantity == line.quantity for line in visit.lines.all())
    visit.status = VisitStatus.REFUNDED if fully else VisitStatus.PARTLY_REFUNDED
    visit.save(update_fields=["status", "updated_at"])
    run_hooks("refund_hooks", actor=actor, visit=visit, refund=refund)
    audit_record(
        actor=actor, action="refund", customer_ids=[visit.customer_id], fields=[f"visit:{visit.pk}"]
    )
    return refund


def _line_net(visit: Visit, line: VisitLine) -> int:
    """A line's share of what was paid: its amount less its share of the visit discount; the
    last line absorbs the rounding so that the shares add up to the visit total exactly."""
    if not visit.discount_fen or not visit.subtotal_fen:
        return line.amount_fen
    lines = list(visit.lines.order_by("id").values_list("id", "amount_fen"))
    given = 0
    for pk, amount in lines:
        share = amount * visit.total_fen // visit.subtotal_fen
        if pk == lines[-1][0]:
            share = visit.total_fen - given
        if pk == line.pk:
            return share
        given += share
    return line.amount_fen


def _check_received(visit: Visit, amount: int) -> None:
    """Money goes back only out of what the visit's payments received, net of earlier refunds:
    a visit written without payments (the demo's history, an import) has none to give back.
    (Sessions and stock with no money, such as a package session's line, may still return.)"""
    if amount <= 0:
        return
    received = Payment.objects.filter(visit=visit).aggregate(total=Sum("amount_fen"))["total"]
    if amount > (received or 0):
        raise ServiceError(
            SalesErrorCode.NOT_PAID,
            _("No money was received for this visit, so none can be paid back."),
        )


def _pay_back(actor: User, visit: Visit, amount: int) -> None:
    """The money goes back the way it came: stored value first (to the same card, paid and
    bonus parts in the proportion they were taken), then the other methods, each up to what it
    paid net of earlier refunds."""
    if amount <= 0:
        return
    paid_by: dict[tuple[str, int | None], int] = {}
    for p in Payment.objects.filter(visit=visit).order_by("id"):
        key = (p.method, p.card_id)
        paid_by[key] = paid_by.get(key, 0) + p.amount_fen
    order = sorted(paid_by, key=lambda k: k[0] != PaymentMethod.STORED_VALUE)
    left = amount
    for method, card_id in order:
        available = paid_by[(method, card_id)]
        take = min(available, left)
        if take <= 0:
            continue
        if card_id is not None:
            card = StoredValueCard.objects.get(pk=card_id)  # locked by `_locked_visit`
            # What this visit took from the card, net of what earlier refunds already put back:
            # the parts come back in that proportion, and never more of either than was taken.
            moved = card.entries.filter(
                visit=visit, kind__in=[CardEntryKind.DEDUCT, CardEntryKind.REVERSE]
            )
            took_paid = -sum(e.paid_delta_fen for e in moved)
            took_bonus = -sum(e.bonus_delta_fen for e in moved)
            took_total = took_paid + took_bonus
            back_paid = (take * took_paid * 2 + took_total) // (2 * took_total) if took_total else 0
            back_paid = max(min(back_paid, took_paid, take), take - took_bonus, 0)
            ledger.card_append(
                card,
                kind=CardEntryKind.REVERSE,
                paid_delta=back_paid,
                bonus_delta=take - back_paid,
                actor=actor,
                visit=visit,
            )
        Payment.objects.create(
            business_id=visit.business_id,
            branch=visit.branch,
            customer_id=visit.customer_id,
            visit=visit,
            purpose=PaymentPurpose.REFUND,
            method=method,
            amount_fen=-take,
            card_id=card_id,
            staff=actor,
        )
        left -= take
        if left == 0:
            return


def visit_refund(
    *,
    actor: User,
    visit_id: int,
    line_id: int | None = None,
    reason: str,
    note: str = "",
    idempotency_key: str | None = None,
) -> Refund:
    """Refund a whole visit or one line: money back by method, sessions and stock restored."""
    try:
        return _refund(
            actor=actor,
            visit_id=visit_id,
            line_id=line_id,
            reason=reason,
            note=note,
            idempotency_key=idempotency_key,
        )
    except IntegrityError:
        existing = (
            Refund.objects.filter(
                business_id=policy.business_of(actor), idempotency_key=idempotency_key
            ).first()
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        return existing


@retry_on_conflict()
@transaction.atomic
def visit_exchange(
    *,
    actor: User,
    visit_id: int,
    line_id: int,
    data: Mapping[str, Any],
) -> tuple[Refund, Visit]:
    """Exchange one line of a visit for other services or products, all or nothing.

    The line is refunded with the reason `exchange` (its money back the way it was paid, its
    session or stock restored) and a new visit for the same customer at the same branch is
    checked out with `data["lines"]` and `data["payments"]` (so the customer pays the new price
    in full, typically with the money just given back, and the daily close shows both moves).
    The refund names the new visit. If either half is refused, nothing is written. With
    `data["idempotency_key"]` a repeat returns the first exchange.
    """
    policy.require(actor, SalesCap.SALE_REFUND)
    policy.require(actor, SalesCap.SALE_CHECKOUT)
    key = data.get("idempotency_key")
    if key:
        done = (
            Refund.objects.filter(
                business_id=policy.business_of(actor), exchange_visit__idempotency_key=key
            )
            .select_related("exchange_visit")
            .first()
        )
        if done is not None and done.exchange_visit is not None:
            return done, done.exchange_visit
    original, _lines = _locked_visit(actor, visit_id, exchange=data)
    if line_id is None:
        raise ServiceError(SalesErrorCode.LINE_REQUIRED, _("Choose the line to exchange."))
    refund = _refund(
        actor=actor,
        visit_id=original.pk,
        line_id=line_id,
        reason=RefundReason.EXCHANGE,
        note=clean_text(data.get("note") or "", max_length=400, field=_("note")),
        idempotency_key=None,
    )
    new = checkout_unguarded(
        actor=actor,
        data={
            **data,
            "customer_id": original.customer_id,
            "branch_id": original.branch_id,
            "note": _("Exchange for visit #%(id)s") % {"id": original.pk},
        },
    )
    refund.exchange_visit = new
    refund.save(update_fields=["exchange_visit", "updated_at"])
    return refund, new
