"""The sales app's section of the staff's "today" page (declared in `contrib.py`): the takings
so far, per branch in the actor's scope."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils import timezone

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest
from liuke.accounts.models import Branch, User
from liuke.core.registry import PanelContent
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import MONEY_METHODS
from liuke.sales.models import Payment, Visit
from liuke.sales.selectors import day_window


def _local_today(branch: Branch) -> dt.date:
    return timezone.localtime(timezone=zoneinfo.ZoneInfo(branch.time_zone)).date()


@dataclass(frozen=True)
class Takings:
    """One branch's day so far: money received (not stored value spent) and visits."""

    branch: Branch
    money_fen: int
    visits: int


def takings_today(*, actor: User) -> list[Takings]:
    """Money received and visits so far today, per branch in the actor's scope (figures, no
    customer named: not a read of personal data). Two queries whatever the number of
    branches."""
    policy.require(actor, SalesCap.DAILY_CLOSE_VIEW)
    branches = list(policy.scope_branches(actor, Branch.objects.all()).order_by("id"))
    if not branches:
        return []
    start, end = day_window(branches[0], _local_today(branches[0]))
    money = dict(
        Payment.objects.filter(
            branch__in=branches, created_at__gte=start, created_at__lt=end, method__in=MONEY_METHODS
        )
        .values_list("branch_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    visits = dict(
        Visit.objects.filter(branch__in=branches, visited_at__gte=start, visited_at__lt=end)
        .values_list("branch_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [Takings(b, money.get(b.pk, 0), visits.get(b.pk, 0)) for b in branches]


# --- the sections -------------------------------------------------------------------------------


def takings_section(request: StaffRequest) -> PanelContent | None:
    """The takings so far, for those who see money."""
    if not policy.sees_money(request.user):
        return None
    rows = takings_today(actor=request.user)
    return PanelContent(
        "sales/partials/today_takings.html",
        {"takings": rows, "total_fen": sum(r.money_fen for r in rows)},
    )
