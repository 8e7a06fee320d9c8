"""The consumption notice (消费提醒): after a stored-value or package deduction, one service
message to the customer with what was deducted and what is left. Sales announces the deduction
(`liuke.sales.signals.prepaid_deducted`, connected in `EngagementConfig.ready`); the outbox's
unique occasion (customer, kind, key) keeps it to one notice per deduction."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Sum
from django.utils import timezone

from liuke.customers.models import Customer
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.models import Message
from liuke.engagement.rendering import consumption_figures
from liuke.sales.choices import CardEntryKind, PackageEntryKind
from liuke.sales.models import CardEntry, PackageEntry, Visit


def _card_figures(entries: Any) -> tuple[int | None, int | None]:
    """What the entries deducted and the balance their cards were left with (each card's last
    entry among them), or (None, None) without a card."""
    rows = list(entries.order_by("card_id", "seq"))
    if not rows:
        return None, None
    deducted = -sum(e.paid_delta_fen + e.bonus_delta_fen for e in rows)
    last = {e.card_id: e for e in rows}
    return deducted, sum(e.paid_after_fen + e.bonus_after_fen for e in last.values())


def _package_figures(visit_id: int) -> tuple[int | None, int | None]:
    entries = PackageEntry.objects.filter(line__visit_id=visit_id, kind=PackageEntryKind.USE)
    used = entries.aggregate(n=Sum("sessions_delta"))["n"]
    if used is None:
        return None, None
    last = entries.values("package_id").annotate(seq=Max("seq"))
    left = sum(
        PackageEntry.objects.get(package_id=row["package_id"], seq=row["seq"]).sessions_after
        for row in last
    )
    return -used, left


def consumption_notice_queue(
    *, customer_id: int, visit_id: int | None = None, card_entry_id: int | None = None, **_: Any
) -> Message | None:
    """Queue the notice of one deduction: a checkout's (`visit_id`) or a card charged directly
    (`card_entry_id`). None when the customer opted out of service notices, was merged away or
    erased, or nothing prepaid was deducted. Repeating it queues nothing new."""
    customer = Customer.objects.filter(
        pk=customer_id, merged_into__isnull=True, anonymised_at__isnull=True
    ).first()
    if customer is None or not customer.service_notices:
        return None
    if visit_id is not None:
        visit = Visit.objects.filter(pk=visit_id, customer=customer).first()
        if visit is None:
            return None
        deducted, balance = _card_figures(
            CardEntry.objects.filter(visit=visit, kind=CardEntryKind.DEDUCT)
        )
        used, left = _package_figures(visit.pk)
        branch_id, day, key = visit.branch_id, visit.visited_on, f"visit:{visit.pk}"
    elif card_entry_id is not None:
        entries = CardEntry.objects.filter(
            pk=card_entry_id, card__customer=customer, kind=CardEntryKind.DEDUCT
        ).select_related("card")
        entry = entries.first()
        if entry is None:
            return None
        deducted, balance = _card_figures(entries)
        used = left = None
        branch_id, day = entry.card.branch_id, timezone.localdate(entry.created_at)
        key = f"card-entry:{entry.pk}"
    else:
        return None
    if deducted is None and used is None:
        return None
    Message.objects.bulk_create(
        [
            Message(
                business_id=customer.business_id,
                branch_id=branch_id,
                customer=customer,
                kind=MessageKind.CONSUMPTION,
                key=key,
                is_marketing=False,
                occasion_on=day,
                detail=consumption_figures(deducted, balance, used, left),
                status=MessageStatus.QUEUED,
            )
        ],
        ignore_conflicts=True,
    )
    return Message.objects.get(customer=customer, kind=MessageKind.CONSUMPTION, key=key)
