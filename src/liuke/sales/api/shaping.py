"""Models and selector views shaped into the sales API's response bodies."""

from __future__ import annotations

from typing import Any

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.customers.selectors import has_full_file
from liuke.sales import selectors
from liuke.sales.models import CardEntry, PackageEntry, Refund, Visit


def quote_line_out(line: Any) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "service_id": line.item.pk if line.kind == "service" else None,
        "product_id": line.item.pk if line.kind == "product" else None,
        "staff_id": line.staff.pk if line.staff else None,
        "quantity": line.quantity,
        "unit_price_fen": line.unit_price_fen,
        "amount_fen": line.amount_fen,
        "package_id": line.package.pk if line.package else None,
        "package_value_fen": line.package_value_fen,
    }


def refund_out(r: Refund) -> dict[str, Any]:
    return {
        "id": r.pk,
        "visit_id": r.visit_id,
        "line_id": r.line_id,
        "amount_fen": r.amount_fen,
        "reason": r.reason,
        "note": r.note,
        "created_at": r.created_at,
        "exchange_visit_id": r.exchange_visit_id,
    }


def visit_out(actor: User, v: Visit) -> dict[str, Any]:
    """A visit as `actor` may see it: its money only with `finance.view`, its note (a detail of
    the customer's file) only with the file (`accounts.policy.FieldClass`)."""
    return policy.without_money(actor, _visit(v, details=has_full_file(actor, v.customer)))


def _visit(v: Visit, *, details: bool) -> dict[str, Any]:
    return {
        "id": v.pk,
        "customer_id": v.customer_id,
        "branch_id": v.branch_id,
        "visited_at": v.visited_at,
        "status": v.status,
        "subtotal_fen": v.subtotal_fen,
        "discount_fen": v.discount_fen,
        "discount_reason": v.discount_reason,
        "total_fen": v.total_fen,
        "note": v.note if details else "",
        "served_by_id": v.served_by_id,
        "next_visit_at": v.next_visit_at,
        "lines": [
            {
                "id": line.pk,
                "kind": line.kind,
                "service_id": line.service_id,
                "product_id": line.product_id,
                "staff_id": line.staff_id,
                "quantity": line.quantity,
                "unit_price_fen": line.unit_price_fen,
                "amount_fen": line.amount_fen,
                "package_id": line.package_id,
                "package_value_fen": line.package_value_fen,
                "refunded_quantity": line.refunded_quantity,
                "refunded_fen": line.refunded_fen,
            }
            for line in sorted(v.lines.all(), key=lambda x: x.pk)
        ],
        "payments": [
            {
                "id": p.pk,
                "purpose": p.purpose,
                "method": p.method,
                "amount_fen": p.amount_fen,
                "card_id": p.card_id,
                "card_number": p.card.number if p.card is not None else None,
                "created_at": p.created_at,
            }
            for p in sorted(v.payments.all(), key=lambda x: x.pk)
        ],
        "refunds": [refund_out(r) for r in sorted(v.refunds.all(), key=lambda x: x.pk)],
    }


def card_summary(view: selectors.CardView) -> dict[str, Any]:
    card = view.card
    return {
        "id": card.pk,
        "number": card.number,
        "customer_id": card.customer_id,
        "branch_id": card.branch_id,
        "tier_id": card.tier_id,
        "tier": card.tier.name if card.tier else None,
        "discount_pct": card.tier.discount_pct if card.tier else 100,
        "expires_on": card.expires_on,
        "status": card.status,
        "paid_fen": view.paid_fen,
        "bonus_fen": view.bonus_fen,
        "balance_fen": view.balance_fen,
    }


def card_entry(e: CardEntry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "kind": e.kind,
        "paid_delta_fen": e.paid_delta_fen,
        "bonus_delta_fen": e.bonus_delta_fen,
        "paid_after_fen": e.paid_after_fen,
        "bonus_after_fen": e.bonus_after_fen,
        "visit_id": e.visit_id,
        "staff_id": e.staff_id,
        "note": e.note,
        "created_at": e.created_at,
    }


def card_out(actor: User, card_id: int) -> dict[str, Any]:
    view, entries = selectors.card_get(actor=actor, card_id=card_id)
    return {**card_summary(view), "entries": [card_entry(e) for e in entries]}


def package_summary(view: selectors.PackageView) -> dict[str, Any]:
    p = view.package
    return {
        "id": p.pk,
        "name": p.name if view.details else "",
        "customer_id": p.customer_id,
        "branch_id": p.branch_id,
        "service_ids": sorted(s.pk for s in p.services.all()),
        "sessions_total": p.sessions_total,
        "remaining": view.remaining,
        "price_fen": p.price_fen,
        "expires_on": p.expires_on,
        "expired": view.expired,
    }


def package_entry(e: PackageEntry, *, details: bool = True) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "kind": e.kind,
        "sessions_delta": e.sessions_delta,
        "sessions_after": e.sessions_after,
        "line_id": e.line_id,
        "staff_id": e.staff_id,
        "note": e.note if details else "",
        "created_at": e.created_at,
    }


def package_out(actor: User, package_id: int) -> dict[str, Any]:
    view, entries = selectors.package_get(actor=actor, package_id=package_id)
    entries_out = [package_entry(e, details=view.details) for e in entries]
    return policy.without_money(
        actor,
        {
            **package_summary(view),
            "template_id": view.package.template_id,
            "price_reason": view.package.price_reason,
            "entries": entries_out,
        },
    )
