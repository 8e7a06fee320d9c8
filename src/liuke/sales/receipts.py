"""A visit's receipt (小票): what the front desk prints for the customer after checkout. A read
of the customer's data, scoped and audited like the visit page (`selectors.visit_get`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from liuke.accounts.models import User
from liuke.sales import selectors
from liuke.sales.choices import CardEntryKind, PackageEntryKind
from liuke.sales.models import CardEntry, PackageEntry, Payment, Visit, VisitLine

#: The paper widths of the thermal printers a receipt is laid out for (mm); the first is the
#: default.
WIDTHS = (80, 58)


@dataclass
class CardUse:
    """One stored-value card's deduction in the visit and the balance it was left with."""

    number: str
    deducted_fen: int
    balance_fen: int


@dataclass
class PackageUse:
    """One package's sessions used in the visit and the sessions it was left with."""

    name: str
    used: int
    left: int


@dataclass
class Receipt:
    visit: Visit
    business_name: str
    header: str
    footer: str
    lines: list[VisitLine]
    payments: list[Payment]
    cards: list[CardUse] = field(default_factory=list)
    packages: list[PackageUse] = field(default_factory=list)
    next_visit_at: dt.datetime | None = None


def _cards(visit: Visit) -> list[CardUse]:
    uses: dict[int, CardUse] = {}
    entries = CardEntry.objects.filter(visit=visit, kind=CardEntryKind.DEDUCT).select_related(
        "card"
    )
    for entry in entries.order_by("card_id", "seq"):
        use = uses.setdefault(entry.card_id, CardUse(entry.card.number, 0, 0))
        use.deducted_fen -= entry.paid_delta_fen + entry.bonus_delta_fen
        use.balance_fen = entry.paid_after_fen + entry.bonus_after_fen  # the card's last entry
    return list(uses.values())


def _packages(visit: Visit) -> list[PackageUse]:
    uses: dict[int, PackageUse] = {}
    entries = PackageEntry.objects.filter(
        line__visit=visit, kind=PackageEntryKind.USE
    ).select_related("package")
    for entry in entries.order_by("package_id", "seq"):
        use = uses.setdefault(entry.package_id, PackageUse(entry.package.name, 0, 0))
        use.used -= entry.sessions_delta
        use.left = entry.sessions_after
    return list(uses.values())


def receipt_get(*, actor: User, visit_id: int) -> Receipt:
    """The receipt of a visit the actor may see (NotFound or PermissionDenied otherwise)."""
    visit = selectors.visit_get(actor=actor, visit_id=visit_id)
    branch = visit.branch
    return Receipt(
        visit=visit,
        business_name=visit.business.name,
        # A branch's own receipt header and footer, once branches carry them.
        header=str(getattr(branch, "receipt_header", "") or ""),
        footer=str(getattr(branch, "receipt_footer", "") or ""),
        lines=list(visit.lines.all()),
        payments=list(visit.payments.select_related("card")),
        cards=_cards(visit),
        packages=_packages(visit),
        next_visit_at=visit.next_visit_at,
    )
