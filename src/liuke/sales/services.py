"""Every write that moves money, sessions or stock: one transaction each, validated first,
audited, with the ledgers appended under a lock on the account (see `sales.ledger`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, NotFound, ServiceError
from liuke.core.money import validate_fen
from liuke.core.text import clean_text
from liuke.customers.models import Customer
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    MONEY_METHODS,
    CardEntryKind,
    CardStatus,
    LineKind,
    PackageEntryKind,
    PaymentMethod,
    PaymentPurpose,
    RefundReason,
    StockEntryKind,
    VisitStatus,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    BonusRule,
    BranchPrice,
    CardEntry,
    CardTier,
    Package,
    Payment,
    Product,
    Refund,
    Service,
    StoredValueCard,
    Visit,
    VisitLine,
)


def _customer(actor: User, customer_id: Any) -> Customer:
    qs = policy.scope_customers(actor, Customer.objects.all())
    try:
        customer = qs.filter(pk=int(customer_id)).first()
    except (TypeError, ValueError):
        customer = None
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def _branch(actor: User, branch_id: Any) -> Branch:
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
    return branch


def _locked_card(actor: User, card_id: Any) -> StoredValueCard:
    scope = policy.customer_scope(actor, "customer")
    if scope is None:
        raise NotFound(_("No such card."))
    try:
        pk = int(card_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such card.")) from None
    card = StoredValueCard.objects.select_for_update().filter(pk=pk, **scope).first()
    if card is None:
        raise NotFound(_("No such card."))
    return card


def _locked_package(actor: User, package_id: Any) -> Package:
    scope = policy.customer_scope(actor, "customer")
    if scope is None:
        raise NotFound(_("No such package."))
    try:
        pk = int(package_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such package.")) from None
    package = Package.objects.select_for_update().filter(pk=pk, **scope).first()
    if package is None:
        raise NotFound(_("No such package."))
    return package


def _usable_card(card: StoredValueCard, customer: Customer | None = None) -> None:
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


# --- prices -------------------------------------------------------------------------------------


def list_price(item: Service | Product, branch: Branch) -> int:
    """The branch's own price when it has one, else the catalogue price."""
    lookup = {"service": item} if isinstance(item, Service) else {"product": item}
    own = BranchPrice.objects.filter(branch=branch, **lookup).values_list("price_fen", flat=True)
    return next(iter(own), item.price_fen)


def member_price(price: int, tier: CardTier | None) -> int:
    """Member price: `discount_pct` % of list, rounded half up to the fen."""
    if tier is None or tier.discount_pct >= 100:
        return price
    return (price * tier.discount_pct * 2 + 100) // 200


# --- checkout -----------------------------------------------------------------------------------


@dataclass
class QuoteLine:
    kind: str
    item: Service | Product
    quantity: int
    staff: User | None
    unit_price_fen: int
    amount_fen: int
    package: Package | None = None
    package_value_fen: int = 0


@dataclass
class Quote:
    customer: Customer
    branch: Branch
    lines: list[QuoteLine]
    subtotal_fen: int
    discount_fen: int
    discount_reason: str
    total_fen: int
    member_card: StoredValueCard | None = None
    errors: dict[str, list[ValidationError]] = field(default_factory=dict)


def _staff(actor: User, staff_id: Any, branch: Branch) -> User:
    try:
        staff = User.objects.filter(
            pk=int(staff_id), business_id=policy.business_of(actor), is_active=True
        ).first()
    except (TypeError, ValueError):
        staff = None
    if staff is None:
        raise ServiceError(SalesErrorCode.INVALID_STAFF, _("Choose an active staff member."))
    ids = policy.branch_ids(staff)
    if ids is not None and branch.pk not in ids:
        raise ServiceError(
            SalesErrorCode.STAFF_NOT_IN_BRANCH,
            _("%(staff)s does not work at %(branch)s.") % {"staff": staff, "branch": branch},
        )
    return staff


