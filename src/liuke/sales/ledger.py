"""Appending to the three ledgers: stored value, package sessions, stock.

Callers hold a lock on the account row (`core.locking.lock_one` or `lock_rows` on the card,
package or product, in the order of docs/money.md): PostgreSQL serialises on it; SQLite's
IMMEDIATE transactions serialise every writer anyway.
Each append reads the last entry, computes the balance after, refuses to go below zero with a
clear error, and inserts entry n+1; the database backs this with a check (balance after >= 0)
and a unique (account, seq), so even a caller that forgot the lock cannot overdraw or fork.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts.models import Branch, User
from liuke.core.errors import ServiceError
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    CardEntry,
    Package,
    PackageEntry,
    Product,
    StockEntry,
    StoredValueCard,
    Visit,
    VisitLine,
)


class InsufficientBalance(ServiceError):
    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(SalesErrorCode.INSUFFICIENT_BALANCE, message)


def card_last(card: StoredValueCard) -> CardEntry | None:
    return CardEntry.objects.filter(card=card).order_by("-seq").first()


def card_balances(card: StoredValueCard) -> tuple[int, int]:
    """(paid part, bonus part) in fen."""
    last = card_last(card)
    return (last.paid_after_fen, last.bonus_after_fen) if last else (0, 0)


def split_deduction(amount: int, paid: int, bonus: int) -> tuple[int, int]:
    """How much of a deduction comes from the paid part and how much from the bonus part:
    in proportion to what is left of each (rounded half up, in fen)."""
    total = paid + bonus
    if amount > total:
        raise ValueError("amount exceeds balance")
    if total == 0:
        return 0, 0
    from_paid = (amount * paid * 2 + total) // (2 * total)
    from_paid = min(from_paid, paid, amount)
    from_bonus = amount - from_paid
    if from_bonus > bonus:
        from_bonus = bonus
        from_paid = amount - bonus
    return from_paid, from_bonus


def card_append(
    card: StoredValueCard,
    *,
    kind: str,
    paid_delta: int,
    bonus_delta: int,
    actor: User | None,
    visit: Visit | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> CardEntry:
    last = card_last(card)
    paid = (last.paid_after_fen if last else 0) + paid_delta
    bonus = (last.bonus_after_fen if last else 0) + bonus_delta
    if paid < 0 or bonus < 0:
        raise InsufficientBalance(
            _("Insufficient balance on card %(number)s.") % {"number": card.number}
        )
    return CardEntry.objects.create(
        card=card,
        seq=(last.seq if last else 0) + 1,
        kind=kind,
        paid_delta_fen=paid_delta,
        bonus_delta_fen=bonus_delta,
        paid_after_fen=paid,
        bonus_after_fen=bonus,
        visit=visit,
        staff=actor,
        note=note[:200],
        idempotency_key=idempotency_key,
        created_at=timezone.now(),
    )


def package_last(package: Package) -> PackageEntry | None:
    return PackageEntry.objects.filter(package=package).order_by("-seq").first()


def package_remaining(package: Package) -> int:
    last = package_last(package)
    return last.sessions_after if last else 0


def package_append(
    package: Package,
    *,
    kind: str,
    delta: int,
    actor: User | None,
    line: VisitLine | None = None,
    note: str = "",
) -> PackageEntry:
    last = package_last(package)
    after = (last.sessions_after if last else 0) + delta
    if after < 0:
        raise InsufficientBalance(
            _("Package %(name)s has not enough sessions left.") % {"name": package.name}
        )
    return PackageEntry.objects.create(
        package=package,
        seq=(last.seq if last else 0) + 1,
        kind=kind,
        sessions_delta=delta,
        sessions_after=after,
        line=line,
        staff=actor,
        note=note[:200],
        created_at=timezone.now(),
    )


def stock_last(product: Product, branch: Branch) -> StockEntry | None:
    return StockEntry.objects.filter(product=product, branch=branch).order_by("-seq").first()


def stock_on_hand(product: Product, branch: Branch) -> int:
    last = stock_last(product, branch)
    return last.quantity_after if last else 0


def stock_append(
    product: Product,
    branch: Branch,
    *,
    kind: str,
    delta: int,
    actor: User | None,
    line: VisitLine | None = None,
    note: str = "",
) -> StockEntry:
    last = stock_last(product, branch)
    after = (last.quantity_after if last else 0) + delta
    if after < 0:
        raise InsufficientBalance(
            _("Not enough %(name)s in stock (%(n)d left).")
            % {"name": product.name, "n": last.quantity_after if last else 0}
        )
    return StockEntry.objects.create(
        product=product,
        branch=branch,
        seq=(last.seq if last else 0) + 1,
        kind=kind,
        delta=delta,
        quantity_after=after,
        line=line,
        staff=actor,
        note=note[:200],
        created_at=timezone.now(),
    )
