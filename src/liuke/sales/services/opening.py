"""Opening balances: the stored value and the sessions a salon's customers held in the system it
came from, and their past visits, brought in by an import.

A migrated card or package starts with one ledger entry of kind MIGRATED, through the same
ledger as every other movement (`sales.ledger`), so its opening balance plus its ledger is
always its balance. No payment is written: that money came in before, in the old system, and
is not a sale of today (the daily close stays as it was). While nothing but migrated entries
are on the account, a re-run of the import may restate the opening balance: a second MIGRATED
entry with the difference, never an edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.log import audit_record
from liuke.core.errors import ServiceError
from liuke.core.money import validate_fen
from liuke.core.text import clean_text
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import CardEntryKind, PackageEntryKind, PaymentMethod, PaymentPurpose
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    CardEntry,
    CardTier,
    Package,
    PackageEntry,
    Payment,
    Service,
    StoredValueCard,
    Visit,
    VisitLine,
)
from liuke.sales.services.lookups import (
    branch_for,
    customer_for,
    locked_card,
    locked_package,
)

#: Sessions a migrated package may hold (a package template's own limit).
MAX_SESSIONS = 500


@transaction.atomic
def card_open_migrated(
    *,
    actor: User,
    customer_id: int,
    branch_id: int,
    number: str,
    paid_fen: int,
    bonus_fen: int,
    expires_on: dt.date | None = None,
    tier_id: int | None = None,
    note: str = "",
) -> StoredValueCard:
    """A card as the old system had it: its number, holder, tier, expiry (which may have
    passed), and its paid and bonus parts as one opening MIGRATED entry."""
    policy.require(actor, SalesCap.CARD_MANAGE)
    paid = validate_fen(paid_fen, field="paid_fen", allow_zero=True)
    bonus = validate_fen(bonus_fen, field="bonus_fen", allow_zero=True)
    customer = customer_for(actor, customer_id)
    branch = branch_for(actor, branch_id)
    number = clean_text(number, max_length=30, field=_("card number")).upper()
    if not number:
        raise ServiceError(SalesErrorCode.CARD_NUMBER_REQUIRED, _("Enter the card number."))
    tier = None
    if tier_id is not None:
        tier = CardTier.objects.filter(pk=tier_id, business_id=customer.business_id).first()
        if tier is None:
            raise ServiceError(SalesErrorCode.INVALID_TIER, _("Choose a card tier."))
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
    ledger.card_append(
        card,
        kind=CardEntryKind.MIGRATED,
        paid_delta=paid,
        bonus_delta=bonus,
        actor=actor,
        note=clean_text(note, max_length=200, field=_("note")),
    )
    audit_record(
        actor=actor,
        action="card_issue",
        customer_ids=[customer.pk],
        fields=[f"card:{card.pk}", "migrated"],
    )
    return card


def _only_migrated(entries: Sequence[str]) -> bool:
    return all(kind == "migrated" for kind in entries)


@transaction.atomic
def card_restate_migrated(
    *, actor: User, card_id: int, paid_fen: int, bonus_fen: int
) -> CardEntry | None:
    """Set a migrated card's opening balance to (paid, bonus) by a MIGRATED entry with the
    difference; None when it already is. Refused once the card has moved (a top-up, a
    deduction): from then on its balance is the till's, not the old system's."""
    policy.require(actor, SalesCap.CARD_MANAGE)
    paid = validate_fen(paid_fen, field="paid_fen", allow_zero=True)
    bonus = validate_fen(bonus_fen, field="bonus_fen", allow_zero=True)
    card = locked_card(actor, card_id)
    kinds = list(CardEntry.objects.filter(card=card).values_list("kind", flat=True))
    if not _only_migrated(kinds):
        raise ServiceError(
            SalesErrorCode.OPENING_MOVED,
            _("Card %(n)s has been used since it was brought in: its balance stays.")
            % {"n": card.number},
        )
    now_paid, now_bonus = ledger.card_balances(card)
    if (now_paid, now_bonus) == (paid, bonus):
        return None
    entry = ledger.card_append(
        card,
        kind=CardEntryKind.MIGRATED,
        paid_delta=paid - now_paid,
        bonus_delta=bonus - now_bonus,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="card_topup",
        customer_ids=[card.customer_id],
        fields=[f"card:{card.pk}", "migrated"],
    )
    return entry


@transaction.atomic
def package_open_migrated(
    *,
    actor: User,
    customer_id: int,
    branch_id: int,
    name: str,
    service_ids: Sequence[int],
    sessions_left: int,
    sessions_total: int | None = None,
    price_fen: int = 0,
    expires_on: dt.date | None = None,
) -> Package:
    """A package as the old system had it: its services, sessions bought and left, price and
    expiry (which may have passed); the sessions left as one opening MIGRATED entry."""
    policy.require(actor, SalesCap.PACKAGE_SELL)
    customer = customer_for(actor, customer_id)
    branch = branch_for(actor, branch_id)
    name = clean_text(name, max_length=100, field=_("name"))
    total = sessions_total or sessions_left
    if not 1 <= sessions_left <= total <= MAX_SESSIONS:
        raise ServiceError(
            SalesErrorCode.INVALID_SESSIONS,
            _("Sessions left must be 1 to %(max)d, and no more than the sessions bought.")
            % {"max": MAX_SESSIONS},
        )
    price = validate_fen(price_fen, field="price_fen", allow_zero=True)
    services = list(Service.objects.filter(pk__in=service_ids, business_id=customer.business_id))
    if not services or len(services) != len(set(service_ids)):
        raise ServiceError(
            SalesErrorCode.INVALID_SERVICE, _("Choose the services the package covers.")
        )
    package = Package.objects.create(
        business_id=customer.business_id,
        branch=branch,
        customer=customer,
        name=name,
        sessions_total=total,
        price_fen=price,
        expires_on=expires_on,
        created_by=actor,
    )
    package.services.set(services)
    ledger.package_append(package, kind=PackageEntryKind.MIGRATED, delta=sessions_left, actor=actor)
    audit_record(
        actor=actor,
        action="package_sell",
        customer_ids=[customer.pk],
        fields=[f"package:{package.pk}", "migrated"],
    )
    return package


@transaction.atomic
def package_restate_migrated(
    *, actor: User, package_id: int, sessions_left: int
) -> PackageEntry | None:
    """Set a migrated package's sessions left by a MIGRATED entry with the difference (None when
    they already are); refused once a session has been used."""
    policy.require(actor, SalesCap.PACKAGE_SELL)
    package = locked_package(actor, package_id)
    kinds = list(PackageEntry.objects.filter(package=package).values_list("kind", flat=True))
    if not _only_migrated(kinds):
        raise ServiceError(
            SalesErrorCode.OPENING_MOVED,
            _("Package %(name)s has been used since it was brought in: its sessions stay.")
            % {"name": package.name},
        )
    if not 1 <= sessions_left <= package.sessions_total:
        raise ServiceError(
            SalesErrorCode.INVALID_SESSIONS,
            _("Sessions left must be 1 to %(max)d, and no more than the sessions bought.")
            % {"max": package.sessions_total},
        )
    now = ledger.package_remaining(package)
    if now == sessions_left:
        return None
    entry = ledger.package_append(
        package, kind=PackageEntryKind.MIGRATED, delta=sessions_left - now, actor=actor
    )
    audit_record(
        actor=actor,
        action="package_sell",
        customer_ids=[package.customer_id],
        fields=[f"package:{package.pk}", "migrated"],
    )
    return entry


@transaction.atomic
def visit_record_imported(
    *,
    actor: User,
    customer_id: int,
    branch_id: int,
    visited_at: dt.datetime,
    lines: Sequence[tuple[int, int | None, int]],
    method: str,
) -> Visit:
    """A past visit as the old system had it, marked `imported`: its (service, staff, amount in
    fen) lines and its payment by `method`, dated on the day of the visit (so that the day's
    close of today is as it was, and the analytics see the visit on its own day). No package
    session, card deduction, stock or commission moves: the old system settled them."""
    policy.require(actor, SalesCap.SALE_CHECKOUT)
    customer = customer_for(actor, customer_id)
    branch = branch_for(actor, branch_id)
    if visited_at > timezone.now():
        raise ServiceError(SalesErrorCode.INVALID_TIME, _("The visit cannot be in the future."))
    if method not in PaymentMethod.values:
        raise ServiceError(SalesErrorCode.INVALID_METHOD, _("Not one of the payment methods."))
    amounts = [validate_fen(fen, field="amount_fen", allow_zero=True) for _s, _st, fen in lines]
    service_ids = {s for s, _st, _fen in lines}
    if not lines or Service.objects.filter(
        pk__in=service_ids, business_id=customer.business_id
    ).count() != len(service_ids):
        raise ServiceError(SalesErrorCode.INVALID_SERVICE, _("Choose the services of the visit."))
    total = validate_fen(sum(amounts), field="amount_fen", allow_zero=True)
    visit = Visit.objects.create(
        business_id=customer.business_id,
        branch=branch,
        customer=customer,
        visited_at=visited_at,
        visited_on=timezone.localdate(visited_at),
        subtotal_fen=total,
        total_fen=total,
        served_by_id=next((st for _s, st, _fen in lines if st), None),
        created_by=actor,
        imported=True,
    )
    VisitLine.objects.bulk_create(
        VisitLine(visit=visit, service_id=s, staff_id=st, unit_price_fen=fen, amount_fen=fen)
        for s, st, fen in lines
    )
    if total:
        payment = Payment.objects.create(
            business_id=customer.business_id,
            branch=branch,
            customer=customer,
            visit=visit,
            purpose=PaymentPurpose.VISIT,
            method=method,
            amount_fen=total,
            staff=actor,
        )
        Payment.objects.filter(pk=payment.pk).update(created_at=visited_at)
    audit_record(
        actor=actor,
        action="create",
        customer_ids=[customer.pk],
        fields=[f"visit:{visit.pk}", "imported"],
    )
    return visit