def checkout_quote(*, actor: User, data: Mapping[str, Any], lock: bool = False) -> Quote:
    """Price a checkout without writing anything (the page shows it as the lines are added).

    With `lock=True` (inside `checkout`) the packages used are locked and their sessions checked.
    """
    policy.require(actor, SalesCap.SALE_CHECKOUT)
    customer = _customer(actor, data.get("customer_id"))
    branch = _branch(actor, data.get("branch_id"))
    raw_lines = data.get("lines") or []
    if not isinstance(raw_lines, Sequence) or not raw_lines:
        raise ServiceError(SalesErrorCode.NO_LINES, _("Add at least one service or product."))
    if len(raw_lines) > 50:
        raise ServiceError(SalesErrorCode.TOO_MANY_LINES, _("At most 50 lines per visit."))
    member_card = None
    if data.get("member_card_id"):
        member_card = (
            StoredValueCard.objects.select_related("tier")
            .filter(pk=data["member_card_id"], customer=customer)
            .first()
        )
        if member_card is None:
            raise ServiceError(
                SalesErrorCode.CARD_NOT_CUSTOMERS, _("Choose one of the customer's cards.")
            )
        _usable_card(member_card, customer)
    tier = member_card.tier if member_card else None
    business_id = policy.business_of(actor)
    lines: list[QuoteLine] = []
    used_sessions: dict[int, int] = {}
    for index, raw in enumerate(raw_lines, start=1):
        quantity = raw.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 99:
            raise ServiceError(
                SalesErrorCode.INVALID_QUANTITY, _("Line %(n)d: quantity 1 to 99.") % {"n": index}
            )
        if raw.get("service_id"):
            service = Service.objects.filter(
                pk=raw["service_id"], business_id=business_id, is_active=True
            ).first()
            if service is None:
                raise ServiceError(
                    SalesErrorCode.INVALID_SERVICE, _("Line %(n)d: no such service.") % {"n": index}
                )
            staff = _staff(actor, raw.get("staff_id"), branch)
            if staff.role not in service.performer_roles:
                raise ServiceError(
                    SalesErrorCode.STAFF_CANNOT_PERFORM,
                    _("Line %(n)d: %(staff)s may not perform %(service)s.")
                    % {"n": index, "staff": staff, "service": service},
                )
            price = list_price(service, branch)
            line = QuoteLine(LineKind.SERVICE, service, quantity, staff, price, 0)
            if raw.get("package_id"):
                qs = Package.objects.filter(pk=raw["package_id"], customer=customer)
                package = (qs.select_for_update() if lock else qs).first()
                if package is None:
                    raise ServiceError(
                        SalesErrorCode.INVALID_PACKAGE, _("Choose one of the customer's packages.")
                    )
                if package.expires_on and package.expires_on < timezone.localdate():
                    raise ServiceError(
                        SalesErrorCode.PACKAGE_EXPIRED,
                        _("Package %(name)s has expired.") % {"name": package.name},
                    )
                if not package.services.filter(pk=service.pk).exists():
                    raise ServiceError(
                        SalesErrorCode.PACKAGE_NOT_FOR_SERVICE,
                        _("Package %(name)s does not cover %(service)s.")
                        % {"name": package.name, "service": service},
                    )
                remaining = ledger.package_remaining(package) - used_sessions.get(package.pk, 0)
                if remaining < quantity:
                    raise ledger.InsufficientBalance(
                        _("Package %(name)s has %(n)d sessions left.")
                        % {"name": package.name, "n": max(remaining, 0)}
                    )
                first = package.sessions_total - remaining + 1
                line.package = package
                line.package_value_fen = sum(
                    package.session_value_fen(k) for k in range(first, first + quantity)
                )
                used_sessions[package.pk] = used_sessions.get(package.pk, 0) + quantity
            else:
                line.unit_price_fen = member_price(price, tier)
                line.amount_fen = line.unit_price_fen * quantity
        elif raw.get("product_id"):
            product = Product.objects.filter(
                pk=raw["product_id"], business_id=business_id, is_active=True
            ).first()
            if product is None:
                raise ServiceError(
                    SalesErrorCode.INVALID_PRODUCT, _("Line %(n)d: no such product.") % {"n": index}
                )
            seller = _staff(actor, raw["staff_id"], branch) if raw.get("staff_id") else None
            unit = member_price(list_price(product, branch), tier)
            line = QuoteLine(LineKind.PRODUCT, product, quantity, seller, unit, unit * quantity)
        else:
            raise ServiceError(
                SalesErrorCode.INVALID_LINE,
                _("Line %(n)d: choose a service or a product.") % {"n": index},
            )
        lines.append(line)
    subtotal = sum(line.amount_fen for line in lines)
    discount = 0
    reason = clean_text(data.get("discount_reason") or "", max_length=200, field=_("reason"))
    if data.get("discount_fen"):
        discount = validate_fen(data["discount_fen"], field="discount_fen")
    elif data.get("discount_pct"):
        pct = data["discount_pct"]
        if isinstance(pct, bool) or not isinstance(pct, int) or not 1 <= pct <= 100:
            raise ServiceError(
                SalesErrorCode.INVALID_DISCOUNT, _("A percentage discount is 1 to 100.")
            )
        discount = (subtotal * pct * 2 + 100) // 200
    if discount > subtotal:
        raise ServiceError(
            SalesErrorCode.DISCOUNT_TOO_LARGE, _("The discount is larger than the amount due.")
        )
    if discount and not reason:
        raise ServiceError(
            SalesErrorCode.DISCOUNT_REASON_REQUIRED, _("Give a reason for the discount.")
        )
    return Quote(
        customer, branch, lines, subtotal, discount, reason, subtotal - discount, member_card
    )


