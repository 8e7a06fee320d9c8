"""The senior person a complaint is escalated to, or a compensation waits for, is told (a staff
notice: the menu's badge, the today page, a staff channel later); never the staff member the
complaint is about, since the escalation and the approval already pass them by."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from liuke.notices.choices import NoticeKind
from liuke.notices.services import Notice, notices_send


def escalations_notify(escalated: Iterable[tuple[int, int, int | None]]) -> int:
    """(business id, complaint id, escalated to) → a notice to each senior person."""
    return notices_send(
        Notice(
            business_id,
            to_id,
            NoticeKind.ESCALATION,
            f"escalation:{complaint_id}",
            reverse("complaints:detail", args=[complaint_id]),
        )
        for business_id, complaint_id, to_id in escalated
        if to_id is not None
    )


def compensation_notify(*, business_id: int, resolution_id: int, approver_id: int | None) -> int:
    if approver_id is None:
        return 0
    return notices_send(
        [
            Notice(
                business_id,
                approver_id,
                NoticeKind.COMPENSATION,
                f"compensation:{resolution_id}",
                reverse("complaints:approvals"),
            )
        ]
    )
