"""What several complaint pages share: amounts typed in yuan, the team that handles cases."""

from __future__ import annotations

from liuke.accounts.models import User
from liuke.accounts.selectors import staff_for_work
from liuke.complaints.capabilities import ComplaintCap
from liuke.core.money import parse_yuan


def _amount(value: str | None) -> int:
    """Yuan typed in a form (12 or 12.50) as fen; blank is nothing (an apology gives no money).
    A typing mistake is refused here with the amount's own message (a ServiceError)."""
    return parse_yuan(value, allow_zero=True) if (value or "").strip() else 0


def _team(actor: User) -> list[User]:
    """Who may be named as a case's handler or the staff member concerned: those who handle
    complaints in the actor's branches (never the auditor, never another branch)."""
    return list(staff_for_work(actor=actor, capability=ComplaintCap.COMPLAINT_HANDLE))