@transaction.atomic
def _checkout(*, actor: User, data: Mapping[str, Any]) -> Visit:
    quote = checkout_quote(actor=actor, data=data, lock=True)
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
            card = _locked_card(actor, raw.get("card_id"))
            _usable_card(card, quote.customer)
        cleaned.append((method, amount, card))
        paid += amount
    if paid != quote.total_fen:
        raise ServiceError(
            SalesErrorCode.PAYMENT_MISMATCH,
            _("The payments (%(paid)s fen) do not add up to the total (%(total)s fen).")
            % {"paid": paid, "total": quote.total_fen},
        )
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
        if q.package is not None:
            ledger.package_append(
                q.package, kind=PackageEntryKind.USE, delta=-q.quantity, actor=actor, line=line
            )
        if isinstance(q.item, Product):
            product = Product.objects.select_for_update().get(pk=q.item.pk)
            ledger.stock_append(
                product,
                quote.branch,
                kind=StockEntryKind.SALE,
                delta=-q.quantity,
                actor=actor,
                line=line,
            )
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
        return _checkout(actor=actor, data=data)
    except IntegrityError:
        existing = (
            Visit.objects.filter(business_id=policy.business_of(actor), idempotency_key=key).first()
            if key
            else None
        )
        if existing is None:
            raise
        return existing


# --- stored-value cards -------------------------------------------------------------------------


def bonus_for(business_id: int, amount: int) -> int:
    rule = (
        BonusRule.objects.filter(business_id=business_id, is_active=True, pay_fen__lte=amount)
        .order_by("-pay_fen")
        .first()
    )
    return rule.bonus_fen if rule else 0


def _money_method(method: Any) -> str:
    if method not in MONEY_METHODS:
        raise ServiceError(
            SalesErrorCode.INVALID_METHOD, _("Choose cash, bank card, WeChat Pay or Alipay.")
        )
    return str(method)


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
    customer = _customer(actor, customer_id)
    branch = _branch(actor, branch_id)
    number = clean_text(number, max_length=30, field=_("card number")).upper()
    if not number:
        raise ServiceError(SalesErrorCode.CARD_NUMBER_REQUIRED, _("Enter the card number."))
    tier = None
    if tier_id is not None:
        tier = CardTier.objects.filter(pk=tier_id, business_id=policy.business_of(actor)).first()
        if tier is None:
            raise ServiceError(SalesErrorCode.INVALID_TIER, _("Choose a card tier."))
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


