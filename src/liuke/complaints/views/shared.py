"""What several complaint pages share: amounts typed in yuan, the team that handles cases."""

from __future__ import annotations

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.complaints.capabilities import ComplaintCap
from liuke.core.money import parse_yuan


def _amount(value: str | None) -> int:
    """Yuan typed in a form (12 or 12.50) as fen; blank is nothing (an apology gives no money).
    A typing mistake is refused here with the amount's own message (a ServiceError)."""
    return parse_yuan(value, allow_zero=True) if (value or "").strip() else 0


def _team(actor: User) -> list[User]:
    return list(
        User.objects.filter(
            business_id=policy.business_of(actor),
            is_active=True,
            role__in=policy.roles_with(ComplaintCap.COMPLAINT_HANDLE),
        ).order_by("display_name", "id")
    )
