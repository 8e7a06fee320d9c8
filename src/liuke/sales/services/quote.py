"""Pricing a checkout before it is written: the quote (lines, member prices, packages used,
discount) that the page shows as it is typed and the checkout writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.core.errors import ServiceError
from liuke.core.locking import lock_one
from liuke.core.money import validate_fen
from liuke.core.text import clean_text
from liuke.customers.models import Customer
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    LineKind,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    CardTier,
    Package,
    Product,
    Service,
    StoredValueCard,
)
from liuke.sales.selectors import eligible_performers
from liuke.sales.services.lookups import (
    branch_for,
    check_usable_card,
    customer_for,
)
from liuke.sales.services.pricing import category_percentages, list_price, member_price


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
    #: The customer asked for this staff member (指定): their plan's designated rate applies.
    designated: bool = False
    #: Who shares the line's commission, with their percentage (adding up to 100); empty: all of
    #: it to `staff`.
    splits: list[tuple[User, int]] = field(default_factory=list)


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
    # The same rule as a service: the tier's price for the product's category, else its own.
    pct = pricing.category_pct.get(product.menu_category_id or 0)
    unit = member_price(list_price(product, pricing.branch), pricing.tier, pct)
    return QuoteLine(LineKind.PRODUCT, product, quantity, seller, unit, unit * quantity)


#: At most this many staff members share one line.
MAX_SPLITS = 5


def _splits(pricing: _Pricing, raw: Mapping[str, Any], index: int) -> list[tuple[User, int]]:
    """The line's commission split: distinct staff of the branch, whole percentages that add up
    to exactly 100 (`invalid_split` otherwise)."""
    raw_splits = raw.get("splits") or []
    if not raw_splits:
        return []

    def refuse(message: str) -> ServiceError:
        return ServiceError(
            SalesErrorCode.INVALID_SPLIT, _("Line %(n)d: ") % {"n": index} + message
        )

    if not isinstance(raw_splits, Sequence) or len(raw_splits) > MAX_SPLITS:
        raise refuse(_("a line is shared by at most %(n)d staff members.") % {"n": MAX_SPLITS})
    splits: list[tuple[User, int]] = []
    for part in raw_splits:
        pct = part.get("share_pct") if isinstance(part, Mapping) else None
        if isinstance(pct, bool) or not isinstance(pct, int) or not 1 <= pct <= 100:
            raise refuse(_("each share is a whole percentage from 1 to 100."))
        splits.append((_staff(pricing.actor, part.get("staff_id"), pricing.branch), pct))
    if len({staff.pk for staff, _pct in splits}) != len(splits):
        raise refuse(_("each staff member appears once in a split."))
    total = sum(pct for _staff_member, pct in splits)
    if total != 100:
        raise refuse(_("the shares add up to %(total)d %%, not 100 %%.") % {"total": total})
    return splits


def _quote_line(pricing: _Pricing, raw: Mapping[str, Any], index: int) -> QuoteLine:
    line = _priced_line(pricing, raw, index)
    line.designated = bool(raw.get("designated"))
    line.splits = _splits(pricing, raw, index)
    return line


def _priced_line(pricing: _Pricing, raw: Mapping[str, Any], index: int) -> QuoteLine:
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