@transaction.atomic
def card_topup(
    *, actor: User, card_id: int, amount_fen: int, method: str, idempotency_key: str | None = None
) -> StoredValueCard:
    """Money in: the paid part grows by the amount, the bonus part by the best bonus rule."""
    policy.require(actor, SalesCap.CARD_MANAGE)
    amount = validate_fen(amount_fen, field="amount_fen")
    method = _money_method(method)
    card = _locked_card(actor, card_id)
    _usable_card(card)
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
    Payment.objects.create(
        business_id=card.business_id,
        branch=card.branch,
        customer_id=card.customer_id,
        purpose=PaymentPurpose.TOPUP,
        method=method,
        amount_fen=amount,
        card=card,
        staff=actor,
    )
    audit_record(
        actor=actor,
        action="card_topup",
        customer_ids=[card.customer_id],
        fields=[f"card:{card.pk}"],
    )
    return card


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
    card = _locked_card(actor, card_id)
    _usable_card(card)
    paid, bonus = ledger.card_balances(card)
    if amount > paid + bonus:
        raise ledger.InsufficientBalance(
            _("Insufficient balance on card %(number)s.") % {"number": card.number}
        )
    from_paid, from_bonus = ledger.split_deduction(amount, paid, bonus)
    ledger.card_append(
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
    return card


@transaction.atomic
def card_bonus_grant(
    *, actor: User, card_id: int, amount_fen: int, note: str = ""
) -> tuple[StoredValueCard, CardEntry]:
    """Add bonus value to a card with no money in (a complaint's compensation): one BONUS
    entry, no payment, so the daily close is unchanged and the liability is the bonus part's
    (forfeited on a card refund, docs/money.md). Returns the card and its new entry."""
    policy.require(actor, SalesCap.CARD_MANAGE)
    amount = validate_fen(amount_fen, field="amount_fen")
    card = _locked_card(actor, card_id)
    _usable_card(card)
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


@transaction.atomic
def card_refund(*, actor: User, card_id: int, method: str, note: str = "") -> int:
    """Close a card and pay back its unused paid part; the bonus part is forfeited
    (docs/money.md). Returns the amount paid back in fen."""
    policy.require(actor, SalesCap.SALE_REFUND)
    method = _money_method(method)
    card = _locked_card(actor, card_id)
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
        Payment.objects.create(
            business_id=card.business_id,
            branch=card.branch,
            customer_id=card.customer_id,
            purpose=PaymentPurpose.CARD_REFUND,
            method=method,
            amount_fen=-paid,
            card=card,
            staff=actor,
        )
    card.status = CardStatus.CLOSED
    card.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="card_refund",
        customer_ids=[card.customer_id],
        fields=[f"card:{card.pk}"],
    )
    return paid


# --- packages -----------------------------------------------------------------------------------


@transaction.atomic
def package_sell(
    *,
    actor: User,
    customer_id: int,
    branch_id: int,
    name: str,
    service_ids: Sequence[int],
    sessions: int,
    price_fen: int,
    method: str,
    expires_on: dt.date | None = None,
) -> Package:
    policy.require(actor, SalesCap.PACKAGE_SELL)
    customer = _customer(actor, customer_id)
    branch = _branch(actor, branch_id)
    name = clean_text(name, max_length=100, field=_("name"))
    if not name:
        raise ServiceError(SalesErrorCode.NAME_REQUIRED, _("Name the package."))
    if isinstance(sessions, bool) or not isinstance(sessions, int) or not 1 <= sessions <= 500:
        raise ServiceError(SalesErrorCode.INVALID_SESSIONS, _("A package has 1 to 500 sessions."))
    price = validate_fen(price_fen, field="price_fen", allow_zero=True)
    method = _money_method(method)
    services = list(
        Service.objects.filter(pk__in=list(service_ids), business_id=customer.business_id)
    )
    if not services or len(services) != len(set(service_ids)):
        raise ServiceError(
            SalesErrorCode.INVALID_SERVICE, _("Choose the services the package covers.")
        )
    if expires_on is not None and expires_on <= timezone.localdate():
        raise ServiceError(
            SalesErrorCode.INVALID_EXPIRY, _("The expiry date must be in the future.")
        )
    package = Package.objects.create(
        business_id=customer.business_id,
        branch=branch,
        customer=customer,
        name=name,
        sessions_total=sessions,
        price_fen=price,
        expires_on=expires_on,
        created_by=actor,
    )
    package.services.set(services)
    ledger.package_append(package, kind=PackageEntryKind.SALE, delta=sessions, actor=actor)
    if price:
        Payment.objects.create(
            business_id=customer.business_id,
            branch=branch,
            customer=customer,
            purpose=PaymentPurpose.PACKAGE_SALE,
            method=method,
            amount_fen=price,
            staff=actor,
        )
    audit_record(
        actor=actor,
        action="package_sell",
        customer_ids=[customer.pk],
        fields=[f"package:{package.pk}"],
    )
    return package


