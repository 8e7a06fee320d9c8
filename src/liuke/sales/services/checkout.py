"""The checkout: a quote priced from the lines, then the visit, its lines, the sessions and stock
used and the payments written in one transaction."""

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
from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.locking import lock_one, retry_on_conflict
from liuke.core.money import validate_fen
from liuke.core.text import clean_text
from liuke.customers.models import Customer
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
    CardTier,
    Package,
    Payment,
    Product,
    Service,
    StoredValueCard,
    Visit,
    VisitLine,
)
from liuke.sales.selectors import eligible_performers
from liuke.sales.services.lookups import (
    branch_for,
    check_usable_card,
    customer_for,
    lock_accounts,
    locked_card,
    locked_customer_for,
)
from liuke.sales.services.pricing import category_percentages, list_price, member_price
from liuke.sales.services.stock import consumables_use
from liuke.sales.signals import prepaid_deducted_on_commit


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
    if staff is None or staff.role == Role.AUDITOR:
        # An auditor only reads: they neither perform services nor sell.
        raise ServiceError(SalesErrorCode.INVALID_STAFF, _("Choose an active staff member."))
    ids = policy.branch_ids(staff)
    if ids is not None and branch.pk not in ids:
        raise ServiceError(
            SalesErrorCode.STAFF_NOT_IN_BRANCH,
            _("%(staff)s does not work at %(branch)s.") % {"staff": staff, "branch": branch},
        )
    return staff


def _member_card(data: Mapping[str, Any], customer: Customer) -> StoredValueCard | None:
    """The card whose tier gives the member price, when the checkout names one."""
    if not data.get("member_card_id"):
        return None
    member_card = (
        StoredValueCard.objects.select_related("tier")
        .filter(pk=data["member_card_id"], customer=customer)
        .first()
    )
    if member_card is None:
        raise ServiceError(
            SalesErrorCode.CARD_NOT_CUSTOMERS, _("Choose one of the customer's cards.")
        )
    check_usable_card(member_card, customer)
    return member_card


@dataclass
class _Pricing:
    """What every line of one quote is priced against."""

    actor: User
    customer: Customer
    branch: Branch
    tier: CardTier | None
    business_id: int
    lock: bool
    # Sessions the quote's earlier lines already take from each package (by package id).
    used_sessions: dict[int, int] = field(default_factory=dict)
    # The tier's own member prices by category id.
    category_pct: dict[int, int] = field(default_factory=dict)


def _use_package(
    pricing: _Pricing, line: QuoteLine, service: Service, package_id: Any, quantity: int
) -> None:
    """A service line paid with a package's sessions: the package checked, its sessions valued."""
    qs = Package.objects.filter(customer=pricing.customer)
    package = lock_one(qs, package_id) if pricing.lock else qs.filter(pk=package_id).first()
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
    used = pricing.used_sessions
    remaining = ledger.package_remaining(package) - used.get(package.pk, 0)
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
    used[package.pk] = used.get(package.pk, 0) + quantity


def _service_line(
    pricing: _Pricing, raw: Mapping[str, Any], index: int, quantity: int
) -> QuoteLine:
    services = Service.objects.filter(pk=raw["service_id"], business_id=pricing.business_id)
    if not raw.get("package_id"):
        # A retired service is no longer sold; the packages that cover it still use it.
        services = services.filter(is_active=True)
    service = services.first()
    if service is None:
        raise ServiceError(
            SalesErrorCode.INVALID_SERVICE, _("Line %(n)d: no such service.") % {"n": index}
        )
    staff = _staff(pricing.actor, raw.get("staff_id"), pricing.branch)
    if not eligible_performers(service, pricing.branch).filter(pk=staff.pk).exists():
        raise ServiceError(
            SalesErrorCode.STAFF_CANNOT_PERFORM,
            _("Line %(n)d: %(staff)s may not perform %(service)s.")
            % {"n": index, "staff": staff, "service": service},
        )
    price = list_price(service, pricing.branch)
    line = QuoteLine(LineKind.SERVICE, service, quantity, staff, price, 0)
    if raw.get("package_id"):
        _use_package(pricing, line, service, raw["package_id"], quantity)
    else:
        pct = pricing.category_pct.get(service.menu_category_id or 0)
        line.unit_price_fen = member_price(price, pricing.tier, pct)
        line.amount_fen = line.unit_price_fen * quantity
    return line


def _product_line(
    pricing: _Pricing, raw: Mapping[str, Any], index: int, quantity: int
) -> QuoteLine:
    product = Product.objects.filter(
        pk=raw["product_id"], business_id=pricing.business_id, is_active=True
    ).first()
    if product is None:
        raise ServiceError(
            SalesErrorCode.INVALID_PRODUCT, _("Line %(n)d: no such product.") % {"n": index}
        )
    seller = _staff(pricing.actor, raw["staff_id"], pricing.branch) if raw.get("staff_id") else None
    unit = member_price(list_price(product, pricing.branch), pricing.tier)
    return QuoteLine(LineKind.PRODUCT, product, quantity, seller, unit, unit * quantity)


def _quote_line(pricing: _Pricing, raw: Mapping[str, Any], index: int) -> QuoteLine:
    quantity = raw.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 99:
        raise ServiceError(
            SalesErrorCode.INVALID_QUANTITY, _("Line %(n)d: quantity 1 to 99.") % {"n": index}
        )
    if raw.get("service_id"):
        return _service_line(pricing, raw, index, quantity)
    if raw.get("product_id"):
        return _product_line(pricing, raw, index, quantity)
    raise ServiceError(
        SalesErrorCode.INVALID_LINE,
        _("Line %(n)d: choose a service or a product.") % {"n": index},
    )


def _discount(data: Mapping[str, Any], subtotal: int) -> tuple[int, str]:
    """The visit discount (in fen or as a percentage of the subtotal) and its reason."""
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
    return discount, reason


def checkout_quote(*, actor: User, data: Mapping[str, Any], lock: bool = False) -> Quote:
    """Price a checkout without writing anything (the page shows it as the lines are added).

    With `lock=True` (inside `checkout`) the packages used are locked and their sessions checked.
    """
    policy.require(actor, SalesCap.SALE_CHECKOUT)
    customer = customer_for(actor, data.get("customer_id"))
    branch = branch_for(actor, data.get("branch_id"))
    raw_lines = data.get("lines") or []
    if not isinstance(raw_lines, Sequence) or not raw_lines:
        raise ServiceError(SalesErrorCode.NO_LINES, _("Add at least one service or product."))
    if len(raw_lines) > 50:
        raise ServiceError(SalesErrorCode.TOO_MANY_LINES, _("At most 50 lines per visit."))
    member_card = _member_card(data, customer)
    pricing = _Pricing(
        actor=actor,
        customer=customer,
        branch=branch,
        tier=member_card.tier if member_card else None,
        business_id=policy.business_of(actor),
        lock=lock,
        category_pct=category_percentages(member_card.tier if member_card else None),
    )
    lines = [_quote_line(pricing, raw, index) for index, raw in enumerate(raw_lines, start=1)]
    subtotal = sum(line.amount_fen for line in lines)
    discount, reason = _discount(data, subtotal)
    return Quote(
        customer, branch, lines, subtotal, discount, reason, subtotal - discount, member_card
    )


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


def _write_lines(actor: User, quote: Quote, visit: Visit) -> None:
    """The visit's lines, with the package sessions and the stock they use."""
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
    _write_lines(actor, quote, visit)
    _write_payments(actor, quote, visit, cleaned)
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
