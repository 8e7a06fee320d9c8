"""Stored-value cards: issue, top up, deduct, bonus and refund, each through the card's ledger."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.log import audit_record
from liuke.core.errors import ServiceError
from liuke.core.locking import retry_on_conflict
from liuke.core.money import format_yuan, validate_fen
from liuke.core.text import clean_text
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    CardEntryKind,
    CardStatus,
    CommissionKind,
    PaymentPurpose,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    BonusRule,
    CardEntry,
    CardTier,
    Payment,
    StoredValueCard,
)
from liuke.sales.services.changes import add_months
from liuke.sales.services.commission import commissions_for_sale, commissions_reverse_card_refund
from liuke.sales.services.lookups import (
    branch_for,
    check_usable_card,
    customer_for,
    locked_card,
    money_method,
)
from liuke.sales.signals import prepaid_deducted_on_commit


def bonus_for(business_id: int, amount: int, day: dt.date | None = None) -> int:
    """The bonus of the best rule the amount reaches among those that apply on `day` (today)."""
    day = day or timezone.localdate()
    rule = (
        BonusRule.objects.filter(business_id=business_id, is_active=True, pay_fen__lte=amount)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .order_by("-pay_fen")
        .first()
    )
    return rule.bonus_fen if rule else 0


@retry_on_conflict()
@transaction.atomic
def card_issue(
    *,
    actor: User,
    customer_id: int,
    branch_id: int,
    number: str,
    tier_id: int | None = None,
    expires_on: dt.date | None = None,
) -> StoredValueCard:
    policy.require(actor, SalesCap.CARD_MANAGE)
    customer = customer_for(actor, customer_id)
    branch = branch_for(actor, branch_id)
    number = clean_text(number, max_length=30, field=_("card number")).upper()
    if not number:
        raise ServiceError(SalesErrorCode.CARD_NUMBER_REQUIRED, _("Enter the card number."))
    tier = None
    if tier_id is not None:
        tier = CardTier.objects.filter(pk=tier_id, business_id=policy.business_of(actor)).first()
        if tier is None:
            raise ServiceError(SalesErrorCode.INVALID_TIER, _("Choose a card tier."))
        if not tier.is_active:
            # Retired: no new cards at it; the cards already on it keep working.
            raise ServiceError(
                SalesErrorCode.TIER_RETIRED,
                _("The tier %(tier)s is retired: choose another.") % {"tier": tier.name},
                fields={"tier_id": [_("This tier is retired.")]},
            )
        if expires_on is None and tier.validity_months:
            # The tier's card validity, unless the front desk typed another date.
            expires_on = add_months(timezone.localdate(), tier.validity_months)
    if expires_on is not None and expires_on <= timezone.localdate():
        raise ServiceError(
            SalesErrorCode.INVALID_EXPIRY, _("The expiry date must be in the future.")
        )
    if StoredValueCard.objects.filter(business_id=customer.business_id, number=number).exists():
        raise ServiceError(SalesErrorCode.DUPLICATE_CARD, _("This card number is already in use."))
    card = StoredValueCard.objects.create(
        business_id=customer.business_id,
        branch=branch,
        customer=customer,
        number=number,
        tier=tier,
        expires_on=expires_on,
        created_by=actor,
    )
    audit_record(
        actor=actor, action="card_issue", customer_ids=[customer.pk], fields=[f"card:{card.pk}"]
    )
    return card


#: A top-up above this (¥5,000) is asked to be confirmed at the till: a slip of the keyboard
#: (an extra zero) there is money the salon then owes the customer.
LARGE_TOPUP_FEN = 500_000


def topup_confirmation_check(amount_fen: int, *, confirmed: bool) -> None:
    """Refuses a top-up above LARGE_TOPUP_FEN that was not confirmed: what the till's page asks
    of the front desk (it shows the card and bonus once more), an API client says with
    `confirm: true`."""
    if amount_fen > LARGE_TOPUP_FEN and not confirmed:
        message = _("A top-up above ¥%(limit)s must be confirmed.") % {
            "limit": format_yuan(LARGE_TOPUP_FEN)
        }
        raise ServiceError(
            SalesErrorCode.TOPUP_CONFIRMATION_REQUIRED, message, fields={"confirm": [message]}
        )


@retry_on_conflict()
@transaction.atomic
def card_topup(
    *, actor: User, card_id: int, amount_fen: int, method: str, idempotency_key: str | None = None
) -> StoredValueCard:
    """Money in: the paid part grows by the amount, the bonus part by the best bonus rule."""
    policy.require(actor, SalesCap.CARD_MANAGE)
    amount = validate_fen(amount_fen, field="amount_fen")
    method = money_method(method)
    card = locked_card(actor, card_id)
    check_usable_card(card)
    first_topup = ledger.card_last(card) is None
    if card.tier and first_topup and amount < card.tier.min_topup_fen:
        raise ServiceError(
            SalesErrorCode.TOPUP_BELOW_TIER_MINIMUM,
            _("The first top-up for %(tier)s is at least %(min)s fen.")
            % {"tier": card.tier, "min": card.tier.min_topup_fen},
        )
    bonus = bonus_for(card.business_id, amount)
    ledger.card_append(
        card,
        kind=CardEntryKind.TOPUP,
        paid_delta=amount,
        bonus_delta=0,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    if bonus:
        ledger.card_append(
            card, kind=CardEntryKind.BONUS, paid_delta=0, bonus_delta=bonus, actor=actor
        )
    payment = Payment.objects.create(
        business_id=card.business_id,
        branch=card.branch,
        customer_id=card.customer_id,
        purpose=PaymentPurpose.TOPUP,
        method=method,
        amount_fen=amount,
        card=card,
        staff=actor,
    )
    commissions_for_sale(payment=payment, kind=CommissionKind.CARD_SOLD)
    audit_record(
        actor=actor,
        action="card_topup",
        customer_ids=[card.customer_id],
        fields=[f"card:{card.pk}"],
    )
    return card


@retry_on_conflict()
@transaction.atomic
def card_deduct(
    *,
    actor: User,
    card_id: int,
    amount_fen: int,
    note: str = "",
    idempotency_key: str | None = None,
) -> StoredValueCard:
    """Charge a card directly (outside a checkout, e.g. a service sold by phone)."""
    policy.require(actor, SalesCap.SALE_CHECKOUT)
    amount = validate_fen(amount_fen, field="amount_fen")
    card = locked_card(actor, card_id)
    check_usable_card(card)
    paid, bonus = ledger.card_balances(card)
    if amount > paid + bonus:
        raise ledger.InsufficientBalance(
            _("Insufficient balance on card %(number)s.") % {"number": card.number}
        )
    from_paid, from_bonus = ledger.split_deduction(amount, paid, bonus)
    entry = ledger.card_append(
        card,
        kind=CardEntryKind.DEDUCT,
        paid_delta=-from_paid,
        bonus_delta=-from_bonus,
        actor=actor,
        idempotency_key=idempotency_key,
        note=clean_text(note, max_length=200, field=_("note")),
    )
    audit_record(
        actor=actor,
        action="card_deduct",
        customer_ids=[card.customer_id],
        fields=[f"card:{card.pk}"],
    )
    prepaid_deducted_on_commit(customer_id=card.customer_id, card_entry_id=entry.pk)
    return card


@retry_on_conflict()
@transaction.atomic
def card_bonus_grant(
    *, actor: User, card_id: int, amount_fen: int, note: str = ""
) -> tuple[StoredValueCard, CardEntry]:
    """Add bonus value to a card with no money in (a complaint's compensation): one BONUS
    entry, no payment, so the daily close is unchanged and the liability is the bonus part's
    (forfeited on a card refund, docs/money.md). Returns the card and its new entry."""
    policy.require(actor, SalesCap.CARD_MANAGE)
    amount = validate_fen(amount_fen, field="amount_fen")
    card = locked_card(actor, card_id)
    check_usable_card(card)
    entry = ledger.card_append(
        card,
        kind=CardEntryKind.BONUS,
        paid_delta=0,
        bonus_delta=amount,
        actor=actor,
        note=clean_text(note, max_length=200, field=_("note")),
    )
    audit_record(
        actor=actor,
        action="card_topup",
        customer_ids=[card.customer_id],
        fields=[f"card:{card.pk}", "bonus"],
    )
    return card, entry


@retry_on_conflict()
@transaction.atomic
def card_refund(*, actor: User, card_id: int, method: str, note: str = "") -> int:
    """Close a card and pay back its unused paid part; the bonus part is forfeited
    (docs/money.md). Returns the amount paid back in fen."""
    policy.require(actor, SalesCap.SALE_REFUND)
    method = money_method(method)
    card = locked_card(actor, card_id)
    if card.status != CardStatus.ACTIVE:
        raise ServiceError(
            SalesErrorCode.CARD_CLOSED, _("Card %(n)s is closed.") % {"n": card.number}
        )
    paid, bonus = ledger.card_balances(card)
    ledger.card_append(
        card,
        kind=CardEntryKind.REFUND,
        paid_delta=-paid,
        bonus_delta=-bonus,
        actor=actor,
        note=clean_text(note, max_length=200, field=_("note")),
    )
    if paid:
        refund_payment = Payment.objects.create(
            business_id=card.business_id,
            branch=card.branch,
            customer_id=card.customer_id,
            purpose=PaymentPurpose.CARD_REFUND,
            method=method,
            amount_fen=-paid,
            card=card,
            staff=actor,
        )
        commissions_reverse_card_refund(refund_payment=refund_payment, refunded_fen=paid)
    card.status = CardStatus.CLOSED
    card.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="card_refund",
        customer_ids=[card.customer_id],
        fields=[f"card:{card.pk}"],
    )
    return paid