@transaction.atomic
def package_extend(*, actor: User, package_id: int, expires_on: dt.date, reason: str) -> Package:
    """A manager moves a package's expiry date, with a reason (recorded in its ledger)."""
    policy.require(actor, SalesCap.PACKAGE_EXTEND)
    package = _locked_package(actor, package_id)
    reason = clean_text(reason, max_length=150, field=_("reason"))
    if not reason:
        raise ServiceError(SalesErrorCode.REASON_REQUIRED, _("Give a reason for the extension."))
    if package.expires_on is not None and expires_on <= package.expires_on:
        raise ServiceError(SalesErrorCode.INVALID_EXPIRY, _("The new expiry date must be later."))
    old = package.expires_on
    package.expires_on = expires_on
    package.save(update_fields=["expires_on", "updated_at"])
    ledger.package_append(
        package,
        kind=PackageEntryKind.EXTEND,
        delta=0,
        actor=actor,
        note=f"{old or '—'} → {expires_on}: {reason}",
    )
    audit_record(
        actor=actor,
        action="package_extend",
        customer_ids=[package.customer_id],
        fields=[f"package:{package.pk}"],
    )
    return package


# --- stock --------------------------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *, actor: User, product_id: int, branch_id: int, quantity: int, note: str = ""
) -> int:
    """Goods received (or a count correction when negative). Returns the stock after."""
    policy.require(actor, SalesCap.STOCK_MANAGE)
    branch = _branch(actor, branch_id)
    product = (
        Product.objects.select_for_update()
        .filter(pk=product_id, business_id=policy.business_of(actor))
        .first()
    )
    if product is None:
        raise NotFound(_("No such product."))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise ServiceError(SalesErrorCode.INVALID_QUANTITY, _("Enter a quantity other than zero."))
    kind = StockEntryKind.RECEIVE if quantity > 0 else StockEntryKind.ADJUST
    entry = ledger.stock_append(
        product,
        branch,
        kind=kind,
        delta=quantity,
        actor=actor,
        note=clean_text(note, max_length=200, field=_("note")),
    )
    return entry.quantity_after


# --- refunds ------------------------------------------------------------------------------------


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
    scope = policy.customer_scope(actor, "customer")
    visit = (
        Visit.objects.select_for_update().filter(pk=visit_id, **scope).first() if scope else None
    )
    if visit is None:
        raise NotFound(_("No such visit."))
    if reason not in RefundReason.values:
        raise ServiceError(SalesErrorCode.INVALID_REASON, _("Choose a reason for the refund."))
    lines = list(visit.lines.select_for_update().order_by("id"))
    if line_id is not None:
        lines = [line for line in lines if line.pk == line_id]
        if not lines:
            raise NotFound(_("No such line on this visit."))
    # What each line gives back: its amount net of the visit discount, and its sessions/stock.
    amount = 0
    restored = False
    for line in lines:
        left = line.quantity - line.refunded_quantity
        if left <= 0:
            continue
        restored = True
        share = _line_net(visit, line) - line.refunded_fen
        amount += share
        line.refunded_fen += share
        line.refunded_quantity = line.quantity
        line.save(update_fields=["refunded_fen", "refunded_quantity"])
        if line.package_id:
            package = Package.objects.select_for_update().get(pk=line.package_id)
            ledger.package_append(
                package, kind=PackageEntryKind.REVERSE, delta=left, actor=actor, line=line
            )
        if line.product_id:
            product = Product.objects.select_for_update().get(pk=line.product_id)
            ledger.stock_append(
                product,
                visit.branch,
                kind=StockEntryKind.RETURN,
                delta=left,
                actor=actor,
                line=line,
            )
    if not restored:  # every line already refunded (a package line refunds 0 fen but a session)
        raise ServiceError(SalesErrorCode.NOTHING_TO_REFUND, _("This has already been refunded."))
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
    fully = all(line.refunded_quantity == line.quantity for line in visit.lines.all())
    visit.status = VisitStatus.REFUNDED if fully else VisitStatus.PARTLY_REFUNDED
    visit.save(update_fields=["status", "updated_at"])
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
            card = StoredValueCard.objects.select_for_update().get(pk=card_id)
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
    scope = policy.customer_scope(actor, "customer")
    original = Visit.objects.filter(pk=visit_id, **scope).first() if scope else None
    if original is None:
        raise NotFound(_("No such visit."))
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
    new = _checkout(
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
